"""An independent vectorized MLP for the oracle tests (not a test module).

Written from the formulas, not from nodenet: samples are rows, weights are
out_in (Z = A·Wᵀ + b), and the backward pass carries G = ∂L/∂(·) (the
gradient sign, not nodenet's δ) through the plain chain rule, with no fused
output forms.  ``broken=`` switches on one deliberate bug at a time.

The arrays may be NumPy, torch or JAX arrays, of any float dtype: the code
computes with the library and the precision of the arrays it is given (so
the same bugs run as float32 NumPy, torch and JAX clients).
"""

import pytest

# a skip, not an error, where NumPy is missing (PyPy): the tests importing this skip too
np = pytest.importorskip("numpy")

EPS = 1e-12
ALPHA = 0.01


def xp_of(a):
    """The array library of ``a``: numpy, torch or jax.numpy."""
    module = type(a).__module__
    if module.startswith("torch"):
        import torch
        return torch
    if module.startswith("jax"):
        import jax.numpy
        return jax.numpy
    return np


def as_float(b, like):
    """A boolean array as numbers of ``like``'s dtype."""
    return b.to(like.dtype) if hasattr(b, "to") and not hasattr(b, "astype") \
        else b.astype(like.dtype)


def act_forward(name, z):
    xp = xp_of(z)
    if name == "step":
        return as_float(z >= 0.0, z)
    if name == "identity":
        return z * 1.0
    if name == "sigmoid":
        return 1.0 / (1.0 + xp.exp(-z))
    if name == "tanh":
        return xp.tanh(z)
    if name == "relu":
        return xp.where(z > 0.0, z, 0.0)
    if name == "leaky_relu":
        return xp.where(z > 0.0, z, ALPHA * z)
    if name == "softmax":
        e = xp.exp(z - xp.amax(z, axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(name)


def act_backward(name, g, z, a):
    """∂L/∂z from g = ∂L/∂a."""
    xp = xp_of(z)
    if name == "step":
        return xp.zeros_like(g)
    if name == "identity":
        return g
    if name == "sigmoid":
        return g * a * (1.0 - a)
    if name == "tanh":
        return g * (1.0 - a * a)
    if name == "relu":
        return g * as_float(z > 0.0, z)
    if name == "leaky_relu":
        return g * xp.where(z > 0.0, 1.0, ALPHA)
    if name == "softmax":                       # Jacobian-vector product, row by row
        return a * (g - (g * a).sum(axis=1, keepdims=True))
    raise ValueError(name)


def loss_and_grad(name, Y, A):
    """The batch loss and ∂L/∂A."""
    xp = xp_of(A)
    n, k = Y.shape
    if name == "sse":
        return ((Y - A) ** 2).sum(), -2.0 * (Y - A)
    if name == "half_sse":
        return 0.5 * ((Y - A) ** 2).sum(), -(Y - A)
    if name == "mse":
        return ((Y - A) ** 2).sum() / (n * k), -2.0 * (Y - A) / (n * k)
    if name == "bce":
        P = xp.clip(A, EPS, 1.0 - EPS)
        loss = -(Y * xp.log(P) + (1.0 - Y) * xp.log(1.0 - P)).sum() / (n * k)
        return loss, -(Y - P) / (P * (1.0 - P)) / (n * k)
    if name == "cross_entropy":
        P = xp.clip(A, EPS, 1.0 - EPS)
        return -(Y * xp.log(P)).sum() / n, -Y / P / n
    raise ValueError(name)


def forward(X, Ws, bs, acts, broken=None, masks=None):
    """Lists of Z and A per layer (layer 1 first); ``masks``: per layer None or an N×n
    dropout mask, applied to the layer's outputs (A holds a·m)."""
    Zs, As, a = [], [], X
    for l, (W, b, act) in enumerate(zip(Ws, bs, acts), start=1):
        z = a @ W.T + b
        if broken == ("no_bias_forward", l):
            z = a @ W.T
        if broken == ("relu_instead", l):
            a = act_forward("relu", z)
        elif broken == ("softmax_axis0", l):             # normalized over the samples
            xp = xp_of(z)
            e = xp.exp(z - xp.amax(z, axis=0, keepdims=True))
            a = e / e.sum(axis=0, keepdims=True)
        else:
            a = act_forward(act, z)
        if masks is not None and masks[l - 1] is not None:
            a = a * masks[l - 1]
        Zs.append(z)
        As.append(a)
    return Zs, As


def backward(X, Y, Ws, bs, acts, loss, broken=None, masks=None):
    """(loss, dWs, dbs) of the batch, out_in.  ``broken`` = (kind, layer) or a kind."""
    Zs, As = forward(X, Ws, bs, acts, broken, masks)
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
        mask = None if masks is None else masks[l - 1]
        if mask is not None:
            a = act_forward(act, z)              # the outputs before the mask, for f′
            if broken != ("no_mask_backward", l):
                g = g * mask                     # ∂(a·m)/∂a = m
        of_z = broken in (("derivative_of_z", l), "derivative_of_z")     # one layer, or all
        if of_z and act == "sigmoid":
            dz = g * z * (1.0 - z)               # seed 001: sigmoid_derivative(z)
        elif of_z and act == "tanh":
            dz = g * (1.0 - z * z)
        elif broken == ("skip_derivative", l):
            dz = g                               # forgot f'(z) in a hidden layer
        elif broken == ("wrong_layer_derivative", l):
            dz = act_backward(act, g, Zs[l], As[l])      # the layer above's z and a
        elif broken == ("fused", l):
            dz = (a - Y) / n                     # softmax + CE's shortcut, whatever the loss
        else:
            dz = act_backward(act, g, z, a)
        below = X if l == 1 else As[l - 2]
        dWs[l - 1] = dz.T @ below
        dbs[l - 1] = dz.sum(axis=0)
        if broken == ("dW_transposed", l):
            dWs[l - 1] = dWs[l - 1].T
        if broken == ("db_not_summed", l):
            dbs[l - 1] = dz                      # one row per sample
        if broken == ("db_averaged", l) or broken == "db_averaged":
            dbs[l - 1] = dz.mean(axis=0)         # the loss's 1/N is already in dz
        if broken == ("no_bias_grad", l) or broken == "no_bias_grad":
            dbs[l - 1] = xp_of(dz).zeros_like(dbs[l - 1])
        if broken == ("sign", l):
            dWs[l - 1] = -dWs[l - 1]
        g = dz @ Ws[l - 1]
        if broken == ("transposed_backprop", l):
            g = dz @ Ws[l - 1].T                 # in X·W terms: dZ @ W where dZ @ W.T belongs
    return value, dWs, dbs


def random_problem(rng, sizes, loss, n=4, dtype=np.float64):
    """Weights, biases, inputs and loss-appropriate targets, as arrays of ``dtype``."""
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
    return ([W.astype(dtype) for W in Ws], [b.astype(dtype) for b in bs], X.astype(dtype),
            Y.astype(dtype))


def dropout_masks(rng, sizes, n, p=0.5, dtype=np.float64):
    """One inverted-dropout mask per hidden layer (0 or 1/(1 − p)), None for the output."""
    masks = [(rng.uniform(size=(n, m)) >= p).astype(dtype) / dtype(1.0 - p)
             for m in sizes[1:-1]]
    return masks + [None]
