"""The README's oracle section is a contract: its framework examples run, its tolerance
table is nodenet.oracle.DTYPES, and its hypothesis example passes — and, with the bug the
README describes planted, fails with the report it quotes."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

from nodenet.oracle import DTYPES

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title):
    start = README.index(f"\n### {title}\n")
    end = README.index("\n##", start + len(title) + 6)
    return README[start:end]


def python_blocks(text):
    return re.findall(r"```python\n(.*?)```", text, re.S)


FRAMEWORK_BLOCKS = python_blocks(section("Models from PyTorch, JAX, Keras and scikit-learn"))


@pytest.mark.parametrize("needs", ["torch", "jax", "keras", "sklearn"])
def test_each_framework_example_runs(needs):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    block = next(b for b in FRAMEWORK_BLOCKS if re.search(rf"^(import|from) {needs}\b", b, re.M))
    for module in ("torch", "jax", "keras", "sklearn", "numpy"):
        if re.search(rf"^(import|from) {module}\b", block, re.M):
            pytest.importorskip(module)
    exec(compile(block, f"README {needs} example", "exec"), {})


def test_the_tolerance_table_is_the_code():
    rows = re.findall(r"^\| `(\w+)`(?: \(default\))? \| ([\d.e-]+) \| ([\d.e-]+) \| ([\d.e-]+) \|",
                      section("Tolerances for the precision your code computes in"), re.M)
    assert [r[0] for r in rows] == list(DTYPES)
    for name, eps, rtol, atol in rows:
        preset = DTYPES[name]
        assert float(eps) == pytest.approx(preset.eps, rel=5e-3)
        assert (float(rtol), float(atol)) == (preset.rtol, preset.atol)


# a busy machine must not fail the example on hypothesis's 200 ms deadline; a fixed seed
# makes the shrunk case the same in every run
CONFTEST = """from hypothesis import settings
settings.register_profile("busy", deadline=None)
settings.load_profile("busy")
"""


def run_pytest(tmp_path, name, code):
    path = tmp_path / name
    path.write_text(code, encoding="utf-8")
    (tmp_path / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--hypothesis-seed=0", str(path)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=600)


def test_the_hypothesis_example_passes_and_shrinks_a_planted_bug(tmp_path):
    pytest.importorskip("hypothesis")
    pytest.importorskip("numpy")
    (code,) = python_blocks(section("Property-based tests"))
    good = run_pytest(tmp_path, "test_good.py", code)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "1.0 - a * a" in code
    bad = run_pytest(tmp_path, "test_bad.py", code.replace("1.0 - a * a", "1.0 - z * z"))
    assert bad.returncode == 1
    out = bad.stdout
    # nodenet's report is the message, and hypothesis shows the shrunk case
    assert re.search(r"layer \d's tanh derivative is evaluated at the net input z", out)
    case = re.search(r"case=Case\(sizes=(\[[\d, ]+\])", out)
    sizes = [int(n) for n in case.group(1).strip("[]").split(",")]
    assert len(sizes) <= 3 and max(sizes) <= 2          # one or two layers, tiny
