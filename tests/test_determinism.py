"""Determinism (issue 5): same seed → bit-identical results, in this process and others.

No global random state: seeding or drawing from the module-level ``random``
between runs changes nothing, nodenet never moves the global state, and no
source file in nodenet/ calls a module-level ``random`` function.
"""

import ast
import hashlib
import math
import os
import pathlib
import random
import subprocess
import sys

import nodenet
from nodenet import Network

XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]]
XOR_Y = [[0], [1], [1], [0]]


def fingerprint(seed=5):
    """Everything a run produces, as exact text: weights, history, tables, file."""
    from nodenet import modelfile, tables
    parts = []
    for init, kwargs in (("xavier", {}), ("he", {"activation": "relu"}),
                         ("uniform", {"init_bound": 0.5})):
        net = Network([2, 3, 1], init=init, seed=seed, **kwargs)
        history = net.train(XOR_X, XOR_Y, 25, 0.7, batch_size=2, momentum=0.3, shuffle=True)
        parts.append(" ".join(float.hex(v) for v in history) + f" {history.stop_reason}")
        weights, biases = net.to_matrices()
        parts.append(" ".join(float.hex(w) for m in weights for row in m for w in row))
        parts.append(" ".join(float.hex(b) for v in biases for b in v))
        parts.append(modelfile.dumps(net))
        parts.append(tables.step_report(net, [1, 0], [1], 0.5))
        dW, db = net.gradients(XOR_X, XOR_Y)
        parts.append(repr((dW, db)))
        parts.append(repr(net.rng.random()))
    return "\n".join(parts)


def digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_same_seed_same_bits_in_one_process():
    assert fingerprint() == fingerprint()
    assert fingerprint(5) != fingerprint(6)          # the seed does matter


def test_same_seed_same_saved_file_bytes(tmp_path):
    for name in ("a.json", "b.json"):
        net = Network([3, 4, 2], activation="tanh", output_activation="softmax",
                      loss="cross_entropy", seed=12)
        net.train([[1, 2, 3], [3, 2, 1]], [[1, 0], [0, 1]], 10, 0.1)
        net.save(tmp_path / name)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_same_seed_same_bits_across_processes():
    script = ("import sys, hashlib; sys.path.insert(0, sys.argv[1]); "
              "import test_determinism as t; print(t.digest(t.fingerprint()))")
    here = str(pathlib.Path(__file__).parent)
    results = set()
    for hashseed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        proc = subprocess.run([sys.executable, "-c", script, here], capture_output=True,
                              text=True, env=env, timeout=120, check=True)
        results.add(proc.stdout.strip())
    assert results == {digest(fingerprint())}


def test_global_random_state_neither_used_nor_changed():
    random.seed(1)
    first = fingerprint()
    random.seed(987654321)
    for _ in range(1000):
        random.random()
    random.shuffle(list(range(10)))
    state = random.getstate()
    second = fingerprint()
    assert random.getstate() == state                # nodenet drew nothing from it
    assert first == second


def test_shuffling_uses_the_networks_rng_only():
    a = Network([2, 2, 1], seed=3)
    b = Network([2, 2, 1], seed=3)
    ha = a.train(XOR_X, XOR_Y, 5, 0.5, shuffle=True)
    random.seed(42)
    random.random()
    hb = b.train(XOR_X, XOR_Y, 5, 0.5, shuffle=True)
    assert list(ha) == list(hb) and a.to_matrices() == b.to_matrices()
    # a caller-made rng gives the same network as the same seed
    c = Network([2, 2, 1], rng=random.Random(3))
    assert c.to_matrices() == Network([2, 2, 1], seed=3).to_matrices()


def _module_random_calls(tree):
    """Every use of module-level random functions in one parsed source file."""
    aliases, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name == "random"}
        elif isinstance(node, ast.ImportFrom) and node.module == "random":
            found += [f"from random import {a.name}" for a in node.names if a.name != "Random"]
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in aliases and node.attr != "Random"):
            found.append(f"{node.value.id}.{node.attr} at line {node.lineno}")
    return found


def test_no_module_level_random_functions_anywhere_in_nodenet():
    package = pathlib.Path(nodenet.__file__).parent
    sources = sorted(package.rglob("*.py"))
    assert len(sources) > 10
    offenders = {}
    for path in sources:
        found = _module_random_calls(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            offenders[str(path.relative_to(package))] = found
    assert offenders == {}
    # the checker itself catches what it is meant to catch
    bad = ast.parse("import random\nrandom.shuffle(x)\nfrom random import gauss\n"
                    "import random as r\nr.seed(1)\nrandom.Random(1)\n")
    assert _module_random_calls(bad) == ["from random import gauss", "random.shuffle at line 2",
                                         "r.seed at line 5"]


def test_pypy_loops_give_the_cpython_numbers_bit_for_bit(monkeypatch):
    # node.PYPY switches the net input and e_j = Σ w·δ to plain loops (and the
    # overflow proof to Σ|v|); the same terms in the same order: the same bits.
    # Run here on CPython with the switch forced on, and on PyPy by CI as is.
    from nodenet import network, node
    expected = fingerprint()
    wide = Network([3, 5, 4, 2], activation="tanh", seed=1)

    def trained():
        net = wide.copy()
        losses = list(net.train([[0.1, -0.2, 0.3]] * 3, [[0.5, -0.5]] * 3, 4, 0.2))
        return [float.hex(v) for v in losses], net.snapshot()

    wide_expected = trained()
    monkeypatch.setattr(node, "PYPY", not node.PYPY)
    monkeypatch.setattr(network, "norm", network.abs_sum if node.PYPY else math.hypot)
    assert fingerprint() == expected
    assert trained() == wide_expected
