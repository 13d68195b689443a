"""nodenet as a test oracle for a vectorized NumPy network (seed 001).

Seed 001 ("How to Build a Neural Network from Scratch in Python") trains an
XOR network with NumPy and, in "Implementing Backpropagation Step-by-Step",
gives this ``backward_pass``::

    dL_da2 = a2 - y
    da2_dz2 = sigmoid_derivative(z2)
    ...
    da1_dz1 = sigmoid_derivative(z1)

while its ``sigmoid_derivative(x)`` is ``x * (1 - x)``, the derivative
written in terms of the *activation* a = σ(z).  Fed the pre-activations z,
it returns z·(1 − z), which is not σ'(z).  This walkthrough:

1. checks a small vectorized NumPy MLP (tanh hidden layer, sigmoid output,
   biases, mean squared error) against nodenet: forward pass and gradients
   agree;
2. runs seed 001's ``backward_pass`` as written: the oracle reports the
   mismatch from layer 2 (the output layer) down and names the bug — it
   recomputes the gradients with σ′ fed z in both layers and finds the
   seed's numbers;
3. runs the corrected version (``sigmoid_derivative(a2)``, ``(a1)``): it passes;
4. shows nodenet's own gradients against finite differences.

Needs NumPy (``pip install nodenet[examples]``).  Run
``python walkthroughs/oracle_numpy.py``.
"""

try:
    import numpy as np
except ImportError:
    raise SystemExit("oracle_numpy.py needs NumPy: pip install 'nodenet[examples]'") from None

from nodenet import Network
from nodenet.oracle import (assert_forward_match, assert_gradients_match,
                            compare_gradients, gradcheck)


# -- 1. a small vectorized MLP: samples are rows, weights in_out (X·W) --------

def mlp_forward(X, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    a1 = np.tanh(z1)
    z2 = a1 @ W2 + b2
    a2 = 1.0 / (1.0 + np.exp(-z2))
    return z1, a1, z2, a2


def mlp_backward(X, Y, W2, z1, a1, z2, a2):
    """Gradients of mse = mean over samples and outputs of (y − ŷ)²."""
    n, k = Y.shape
    dz2 = 2.0 * (a2 - Y) / (n * k) * a2 * (1.0 - a2)
    dz1 = (dz2 @ W2.T) * (1.0 - a1 ** 2)
    return [X.T @ dz1, a1.T @ dz2], [dz1.sum(axis=0), dz2.sum(axis=0)]


def check_mlp():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(5, 3))
    Y = rng.uniform(size=(5, 2))
    W1, b1 = rng.normal(size=(3, 4)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(4, 2)), rng.normal(size=2)
    net = Network.from_matrices([W1, W2], [b1, b2], ["tanh", "sigmoid"], loss="mse",
                                layout="in_out")
    z1, a1, z2, a2 = mlp_forward(X, W1, b1, W2, b2)
    assert_forward_match(net, X, [a1, a2], [z1, z2])
    dW, db = mlp_backward(X, Y, W2, z1, a1, z2, a2)
    report = assert_gradients_match(net, X, Y, dW, db, layout="in_out")
    print("1. A vectorized NumPy MLP, 3-4-2, tanh → sigmoid, mse, 5 samples:")
    print(report)


# -- 2. seed 001's XOR network and its backward_pass, as written --------------

def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(x):          # seed 001: expects the activation σ(z)
    return x * (1 - x)


def forward_pass(X, W1, W2):
    z1 = X.dot(W1)
    a1 = sigmoid(z1)
    z2 = a1.dot(W2)
    a2 = sigmoid(z2)
    return z1, a1, z2, a2           # the seed returns a2 only; the rest is kept here


def backward_pass_as_written(X, y, z1, a1, z2, a2, W2):
    dL_da2 = a2 - y
    da2_dz2 = sigmoid_derivative(z2)          # z2: the pre-activation
    dL_dW2 = a1.T.dot(dL_da2 * da2_dz2)
    dL_da1 = (dL_da2 * da2_dz2).dot(W2.T)
    da1_dz1 = sigmoid_derivative(z1)          # z1: the pre-activation
    dL_dW1 = X.T.dot(dL_da1 * da1_dz1)
    return dL_dW1, dL_dW2


def backward_pass_corrected(X, y, z1, a1, z2, a2, W2):
    dL_da2 = a2 - y
    da2_dz2 = sigmoid_derivative(a2)          # σ'(z2) = a2·(1 − a2)
    dL_dW2 = a1.T.dot(dL_da2 * da2_dz2)
    dL_da1 = (dL_da2 * da2_dz2).dot(W2.T)
    da1_dz1 = sigmoid_derivative(a1)          # σ'(z1) = a1·(1 − a1)
    dL_dW1 = X.T.dot(dL_da1 * da1_dz1)
    return dL_dW1, dL_dW2


def xor_network():
    """Seed 001's XOR data and weights: 2-2-1, sigmoid, no biases, ½·Σ(y − ŷ)²."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    rs = np.random.RandomState(42)      # the stream of the seed's np.random.seed(42)
    W1 = rs.uniform(size=(2, 2))
    W2 = rs.uniform(size=(2, 1))
    # compute_loss is (1/2)·Σ(y − ŷ)², summed over samples: nodenet's half_sse.
    net = Network.from_matrices([W1, W2], activations="sigmoid", loss="half_sse",
                                layout="in_out", bias=False)
    return net, X, y, W1, W2


def check_seed001():
    net, X, y, W1, W2 = xor_network()
    z1, a1, z2, a2 = forward_pass(X, W1, W2)
    assert_forward_match(net, X, [a1, a2], [z1, z2])     # the forward pass is right
    dW = backward_pass_as_written(X, y, z1, a1, z2, a2, W2)
    report = compare_gradients(net, X, y, dW, layout="in_out")   # no biases: db=None
    print("\n2. Seed 001's backward_pass as written (sigmoid_derivative(z2), (z1)):")
    print(report)
    dW = backward_pass_corrected(X, y, z1, a1, z2, a2, W2)
    report = assert_gradients_match(net, X, y, dW, layout="in_out")
    print("\n3. Corrected (sigmoid_derivative(a2), (a1)):")
    print(report)
    print("\n4. And the oracle itself, against central differences:")
    print(gradcheck(net, X, y))


def main():
    check_mlp()
    check_seed001()


if __name__ == "__main__":
    main()
