"""The exact reference: which of two float64 gradients is right?

Two real cases where float64 code loses digits, and nodenet's exact
reference (``nodenet.exact``: nodenet's own node loops at 30 significant
digits) tells the true value apart from both:

1. A saturated sigmoid network.  A NumPy client writes the textbook
   σ′ = a·(1 − a) from the stored output, as PyTorch's sigmoid backward does.
   At net inputs past 30 the output is within a few ulps of 1 and 1 − a has
   lost its digits: the client's first-layer gradient is off by trillions of
   ulps; nodenet's float64, which switches to σ(z)·σ(−z) there, by about one.
2. A NumPy classifier's loss on logits, written two ways: the naive
   log(Σ e^z) and BCE as −log σ(z), and the stable log-sum-exp and
   log1p(e^−|z|) forms.  With logits in the hundreds the naive ones overflow
   or lose everything; the stable ones are within an ulp or two.

Needs mpmath and NumPy (``pip install 'nodenet[exact,examples]'``).
Run ``python walkthroughs/exact.py``.
"""

import sys

try:
    import numpy as np
except ImportError:
    sys.exit("walkthroughs/exact.py needs NumPy: pip install 'nodenet[examples]'")

from nodenet import Network, NodenetError, exact
from nodenet.oracle import compare_gradients


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def naive_client(W1, b1, W2, b2, X, Y):
    """A 1-hidden-layer sigmoid MLP with sse, σ′ from the output: a·(1 − a)."""
    a1 = sigmoid(X @ W1.T + b1)
    a2 = a1 @ W2.T + b2                          # identity output
    d2 = 2.0 * (a2 - Y)                          # ∂L/∂z2 for Σ (y − ŷ)²
    d1 = (d2 @ W2) * a1 * (1.0 - a1)             # the textbook σ′ = a·(1 − a)
    return [d1.T @ X, d2.T @ a1], [d1.sum(axis=0), d2.sum(axis=0)]


def saturated_sigmoid():
    print("1. A saturated sigmoid layer (net inputs 30 and 36), sse, identity output")
    W1 = np.array([[30.0], [36.0]])
    b1 = np.zeros(2)
    W2 = np.array([[1.0, -0.5]])
    b2 = np.zeros(1)
    X, Y = np.array([[1.0]]), np.array([[0.0]])
    net = Network.from_matrices([W1, W2], [b1, b2], ["sigmoid", "identity"], loss="sse")
    dW, db = naive_client(W1, b1, W2, b2, X, Y)
    report = compare_gradients(net, X, Y, dW, db, reference="exact", atol=0.0)
    print(report)
    truth = exact.gradients(net, X, Y, digits=30)
    print()
    print(f"the true ∂L/∂w from x to h2: {truth.dW[0][1][0]}")
    print(f"nodenet's float64:            {net.gradients(X, Y)[0][0][1][0]!r}")
    print(f"the client's a·(1 − a):       {float(dW[0][1][0])!r}")
    print()


def logit_losses(z, y):
    """Four clients' bce_with_logits and cross-entropy on logits z, targets y."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        naive_bce = float(np.mean(-(y * np.log(sigmoid(z)) + (1 - y) * np.log(1 - sigmoid(z)))))
        stable_bce = float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))
        naive_lse = float(np.log(np.sum(np.exp(z))))
        top = np.max(z)
        stable_lse = float(top + np.log(np.sum(np.exp(z - top))))
    return naive_bce, stable_bce, naive_lse, stable_lse


def logits():
    print("2. Losses on logits: naive against stable, each error in ulps of float64")
    z = np.array([-40.0, 35.0, 712.0])
    y = np.array([1.0, 1.0, 0.0])
    naive_bce, stable_bce, naive_lse, stable_lse = logit_losses(z, y)
    # one identity layer whose biases are the logits (its weights are 0, its input 0)
    net = Network.from_matrices([[[0.0]] * 3], [list(z)], "identity", loss="bce_with_logits")
    true_bce = exact.gradients(net, [[0.0]], [list(y)], digits=30).loss
    ce = Network.from_matrices([[[0.0]] * 3], [list(z)], "identity",
                               loss={"name": "cross_entropy_with_logits", "reduction": "sum"})
    # −log softmax(z)_0 = log Σ e^z − z_0, so log Σ e^z = the loss for class 0 plus z_0
    true_lse = exact.gradients(ce, [[0.0]], [0], digits=30).loss + z[0]
    rows = [("bce on logits, naive −log σ(z)", naive_bce, true_bce),
            ("bce on logits, log1p(e^−|z|)", stable_bce, true_bce),
            ("log Σ e^z, naive", naive_lse, true_lse),
            ("log Σ e^z, shifted by max z", stable_lse, true_lse)]
    for name, value, true in rows:
        error = exact.ulps(value, true) if np.isfinite(value) else float("inf")
        print(f"  {name:32s} {value!r:24s} {error:.3g} ulps")
    print(f"  the true values: bce {true_bce}, log Σ e^z {true_lse}")
    print(f"  nodenet's float64 bce_with_logits: {net.loss([[0.0]], [list(y)])!r}, "
          f"{exact.ulps(net.loss([[0.0]], [list(y)]), true_bce):.3g} ulps")


def main():
    try:
        saturated_sigmoid()
        logits()
    except NodenetError as err:
        sys.exit(f"walkthroughs/exact.py: {err}")


if __name__ == "__main__":
    main()
