"""Remedies for the seeds' training pitfalls, each one a small formula.

Seed 001's "Common Pitfalls" table pairs every symptom with a cure; these
are the cures, as options of ``train`` (see nodenet.training for the loop).
Write g = ∂L_batch/∂w for the gradient of one update's batch loss (the
loss's own reduction: summed for sse, averaged for mse/bce/cross_entropy).
One update, in this order (PyTorch's: backward, clip, ``optimizer.step``):

1. dropout      g from a forward/backward pass with hidden outputs a·m,
                m = 0 with probability p, else 1/(1 − p) (inverted dropout);
2. clipping     by value: g_i ← min(max(g_i, −c), c); by norm: if ‖g‖₂ > c
                (all weights and biases together), g ← g·c/‖g‖₂;
3. the optimizer's step (nodenet.optimizers), with its weight decay: L2
                g ← g + λ·w, so each update descends L_batch + λ/2·Σ w²
                (``regularized_loss`` below), added once per update, not once
                per sample, whatever the batch size;
4. the learning rate of the epoch, from a schedule (nodenet.schedules).

Steps 1–2 change nothing when off, so the plain ``train`` is the case
p = 0, c = ∞, λ = 0.

>>> clip_by_norm([[[3.0, 0.0]]], [[4.0]], 1.0)     # ‖(3, 4)‖ = 5 > 1: scale by 1/5
5.0
"""

import math

from . import validate
from .errors import NodenetError
from .optimizers import add_weight_decay, decay_rates


# -- clipping (in place on nested gradient buffers) ---------------------------

def clip_by_value(gw, gb, c):
    """Clip every entry of ``gw`` (per layer, per node, per weight) and ``gb`` to [−c, c].

    Works in place; returns how many entries were clipped.

    >>> gw, gb = [[[3.0, -0.5]]], [[-2.0]]
    >>> clip_by_value(gw, gb, 1.0), gw, gb
    (2, [[[1.0, -0.5]]], [[-1.0]])
    """
    clipped = 0
    for rows, biases in zip(gw, gb):
        for row in rows:
            for i, g in enumerate(row):
                if g > c or g < -c:
                    row[i] = c if g > c else -c
                    clipped += 1
        for j, g in enumerate(biases):
            if g > c or g < -c:
                biases[j] = c if g > c else -c
                clipped += 1
    return clipped


def gradient_norm(gw, gb):
    """‖g‖₂ over all weights and biases, scaled first so squares cannot overflow.

    >>> gradient_norm([[[3.0]]], [[4.0]])
    5.0
    """
    flat = [g for rows in gw for row in rows for g in row] + [g for b in gb for g in b]
    top = max(map(abs, flat), default=0.0)
    if top == 0.0 or not math.isfinite(top):
        return top
    return top * math.sqrt(sum((g / top) ** 2 for g in flat))


def clip_by_norm(gw, gb, c, norm=None):
    """Scale ``gw`` and ``gb`` in place by c/‖g‖ if ‖g‖ > c; return ‖g‖ before.

    Unlike PyTorch's ``clip_grad_norm_`` no 1e-6 is added to ‖g‖, so the
    clipped norm is exactly c (to rounding).
    """
    if norm is None:
        norm = gradient_norm(gw, gb)
    if norm > c:
        scale = c / norm
        for rows, biases in zip(gw, gb):
            for row in rows:
                row[:] = [g * scale for g in row]
            biases[:] = [g * scale for g in biases]
    return norm


# -- L2 regularization -------------------------------------------------------

def _check_l2(l2, bias):
    l2 = validate.number(l2, "l2")
    if l2 < 0.0:
        raise NodenetError(f"l2 must be ≥ 0, got {l2!r}")
    if not isinstance(bias, bool):
        raise NodenetError(f"bias must be True or False, got {validate.brief(bias)}")
    return l2


def l2_penalty(net, l2, bias=False):
    """λ/2·Σ w² over every weight (and every bias if ``bias``).

    >>> from nodenet import Network
    >>> net = Network.from_matrices([[[3.0, -4.0]]], [[2.0]])
    >>> l2_penalty(net, 0.1), l2_penalty(net, 0.1, bias=True)
    (1.25, 1.4500000000000002)
    """
    l2 = _check_l2(l2, bias)
    total = 0.0
    for layer in net.layers:
        for node in layer:
            total += sum(w * w for w in node.weights)
            if bias and layer.use_bias:
                total += node.bias * node.bias
    return 0.5 * l2 * total


def regularized_loss(net, X, Y, l2, bias=False):
    """The objective one L2 update descends: ``net.loss(X, Y) + l2_penalty``."""
    return net.loss(X, Y) + l2_penalty(net, l2, bias)


def regularized_gradients(net, X, Y, l2, bias=False):
    """``(dW, db)`` of ``regularized_loss`` (out_in layout): ∂L/∂w + λ·w.

    These are what one L2 training step on the batch (X, Y) descends, the
    same as PyTorch's ``.grad + weight_decay·w``; the term is the one every
    optimizer adds (``nodenet.optimizers.add_weight_decay``).
    """
    l2 = _check_l2(l2, bias)
    gw, gb = net.gradients(X, Y)
    for layer, rows, biases in zip(net.layers, gw, gb):
        rates = decay_rates(layer, l2, bias)
        n = layer.n_inputs
        for j, (node, row) in enumerate(zip(layer, rows)):
            p = node.weights + [node.bias] if layer.use_bias else node.weights
            g = add_weight_decay(row + [biases[j]] if layer.use_bias else row, p, rates)
            row[:] = g[:n]
            if layer.use_bias:
                biases[j] = g[n]
    return gw, gb


# -- dropout -------------------------------------------------------------------

def dropout_masks(net, rates):
    """One fresh mask per layer from ``net.rng``: a list per hidden layer with p > 0, else None.

    Each multiplier is 0 with probability p and 1/(1 − p) otherwise (so the
    expected output is unchanged); draws go layer by layer, node by node,
    one ``rng.random()`` each.  The output layer never gets a mask.
    """
    masks = []
    rng = net.rng
    for layer, p in zip(net.layers, rates):
        if not p:
            masks.append(None)
            continue
        keep = 1.0 / (1.0 - p)
        masks.append([0.0 if rng.random() < p else keep for _ in range(len(layer))])
    return masks


def set_masks(net, masks):
    """Put ``masks`` (one per layer, None for none) on the layers; ``None`` clears all."""
    if masks is None:
        masks = [None] * len(net.layers)
    for layer, mask in zip(net.layers, masks):
        layer.mask = mask


def dropout_rates(net, dropout):
    """``dropout`` (one rate, or one per hidden layer) as one rate per layer, 0 for the output.

    >>> from nodenet import Network
    >>> dropout_rates(Network([2, 3, 3, 1]), 0.2)
    [0.2, 0.2, 0.0]
    """
    n_hidden = len(net.layers) - 1
    rates = validate.as_sequence(dropout)
    if isinstance(rates, (list, tuple)):
        if len(rates) != n_hidden:
            raise NodenetError(
                f"dropout lists one rate per hidden layer: expected {n_hidden}, got {len(rates)}")
    elif n_hidden == 0:
        if rates != 0:
            raise NodenetError(f"dropout acts on hidden layers, and this network has none "
                               f"(got dropout={validate.brief(rates)})")
        rates = []
    else:
        rates = [rates] * n_hidden
    rates = [validate.number(p, "dropout") for p in rates]
    for p in rates:
        if not 0.0 <= p < 1.0:
            raise NodenetError(f"dropout rates must be in [0, 1), got {p!r}")
    return rates + [0.0]


# -- validation split ----------------------------------------------------------

def split_validation(X, Y, fraction, rng):
    """``(X_train, Y_train, X_val, Y_val)``: round(fraction·N) samples held out.

    The held-out indices are the first ones of a ``rng.shuffle`` of
    0 … N−1; both parts keep the original order.

    >>> import random
    >>> parts = split_validation([[0], [1], [2], [3], [4]], [[0]] * 5, 0.4, random.Random(0))
    >>> [len(p) for p in parts]
    [3, 3, 2, 2]
    """
    n = len(X)
    n_val = int(round(fraction * n))
    if not 1 <= n_val < n:
        raise NodenetError(
            f"validation={fraction!r} of {n} samples holds out {n_val}; it must leave at least "
            "one sample on each side")
    order = list(range(n))
    rng.shuffle(order)
    held = set(order[:n_val])
    keep = [s for s in range(n) if s not in held]
    held = sorted(held)
    return ([X[s] for s in keep], [Y[s] for s in keep],
            [X[s] for s in held], [Y[s] for s in held])
