"""Training: online, mini-batch and full-batch gradient descent with momentum.

One update adds Δw = η·Σ_batch scale·δ·a (+ momentum·previous Δw), where
scale is 1 for the summed losses (sse, half_sse) and 1/B for the averaged
ones, so the update is always −η·∂L_batch/∂w.  ``batch_size=1`` is the
handout's online rule, one update per example, bit for bit the same as
``net.step(x, y, eta)``; ``batch_size=len(X)`` is seed 001's full batch.
"""

import math
import numbers

from . import validate
from .errors import NodenetError


class History(list):
    """The loss over the whole training set after each epoch.

    A list of floats, plus ``stop_reason``: ``"epochs"`` (all epochs ran)
    or ``"target_loss"`` (footnote 16's stopping criterion was met).
    """

    def __init__(self, losses=()):
        super().__init__(losses)
        self.stop_reason = None

    def __repr__(self):
        if not self:
            return "History(no epochs)"
        return (f"History({len(self)} epochs, loss {self[0]:.4g} → {self[-1]:.4g}, "
                f"stopped by {self.stop_reason})")


def _check_options(n, epochs, eta, batch_size, momentum, shuffle, target_loss):
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
        raise NodenetError(f"epochs must be a whole number ≥ 0, got {epochs!r}")
    eta = validate.number(eta, "eta")
    if eta <= 0.0:
        raise NodenetError(f"eta must be > 0 to train, got {eta!r}")
    batch_size = validate.positive_int(batch_size, "batch_size")
    if batch_size > n:
        raise NodenetError(f"batch_size must be at most the number of samples ({n}), got {batch_size}")
    momentum = validate.number(momentum, "momentum")
    if not 0.0 <= momentum < 1.0:
        raise NodenetError(f"momentum must be in [0, 1), got {momentum!r}")
    if not isinstance(shuffle, bool):
        raise NodenetError(f"shuffle must be True or False, got {shuffle!r}")
    if target_loss is not None:
        target_loss = validate.number(target_loss, "target_loss")
        if target_loss < 0.0:
            raise NodenetError(f"target_loss must be ≥ 0, got {target_loss!r}")
    return int(epochs), eta, batch_size, momentum, target_loss


def first_nonfinite(net):
    """``(layer, node, name, value)`` of the first non-finite value, 1-based layer, or None."""
    for l, layer in enumerate(net.layers, start=1):
        for j, node in enumerate(layer):
            for name in ("net", "output", "delta"):
                value = getattr(node, name)
                if value is not None and not math.isfinite(value):
                    return l, j, name, value
    return None


def _diverged(epoch, sample, where):
    return NodenetError(
        f"training diverged in epoch {epoch}, sample {sample}: {where}; the network is "
        "left as it was before this update (try a smaller eta, or gradient clipping)")


def train(net, X, Y, epochs, eta, batch_size=1, momentum=0.0, shuffle=True, target_loss=None,
          callback=None):
    """Train ``net`` on inputs X and targets Y; return the per-epoch History.

    The caller's X and Y are copied, never reordered or changed; shuffling
    uses ``net.rng``.  Training stops after ``epochs`` epochs, or as soon as
    the epoch's loss is ≤ ``target_loss``.  A loss, delta or weight that goes
    NaN or infinite stops training with a NodenetError naming the epoch, the
    sample and the node, before that update is applied.  ``callback(epoch,
    history)``, if given, is called after every epoch (e.g. for progress).
    """
    X, Y = net._check_batch(X, Y, "train")
    n = len(X)
    epochs, eta, batch_size, momentum, target_loss = _check_options(
        n, epochs, eta, batch_size, momentum, shuffle, target_loss)
    loss = net.loss_function
    layers = net.layers
    acc_w, acc_b = net.zero_like()
    vel_w, vel_b = net.zero_like() if momentum else (None, None)
    zero_rows = [[0.0] * layer.n_inputs for layer in layers]
    order = list(range(n))
    history = History()
    for epoch in range(1, epochs + 1):
        if shuffle:
            net.rng.shuffle(order)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            for l, layer in enumerate(layers):
                for row in acc_w[l]:
                    row[:] = zero_rows[l]
                acc_b[l][:] = [0.0] * len(layer)
            factor = eta * loss.sample_scale(len(batch))
            for s in batch:
                net._feedforward(X[s])
                net._backprop(Y[s])
                check = sum(node.delta for layer in layers for node in layer)
                if not math.isfinite(check + sum(layers[-1].outputs)):
                    bad = first_nonfinite(net)
                    where = (f"layer {bad[0]} node {bad[1]} {bad[2]} became {bad[3]!r}"
                             if bad else "a delta overflowed")
                    raise _diverged(epoch, s, where)
                net._accumulate(acc_w, acc_b, factor)
            _apply(net, acc_w, acc_b, vel_w, vel_b, momentum, epoch, batch[-1])
        outputs = [list(net._feedforward(x)) for x in X]
        value = loss.value(Y, outputs)
        if not math.isfinite(value):
            raise NodenetError(f"training diverged in epoch {epoch}: the loss became {value!r}")
        history.append(value)
        if callback is not None:
            callback(epoch, history)
        if target_loss is not None and value <= target_loss:
            history.stop_reason = "target_loss"
            return history
    history.stop_reason = "epochs"
    return history


def _apply(net, acc_w, acc_b, vel_w, vel_b, momentum, epoch, sample):
    """Add the batch's changes (with momentum) to the weights, all or nothing."""
    if momentum:
        for vl, al, vbl, abl in zip(vel_w, acc_w, vel_b, acc_b):
            for v, a in zip(vl, al):
                v[:] = [momentum * vi + ai for vi, ai in zip(v, a)]
            vbl[:] = [momentum * vi + ai for vi, ai in zip(vbl, abl)]
        change_w, change_b = vel_w, vel_b
    else:
        change_w, change_b = acc_w, acc_b
    # check first, so a non-finite result never reaches the weights
    for l, layer in enumerate(net.layers):
        for j, node in enumerate(layer):
            row = change_w[l][j]
            if not math.isfinite(sum(row) + sum(node.weights) + change_b[l][j] + node.bias):
                for i, (w, c) in enumerate(zip(node.weights, row)):
                    if not math.isfinite(w + c):
                        raise _diverged(epoch, sample, f"layer {l + 1} node {j} weight {i} would become {w + c!r}")
                if not math.isfinite(node.bias + change_b[l][j]):
                    raise _diverged(epoch, sample, f"layer {l + 1} node {j} bias would become non-finite")
    for l, layer in enumerate(net.layers):
        use_bias = layer.use_bias
        for j, node in enumerate(layer):
            w, row = node.weights, change_w[l][j]
            for i, c in enumerate(row):
                w[i] += c
            if use_bias:
                node.bias += change_b[l][j]
