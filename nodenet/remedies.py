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
3. L2           g ← g + λ·w for weights (and biases only if ``l2_bias``):
                each update minimizes L_batch + λ/2·Σ w², exactly PyTorch's
                ``SGD(weight_decay=λ)``; it is added once per update, not
                once per sample, whatever the batch size;
4. momentum     v ← μ·v + η_t·(−g) and w ← w + v (the handout's footnote 15);
5. decay        η_t per epoch: step η·γ^⌊(t−1)/k⌋, or 1/t η/(1 + γ·(t−1)).

Steps 1–4 change nothing when off, so the plain ``train`` is the case
p = 0, c = ∞, λ = 0.

>>> clip_by_norm([[[3.0, 0.0]]], [[4.0]], 1.0)     # ‖(3, 4)‖ = 5 > 1: scale by 1/5
5.0
"""

import math

from . import validate
from .errors import NodenetError

LR_DECAYS = ("step", "1/t")


# -- learning-rate decay ------------------------------------------------------

def learning_rate(eta, epoch, lr_decay=None, decay_rate=None, decay_every=1):
    """η for a 1-based ``epoch`` under ``lr_decay`` ``None``, ``"step"`` or ``"1/t"``.

    ``"step"``: η·γ^⌊(epoch − 1)/k⌋ with γ = ``decay_rate``, k = ``decay_every``
    (PyTorch's StepLR); ``"1/t"``: η/(1 + γ·(epoch − 1)).

    >>> [learning_rate(0.4, t, "step", 0.5, 2) for t in (1, 2, 3, 4, 5)]
    [0.4, 0.4, 0.2, 0.2, 0.1]
    >>> learning_rate(1.0, 5, "1/t", 0.25)            # 1/(1 + 0.25·4)
    0.5
    """
    if lr_decay is None:
        return eta
    if lr_decay == "step":
        return eta * decay_rate ** ((epoch - 1) // decay_every)
    return eta / (1.0 + decay_rate * (epoch - 1))


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

def l2_penalty(net, l2, bias=False):
    """λ/2·Σ w² over every weight (and every bias if ``bias``).

    >>> from nodenet import Network
    >>> net = Network.from_matrices([[[3.0, -4.0]]], [[2.0]])
    >>> l2_penalty(net, 0.1), l2_penalty(net, 0.1, bias=True)
    (1.25, 1.4500000000000002)
    """
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

    These are what one L2 training step on the batch (X, Y) descends,
    the same as PyTorch's ``.grad + weight_decay·w``.
    """
    gw, gb = net.gradients(X, Y)
    for layer, rows, biases in zip(net.layers, gw, gb):
        for node, row, j in zip(layer, rows, range(len(layer))):
            row[:] = [g + l2 * w for g, w in zip(row, node.weights)]
            if bias and layer.use_bias:
                biases[j] += l2 * node.bias
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


# -- checking the options ------------------------------------------------------

def _positive(value, what, allow_none=True):
    if value is None and allow_none:
        return None
    value = validate.number(value, what)
    if value <= 0.0:
        raise NodenetError(f"{what} must be > 0, got {value!r}")
    return value


def check_options(net, clip_value=None, clip_norm=None, l2=0.0, l2_bias=False, dropout=0.0,
                  lr_decay=None, decay_rate=None, decay_every=1, patience=None):
    """Validate the remedy options of ``train``; return them normalized as a dict.

    ``dropout`` becomes a list of rates, one per layer (0 for the output).
    """
    clip_value = _positive(clip_value, "clip_value")
    clip_norm = _positive(clip_norm, "clip_norm")
    l2 = validate.number(l2, "l2")
    if l2 < 0.0:
        raise NodenetError(f"l2 must be ≥ 0, got {l2!r}")
    if not isinstance(l2_bias, bool):
        raise NodenetError(f"l2_bias must be True or False, got {l2_bias!r}")
    n_hidden = len(net.layers) - 1
    rates = validate.as_sequence(dropout)
    if isinstance(rates, (list, tuple)):
        if len(rates) != n_hidden:
            raise NodenetError(
                f"dropout lists one rate per hidden layer: expected {n_hidden}, got {len(rates)}")
    elif n_hidden == 0:
        if rates != 0:
            raise NodenetError(f"dropout acts on hidden layers, and this network has none "
                               f"(got dropout={rates!r})")
        rates = []
    else:
        rates = [rates] * n_hidden
    rates = [validate.number(p, "dropout") for p in rates]
    for p in rates:
        if not 0.0 <= p < 1.0:
            raise NodenetError(f"dropout rates must be in [0, 1), got {p!r}")
    if lr_decay not in (None,) + LR_DECAYS:
        raise NodenetError(f"lr_decay must be None, 'step' or '1/t', got {lr_decay!r}")
    if lr_decay is not None:
        if decay_rate is None:
            raise NodenetError(f"lr_decay={lr_decay!r} needs a decay_rate")
        decay_rate = validate.number(decay_rate, "decay_rate")
        if lr_decay == "step" and not 0.0 < decay_rate <= 1.0:
            raise NodenetError(f"step decay multiplies η by decay_rate, which must be in (0, 1], "
                               f"got {decay_rate!r}")
        if lr_decay == "1/t" and decay_rate < 0.0:
            raise NodenetError(f"1/t decay needs decay_rate ≥ 0, got {decay_rate!r}")
    elif decay_rate is not None:
        raise NodenetError("decay_rate was given without lr_decay ('step' or '1/t')")
    decay_every = validate.positive_int(decay_every, "decay_every")
    if patience is not None:
        patience = validate.positive_int(patience, "patience")
    return dict(clip_value=clip_value, clip_norm=clip_norm, l2=l2, l2_bias=l2_bias,
                dropout=rates + [0.0], lr_decay=lr_decay, decay_rate=decay_rate,
                decay_every=decay_every, patience=patience)


def is_classes(Y):
    """True if every target is a class label: 0/1 for one output, one-hot for several."""
    for y in Y:
        if len(y) == 1:
            if y[0] not in (0.0, 1.0):
                return False
        elif sorted(y)[-1] != 1.0 or sum(y) != 1.0 or any(t not in (0.0, 1.0) for t in y):
            return False
    return True


def accuracy(Y, outputs):
    """Fraction of samples classified right (≥ 0.5 for one output, argmax for several).

    >>> accuracy([[1.0], [0.0], [1.0]], [[0.9], [0.7], [0.5]])
    0.6666666666666666
    """
    right = 0
    for y, out in zip(Y, outputs):
        if len(out) == 1:
            right += (out[0] >= 0.5) == (y[0] == 1.0)
        else:
            right += max(range(len(out)), key=out.__getitem__) == y.index(1.0)
    return right / len(Y)
