"""An independent float64 NumPy MLP for the oracle tests (not a test module).

Written from the formulas, not from nodenet: samples are rows, weights are
out_in (Z = A·Wᵀ + b), and the backward pass carries G = ∂L/∂(·) (the
gradient sign, not nodenet's δ) through the plain chain rule, with no fused
output forms.  ``broken=`` switches on one deliberate bug at a time.
"""

import pytest

# a skip, not an error, where NumPy is missing (PyPy): the tests importing this skip too
np = pytest.importorskip("numpy")

EPS = 1e-12
ALPHA = 0.01


def act_forward(name, z):
    if name == "step":
        return (z >= 0.0).astype(float)
    if name == "identity":
        return z.copy()
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0.0, z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0.0, z, ALPHA * z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(name)


def act_backward(name, g, z, a):
    """∂L/∂z from g = ∂L/∂a."""
    if name == "step":
        return np.zeros_like(g)
    if name == "identity":
        return g
    if name == "sigmoid":
        return g * a * (1.0 - a)
    if name == "tanh":
        return g * (1.0 - a * a)
    if name == "relu":
        return g * (z > 0.0)
    if name == "leaky_relu":
        return g * np.where(z > 0.0, 1.0, ALPHA)
    if name == "softmax":                       # Jacobian-vector product, row by row
        return a * (g - (g * a).sum(axis=1, keepdims=True))
    raise ValueError(name)


def loss_and_grad(name, Y, A):
    """The batch loss and ∂L/∂A."""
    n, k = Y.shape
    if name == "sse":
        return ((Y - A) ** 2).sum(), -2.0 * (Y - A)
    if name == "half_sse":
        return 0.5 * ((Y - A) ** 2).sum(), -(Y - A)
    if name == "mse":
        return ((Y - A) ** 2).sum() / (n * k), -2.0 * (Y - A) / (n * k)
    if name == "bce":
        P = np.clip(A, EPS, 1.0 - EPS)
        loss = -(Y * np.log(P) + (1.0 - Y) * np.log(1.0 - P)).sum() / (n * k)
        return loss, -(Y - P) / (P * (1.0 - P)) / (n * k)
    if name == "cross_entropy":
        P = np.clip(A, EPS, 1.0 - EPS)
        return -(Y * np.log(P)).sum() / n, -Y / P / n
    raise ValueError(name)


def forward(X, Ws, bs, acts, broken=None):
    """Lists of Z and A per layer (layer 1 first)."""
    Zs, As, a = [], [], X
    for l, (W, b, act) in enumerate(zip(Ws, bs, acts), start=1):
        z = a @ W.T + b
        if broken == ("no_bias_forward", l):
            z = a @ W.T
        if broken == ("relu_instead", l):
            a = act_forward("relu", z)
        else:
            a = act_forward(act, z)
        Zs.append(z)
        As.append(a)
    return Zs, As


def backward(X, Y, Ws, bs, acts, loss, broken=None):
    """(loss, dWs, dbs) of the batch, out_in.  ``broken`` = (kind, layer) or a kind."""
    Zs, As = forward(X, Ws, bs, acts)
    L = len(Ws)
    value, g = loss_and_grad(loss, Y, As[-1])
    n = len(X)
    if broken == "sign":
        g = -g                                   # (y − ŷ) where ŷ − y belongs
    if broken == "no_mean":
        g = g * n                                # forgot the 1/N of a mean loss
    if broken == "extra_mean":
        g = g / n                                # divided a summed loss by N
    dWs, dbs = [None] * L, [None] * L
    for l in range(L, 0, -1):
        z, a = Zs[l - 1], As[l - 1]
        act = acts[l - 1]
        if broken == ("derivative_of_z", l) and act == "sigmoid":
            dz = g * z * (1.0 - z)               # seed 001: sigmoid_derivative(z)
        elif broken == ("derivative_of_z", l) and act == "tanh":
            dz = g * (1.0 - z * z)
        elif broken == ("skip_derivative", l):
            dz = g                               # forgot f'(z) in a hidden layer
        else:
            dz = act_backward(act, g, z, a)
        below = X if l == 1 else As[l - 2]
        dWs[l - 1] = dz.T @ below
        dbs[l - 1] = dz.sum(axis=0)
        if broken == ("no_bias_grad", l) or broken == "no_bias_grad":
            dbs[l - 1] = np.zeros_like(dbs[l - 1])
        if broken == ("sign", l):
            dWs[l - 1] = -dWs[l - 1]
        g = dz @ Ws[l - 1]
    return value, dWs, dbs


def random_problem(rng, sizes, loss, n=4):
    """Weights, biases, inputs and loss-appropriate targets."""
    Ws = [rng.normal(scale=0.8, size=(m, k)) for k, m in zip(sizes, sizes[1:])]
    bs = [rng.normal(scale=0.5, size=m) for m in sizes[1:]]
    X = rng.normal(size=(n, sizes[0]))
    k = sizes[-1]
    if loss == "bce":
        Y = rng.uniform(size=(n, k))
    elif loss == "cross_entropy":
        P = rng.uniform(size=(n, k))
        Y = P / P.sum(axis=1, keepdims=True)
        Y[0] = 0.0
        Y[0, rng.integers(k)] = 1.0              # one one-hot row as well
    else:
        Y = rng.normal(size=(n, k))
    return Ws, bs, X, Y
