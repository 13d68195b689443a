"""The handout walkthroughs (seed 003) and seed 000's iteration, run as scripts.

Each script runs with ``sys.executable`` and its printed numbers are compared
with the seeds' own.  The handout's R lines are compared twice: as R really
prints them (R pads every element of a vector to one width) and, after
collapsing runs of spaces, with the handout's text, whose PDF extraction
lost that padding.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

WALKTHROUGHS = Path(__file__).resolve().parent.parent / "walkthroughs"
ENV = dict(os.environ, PYTHONIOENCODING="utf-8")

# The handout's R output lines, as they appear in seed 003's text.
HANDOUT_LINES = [
    "[1] 0.5 3.6 -1.5",
    "[1] 2.6",
    "[1] 0.9308616",
    "[1] 2.6",
    "[1] 0.001787254",
    "[1] 0.8017873",
    "[1] 0.1539432",
    "[1] 0.009907519",
    "[1] 9.907519e-05 2.972256e-04 4.953760e-04",
    "[1] 0.5000991 1.2002972 -0.2995046",
]

# What R prints for each command the walkthrough echoes, in order.  δ_o's
# value (0.192) and standard backpropagation's δ_h1 are not printed in the
# handout's text; 2·0.4·0.6·0.4 = 0.192 and 0.8·0.192·a(1 − a) = 0.009885435.
R_EXACT = [
    "[1]  0.5  3.6 -1.5",
    "[1] 2.6",
    "[1] 0.9308616",
    "[1] 2.6",
    "[1] 0.192",
    "[1] 0.001787254",
    "[1] 0.8017873",
    "[1] 0.1539432",
    "[1] 0.009907519",
    "[1] 0.009885435",
    "[1] 9.907519e-05 2.972256e-04 4.953760e-04",
    "[1]  0.5000991  1.2002972 -0.2995046",
]


def run(name):
    done = subprocess.run([sys.executable, str(WALKTHROUGHS / name)], capture_output=True,
                          text=True, encoding="utf-8", env=ENV, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


@pytest.fixture(scope="module")
def handout():
    return run("handout.py")


def answers(out):
    """The line after each echoed R command (``> …``, possibly continued)."""
    lines = out.splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.startswith("> "):
            j = i + 1
            while not lines[j].startswith("[1]"):
                j += 1
            found.append(lines[j])
    return found


def collapse(line):
    return re.sub(" +", " ", line)


def test_handout_prints_every_value_as_r_does(handout):
    assert answers(handout) == R_EXACT


def test_handout_lines_match_the_handout_text(handout):
    printed = [collapse(line) for line in answers(handout)]
    handout_only = [line for line in printed if line not in ("[1] 0.192", "[1] 0.009885435")]
    assert handout_only == HANDOUT_LINES


def test_handout_says_where_it_assumes_and_why_orders_differ(handout):
    assert "ASSUMES the output activation is 0.6" in handout
    assert "must use w = 0.8" in handout and "1.0022341" in handout   # 0.8017873 / 0.8


def test_handout_network_step_gives_the_same_numbers(handout):
    section = handout.split("6. The same numbers")[1]
    assert "output activation:       [1] 0.6\n" in section
    assert "δ_o:                     [1] 0.192\n" in section
    assert "new weight h1 → o:       [1] 0.8017873\n" in section
    assert "δ_h1 (handout order):    [1] 0.009907519\n" in section
    assert "new weights x → h1:      [1]  0.5000991  1.2002972 -0.2995046\n" in section
    assert "| 0.8017873·0.192·0.9308616·(1 − 0.9308616)    | 0.009907519 |" in section
    standard = handout.split("7. Standard backpropagation")[1]
    assert "| 0.8·0.192·0.9308616·(1 − 0.9308616)    | 0.009885435 |" in standard


def test_handout_exercises():
    out = run("handout_exercises.py")
    for n in range(1, 7):
        assert f"Exercise {n}:" in out
    assert "relu':    [1] 0 0 0 1 1" in out
    ex3 = out.split("Exercise 3")[1].split("Exercise 4")[0]
    # η·δ_o·a_h for each hidden node, δ_o = 0.192: h1's is the handout's 0.001787254
    assert "| h1 → o      |  0.8 | 0.192 | 0.9308616 | 0.01 | 0.01·0.192·0.9308616 |  0.001787254 |  0.8017873 |" in ex3
    assert ex3.count("→ o") == 5                       # four weights and the bias
    ex4 = out.split("Exercise 4")[1].split("Exercise 5")[0]
    assert ex4.count("→ h") == 16                      # 4 nodes × (3 weights + bias)
    assert "| x1 → h1     |       0.5 | 0.009885435 |" in ex4
    ex6 = out.split("Exercise 6")[1]
    match = re.search(r"stopped by target_loss after (\d+) epochs", ex6)
    assert match and int(match.group(1)) < 5000
    final = float(re.findall(r"epoch +\d+: loss (\S+)", ex6)[-1])
    assert final <= 0.05
    classes = re.findall(r"^\(\d, \d, \d\)\s+(\d)\s+\S+\s+(\d)$", ex6, re.MULTILINE)
    assert len(classes) == 8 and all(y == c for y, c in classes)
    outputs = re.findall(r"^\(\d, \d, \d\)\s+\d\s+(\S+)\s+\d$", ex6, re.MULTILINE)
    # aligned: every prediction ends in the same column
    ends = {line.rindex(o) + len(o) for line, o in zip(
        [l for l in ex6.splitlines() if l.startswith("(")], outputs)}
    assert len(ends) == 1
    assert not out.startswith("\n")


# Seed 000's values to three decimals, and where exact arithmetic differs.
SEED000 = {
    "z1": "0.600", "h1": "0.600", "z2": "-0.100", "y1": "0.475", "L": "0.744",
    "∂L/∂y1": "-2.105", "∂L/∂z2": "-0.524", "∂L/∂w2": "-0.314", "∂L/∂b2": "-0.524",
    "∂L/∂h1": "0.524", "∂L/∂z1": "0.524", "∂L/∂w1": "0.262", "∂L/∂b1": "0.524",
    "w1": "0.774", "b1": "0.148", "w2": "-0.969", "b2": "0.552",
}
# δ_o = 1 − sigmoid(−0.1) = 0.5249792 exactly rounds to 0.525, not the seed's 0.524,
# and 0.5249792 × 0.6 = 0.3149875 rounds to 0.315, not 0.314.
EXACT_DIFFERS = {"∂L/∂z2": "-0.525", "∂L/∂w2": "-0.315", "∂L/∂b2": "-0.525",
                 "∂L/∂h1": "0.525", "∂L/∂z1": "0.525", "∂L/∂b1": "0.525"}


def test_one_step_reproduces_seed_000():
    out = run("one_step.py")
    table = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0] in SEED000:
            table[cells[0]] = cells
    assert set(table) == set(SEED000)
    for name, seed in SEED000.items():
        _, exact, exact3, chain, printed_seed = table[name]
        assert printed_seed == seed
        assert exact3 == EXACT_DIFFERS.get(name, seed), name
        if chain and name != "∂L/∂z2":
            assert chain.endswith("→ " + seed), name      # the seed's own chained rounding
    assert table["∂L/∂z2"][1] == "-0.5249792"
    # one minus sign for numbers: R's "-" in the prose too ("−" is only subtraction)
    prose = out.split("The same step")[0]
    assert not re.search(r"−\d", prose), re.findall(r".{20}−\d.{5}", prose)
    assert table["∂L/∂z2"][3] == "-0.5249344 → -0.525"  # −2.105 × 0.475 × 0.525
    assert "| 1 − 0.4750208    |  0.5249792 |" in out
    assert "| (-1)·0.5249792·1 | -0.5249792 |" in out
    assert "|       1 | x1 → h1     | 0.8 | -0.5249792 | 0.5 | 0.1 | 0.1·(-0.5249792)·0.5 |  -0.02624896 |   0.773751 |" in out


def test_readme_shows_the_handout_walkthroughs_real_output(handout):
    readme = (WALKTHROUGHS.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("```text\n1. The activation of h1")
    block = readme[start + len("```text\n"):readme.index("```", start + 3)]
    assert handout.lstrip("\n").startswith(block)
