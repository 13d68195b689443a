"""The oracle against the true values: reference="exact", errors in ulps (needs mpmath)."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mpmath", reason="reference='exact' needs mpmath (pip install mpmath)")

from nodenet import Network, NodenetError, exact                  # noqa: E402
from nodenet.oracle import compare_forward, compare_gradients     # noqa: E402


def saturated():
    return Network.from_matrices([[[30.0], [36.0]], [[1.0, -0.5]]], activations=["sigmoid",
                                 "identity"], loss="sse")


def client(net, textbook):
    """A float64 client's gradients: σ′ as a·(1 − a) (textbook) or from z."""
    (w1, w2), _ = net.to_matrices()
    z = [w[0] for w in w1]
    a = [1 / (1 + math.exp(-v)) for v in z]
    out = sum(w * v for w, v in zip(w2[0], a))
    d2 = 2.0 * out
    slope = [v * (1 - v) if textbook else v * (1 / (1 + math.exp(zz))) for v, zz in zip(a, z)]
    d1 = [d2 * w * s for w, s in zip(w2[0], slope)]
    return [[[d] for d in d1], [[d2 * v for v in a]]], [d1, [d2]]


def test_the_report_gives_both_errors_in_ulps_and_names_the_saturated_layer():
    net = saturated()
    dW, db = client(net, textbook=True)
    report = compare_gradients(net, [[1.0]], [[0.0]], dW, db, reference="exact", atol=0.0)
    assert not report.ok and report.first_layer == 1
    yours, where, ours = report.truth.worst(1)
    assert yours > 1e13 and ours < 8.0                  # trillions of ulps against a few
    text = str(report)
    assert "against the true values" in text
    assert "layer 1: its outputs have saturated" in text
    assert "take it from z: σ(z)·σ(−z)" in text
    # compared with nodenet's float64 the same client also fails, but nothing says which is right
    plain = compare_gradients(net, [[1.0]], [[0.0]], dW, db, atol=0.0)
    assert plain.truth is None and "ulps" not in str(plain)


def test_a_client_that_takes_the_derivative_from_z_is_within_a_few_ulps():
    net = saturated()
    dW, db = client(net, textbook=False)
    report = compare_gradients(net, [[1.0]], [[0.0]], dW, db, reference="exact", atol=0.0)
    assert report.ok
    assert all(report.truth.worst(l)[0] < 8.0 for l in (1, 2))


def test_expected_values_are_the_correctly_rounded_truth():
    net = saturated()
    dW, db = client(net, textbook=False)
    dW[0][0][0] += 1.0                              # a mismatch shows the expected value
    report = compare_gradients(net, [[1.0]], [[0.0]], dW, db, reference="exact", atol=0.0)
    true = exact.gradients(net, [[1.0]], [[0.0]], digits=30)
    m = report.mismatches[0]
    assert (m.layer, m.node, m.source) == (1, 0, 0)
    assert m.expected == float(true.dW[0][0][0])


def test_float32_errors_are_counted_in_float32_ulps():
    np = pytest.importorskip("numpy", reason="a float32 client needs NumPy")
    net = Network([3, 4, 2], activation="tanh", output_activation="identity", loss="mse", seed=3)
    X, Y = [[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]], [[0.1, 0.2], [0.3, -0.4]]
    dW, db = net.gradients(X, Y)
    dW32 = [np.array(m, dtype=np.float32) for m in dW]
    db32 = [np.array(b, dtype=np.float32) for b in db]
    report = compare_gradients(net, X, Y, dW32, db32, dtype="float32", reference="exact")
    assert report.ok
    for l in (1, 2):
        yours, _, ours = report.truth.worst(l)
        assert yours <= 0.5 + 1e-9                       # a float32 rounding of the truth
        assert ours < 8.0
    assert "ulps of float32" in str(report)


def test_the_forward_comparison_against_the_truth():
    net = saturated()
    (w1, w2), _ = net.to_matrices()
    z1 = [[30.0, 36.0]]
    a1 = [[1 / (1 + math.exp(-v)) for v in z1[0]]]
    a2 = [[a1[0][0] - 0.5 * a1[0][1]]]
    report = compare_forward(net, [[1.0]], [a1, a2], [z1, a2], reference="exact")
    assert report.ok and "worst errors in ulps" in str(report)
    with pytest.raises(NodenetError, match="reference must be 'float64'"):
        compare_forward(net, [[1.0]], [a1, a2], reference="true")


def test_exact_reference_refuses_dropout_masks():
    net = Network([2, 2, 1], seed=1)
    dW, db = net.gradients([[1.0, 2.0]], [[0.0]])
    with pytest.raises(NodenetError, match="reference='exact' does not take dropout masks"):
        compare_gradients(net, [[1.0, 2.0]], [[0.0]], dW, db, reference="exact",
                          masks=[[[2.0, 0.0]], None])


def test_ulp_units():
    assert exact.ulp(1.0) == 2.0 ** -52 and exact.ulp(1.5, "float32") == 2.0 ** -23
    assert exact.ulp(2.0, "bfloat16") == 2.0 ** -6 and exact.ulp(0.0, "float16") == 2.0 ** -24
    assert exact.ulps(1.0 + 2 ** -51, 1.0) == 2.0


def test_the_walkthrough_runs_and_shows_the_gap():
    pytest.importorskip("numpy", reason="the walkthrough's client is NumPy code")
    script = Path(__file__).resolve().parent.parent / "walkthroughs" / "exact.py"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "layer 1: yours 2e+14 ulps of float64" in done.stdout
    assert "bce on logits, log1p(e^−|z|)     250.66666666666666       0.341 ulps" in done.stdout
    assert "log Σ e^z, naive                 inf" in done.stdout


def test_the_readme_shows_what_the_walkthrough_prints():
    pytest.importorskip("numpy", reason="the walkthrough's client is NumPy code")
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    start = readme.index("```text\nagainst the true values (nodenet.exact") + len("```text\n")
    block = readme[start:readme.index("```", start)]
    done = subprocess.run([sys.executable, str(root / "walkthroughs" / "exact.py")],
                          capture_output=True, text=True, timeout=120)
    assert block in done.stdout
