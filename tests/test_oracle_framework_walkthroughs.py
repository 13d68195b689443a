"""walkthroughs/oracle_torch.py and oracle_jax.py: the check passes, the planted bugs are
named by nodenet, and gradcheck / check_grads say what the walkthroughs claim they say.
Each runs in its own process (the JAX one turns on float64 mode)."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(name):
    done = subprocess.run([sys.executable, str(ROOT / "walkthroughs" / name)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_torch_walkthrough():
    pytest.importorskip("torch")
    out = run("oracle_torch.py")
    first, bug = out.split("\n2. ")
    assert first.startswith("1. nn.Sequential(Linear(3, 4), Tanh(), Linear(4, 2)), MSELoss, "
                            "5 samples: Network([3, 4, 2], tanh → identity, loss=mse)\n"
                            "gradients match nodenet's: all 26 entries")
    ours, theirs = bug.split("torch.autograd.gradcheck on the same function:\n")
    assert "layer 1: 12 of 12 weights and 4 of 4 biases differ" in ours
    assert ("layer 1's tanh derivative is evaluated at the net input z: written in the output "
            "a it is 1 − a², and fed z it gives 1 − z²") in ours
    assert theirs.startswith("Jacobian mismatch for output 0 with respect to input 0,\n"
                             "numerical:tensor(")


def test_jax_walkthrough():
    pytest.importorskip("jax")
    out = run("oracle_jax.py")
    first, rest = out.split("\n\n2. ")
    forward_bug, backward_bug = rest.split("\n\n3. ")
    assert "gradients match nodenet's: all 26 entries" in first
    assert "jax.test_util.check_grads:\npassed" in forward_bug
    assert ("layer 2's softmax is normalized over the samples: each node's outputs sum to 1 "
            "across the batch") in forward_bug
    assert "jax.test_util.check_grads:\nNot equal to tolerance" in backward_bug
    assert "layer 1's tanh derivative is evaluated at the net input z" in backward_bug
    assert backward_bug.rstrip().endswith("layer 2 matches, so the error enters at layer 1")
