"""walkthroughs/oracle_numpy.py: the MLP passes, seed 001's backward_pass fails at layer 2,
the corrected one passes, and the README shows the report it prints."""

import importlib.util
import pathlib

import pytest

np = pytest.importorskip("numpy")

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_walkthrough():
    spec = importlib.util.spec_from_file_location("oracle_numpy",
                                                  ROOT / "walkthroughs" / "oracle_numpy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_walkthrough_output(capsys):
    load_walkthrough().main()
    out = capsys.readouterr().out
    sections = out.split("\n\n")
    assert sections[0].startswith("1. A vectorized NumPy MLP")
    assert "gradients match nodenet's: all 26 entries" in sections[0]
    assert "gradients differ from nodenet's in 6 of 6 entries" in out
    assert "3. Corrected (sigmoid_derivative(a2), (a1)):\ngradients match nodenet's: all 6" in out
    assert "gradcheck: nodenet's backprop agrees with central differences" in out


def test_seed_001_bug_is_named_at_layer_2():
    w = load_walkthrough()
    net, X, y, W1, W2 = w.xor_network()
    z1, a1, z2, a2 = w.forward_pass(X, W1, W2)
    from nodenet.oracle import compare_gradients
    report = compare_gradients(net, X, y, w.backward_pass_as_written(X, y, z1, a1, z2, a2, W2),
                               layout="in_out")
    assert not report.ok and report.first_layer == 2
    # the seed's derivative really is z·(1 − z) where σ(z)·(1 − σ(z)) belongs
    got = report.mismatches[0].got
    dz2 = (a2 - y) * z2 * (1 - z2)
    assert got == pytest.approx((a1.T @ dz2)[report.mismatches[0].source, 0], rel=1e-14)
    fixed = w.backward_pass_corrected(X, y, z1, a1, z2, a2, W2)
    assert compare_gradients(net, X, y, fixed, layout="in_out").ok


def test_readme_shows_the_walkthrough_report(capsys):
    load_walkthrough().main()
    out = capsys.readouterr().out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("The forward pass agrees; the gradients do not:\n\n```text\n")
    block = readme[start:].split("```text\n", 1)[1].split("```", 1)[0]
    assert block.startswith("gradients differ from nodenet's in 6 of 6 entries")
    assert block in out
