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
    """The loss over the whole training set after each epoch, and what else was seen.

    A list of floats (the training loss, measured after each epoch with
    dropout off and without the L2 penalty), plus these attributes, each a
    list with one entry per epoch or empty when not recorded:

    ``val_loss``      loss on the validation data (``validation=`` or
                      ``validation_data=``);
    ``accuracy``      training accuracy, when every target is a class label
                      (0/1 for one output, one-hot for several);
    ``val_accuracy``  the same on the validation data;
    ``etas``          the learning rate used in each epoch;
    ``diagnostics``   one ``nodenet.diagnostics.EpochHealth`` per epoch
                      (``diagnostics=True``).

    ``stop_reason``: ``"epochs"`` (all epochs ran), ``"target_loss"``
    (footnote 16's stopping criterion was met) or ``"early_stopping"``
    (validation loss stopped improving for ``patience`` epochs).
    ``best_epoch``: the 1-based epoch with the lowest validation loss (or
    training loss without validation data), None before any epoch;
    ``restored``: True when the network was set back to that epoch's weights.

    >>> h = History([0.5, 0.25])
    >>> h.val_loss, h.best_epoch = [0.75, 0.5], 2
    >>> h
    History(2 epochs, loss 0.5 → 0.25, val_loss 0.75 → 0.5, best epoch 2, stopped by None)
    """

    def __init__(self, losses=()):
        super().__init__(losses)
        self.stop_reason = None
        self.val_loss = []
        self.accuracy = []
        self.val_accuracy = []
        self.etas = []
        self.diagnostics = []
        self.best_epoch = None
        self.restored = False

    @property
    def train_loss(self):
        """The per-epoch training losses as a plain list."""
        return list(self)

    def summary(self):
        """One line: how many epochs ran, why training stopped, the best epoch."""
        text = f"{len(self)} epochs, stopped by {self.stop_reason}"
        if self.best_epoch is not None:
            which = "validation" if self.val_loss else "training"
            text += f"; best {which} loss in epoch {self.best_epoch}"
            if self.restored:
                text += " (weights restored)"
        return text

    def table(self, every=1, tablefmt="simple", floatfmt=".4g"):
        """The history as a table string; see nodenet.diagnostics.history_table."""
        from .diagnostics import history_table
        return history_table(self, every, tablefmt, floatfmt)

    def health_table(self, tablefmt="simple", floatfmt=".3g"):
        """Per-epoch, per-layer mean |δ| and max |Δw| (needs ``diagnostics=True``)."""
        from .diagnostics import health_table
        return health_table(self.diagnostics, tablefmt, floatfmt)

    def __repr__(self):
        if not self:
            return "History(no epochs)"
        val = ""
        if self.val_loss:      # the plain repr stays as it always was
            val = (f", val_loss {self.val_loss[0]:.4g} → {self.val_loss[-1]:.4g}, "
                   f"best epoch {self.best_epoch}")
        return (f"History({len(self)} epochs, loss {self[0]:.4g} → {self[-1]:.4g}{val}, "
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
    """``(layer, node, name, value)`` of the first non-finite value, 1-based layer, or None.

    "First" in the order the values were computed: nets and outputs from the
    bottom layer up, then deltas from the top layer down.
    """
    layers = list(enumerate(net.layers, start=1))
    for names, order in ((("net", "output"), layers), (("delta",), layers[::-1])):
        for l, layer in order:
            for j, node in enumerate(layer):
                for name in names:
                    value = getattr(node, name)
                    if value is not None and not math.isfinite(value):
                        return l, j, name, value
    return None


def _diverged_in_loss(net, epoch, X, Y, value):
    """The error when the epoch's loss is non-finite: name the sample and node."""
    for s, (x, y) in enumerate(zip(X, Y)):
        outputs = net._feedforward(x)
        bad = first_nonfinite(net)
        if bad:
            where = f"layer {bad[0]} node {bad[1]} {bad[2]} became {bad[3]!r}"
        elif not math.isfinite(net.loss_function.sample_value(y, outputs)):
            top = len(net.layers)
            k = next((k for k in range(len(y)) if not math.isfinite(
                net.loss_function.sample_value(y[k:k + 1], outputs[k:k + 1]))), 0)
            where = (f"layer {top} node {k} output {outputs[k]!r} is so far from its target "
                     f"{y[k]!r} that the loss overflowed")
        else:
            continue
        return NodenetError(
            f"training diverged in epoch {epoch}, sample {s}: evaluating the epoch's loss, "
            f"{where}; every weight is still finite (try a smaller eta, or gradient clipping)")
    worst = max(range(len(X)), key=lambda s: net.loss_function.sample_value(
        Y[s], net._feedforward(X[s])))
    return NodenetError(
        f"training diverged in epoch {epoch}: the sum of the samples' losses overflowed to "
        f"{value!r} (largest: sample {worst}); every weight is still finite (try a smaller eta)")


def _is_zero(option):
    """True for an option left at 0 (anything else, even a bad value, goes to the general loop)."""
    return isinstance(option, numbers.Real) and not isinstance(option, bool) and option == 0


def _wants_accuracy(accuracy, Y, Yv):
    from .trainer import _wants_accuracy
    return _wants_accuracy(accuracy, Y, Yv)


def _accuracy(Y, outputs):
    from .remedies import accuracy
    return accuracy(Y, outputs)


def _diverged(epoch, sample, where):
    return NodenetError(
        f"training diverged in epoch {epoch}, sample {sample}: {where}; the network is "
        "left as it was before this update (try a smaller eta, or gradient clipping)")


def train(net, X, Y, epochs, eta, batch_size=1, momentum=0.0, shuffle=True, target_loss=None,
          callback=None, *, validation=None, validation_data=None, patience=None,
          clip_value=None, clip_norm=None, l2=0.0, l2_bias=False, dropout=0.0,
          lr_decay=None, decay_rate=None, decay_every=1, accuracy=None, diagnostics=False):
    """Train ``net`` on inputs X and targets Y; return the per-epoch History.

    The caller's X and Y are copied, never reordered or changed; shuffling
    uses ``net.rng``.  Training stops after ``epochs`` epochs, or as soon as
    the epoch's loss is ≤ ``target_loss``.  A loss, delta or weight that goes
    NaN or infinite stops training with a NodenetError naming the epoch, the
    sample and the node, before that update is applied.  ``callback(epoch,
    history)``, if given, is called after every epoch (e.g. for progress).

    Remedies and diagnostics (keyword only; formulas in nodenet.remedies):

    ``validation``       fraction of (X, Y) held out (chosen with ``net.rng``)
                         to measure ``history.val_loss``; or
    ``validation_data``  an explicit pair (Xv, Yv) instead;
    ``patience``         early stopping: stop when the validation loss has not
                         improved for this many epochs, and end with the
                         weights of the best epoch (``history.best_epoch``);
    ``clip_value``       clip each gradient entry to [−c, c];
    ``clip_norm``        scale the batch gradient down to ‖g‖₂ = c when larger;
    ``l2``, ``l2_bias``  weight decay λ: each update descends L_batch + λ/2·Σw²
                         (PyTorch's SGD weight_decay); biases only if l2_bias;
    ``dropout``          rate p (or one per hidden layer): inverted dropout on
                         hidden outputs while training, off in predict/forward;
    ``lr_decay``         ``"step"`` (η·decay_rate^⌊(epoch−1)/decay_every⌋) or
                         ``"1/t"`` (η/(1 + decay_rate·(epoch−1))), per epoch;
    ``accuracy``         None: record ``history.accuracy`` when all targets are
                         class labels (0/1, or one-hot); True/False to insist;
    ``diagnostics``      True: ``history.diagnostics`` gets per-layer mean |δ|
                         and max |Δw|, gradient norm and growth, dead nodes.

    With any of these except ``accuracy`` on, nodenet.trainer's general loop
    runs; a NodenetError it raises carries the History so far as ``.history``.
    """
    X, Y = net._check_batch(X, Y, "train")
    if (validation is not None or validation_data is not None or patience is not None
            or clip_value is not None or clip_norm is not None or not _is_zero(l2) or l2_bias
            or not _is_zero(dropout) or lr_decay is not None or decay_rate is not None
            or decay_every != 1 or diagnostics):
        from .trainer import train_general
        return train_general(
            net, X, Y, epochs, eta, batch_size, momentum, shuffle, target_loss, callback,
            validation=validation, validation_data=validation_data, accuracy=accuracy,
            diagnostics=diagnostics, patience=patience, clip_value=clip_value,
            clip_norm=clip_norm, l2=l2, l2_bias=l2_bias, dropout=dropout, lr_decay=lr_decay,
            decay_rate=decay_rate, decay_every=decay_every)
    n = len(X)
    epochs, eta, batch_size, momentum, target_loss = _check_options(
        n, epochs, eta, batch_size, momentum, shuffle, target_loss)
    if callback is not None and not callable(callback):
        raise NodenetError(f"callback must be callable(epoch, history), got {type(callback).__name__}")
    loss = net.loss_function
    layers = net.layers
    acc_w, acc_b = net.zero_like()
    vel_w, vel_b = net.zero_like() if momentum else (None, None)
    zero_rows = [[0.0] * layer.n_inputs for layer in layers]
    order = list(range(n))
    history = History()
    classes = _wants_accuracy(accuracy, Y, None)
    # online learning without momentum: one fused step per sample, the numbers
    # of the accumulate-and-apply loop below (see Network._fused_step)
    online = batch_size == 1 and not momentum and all(layer.mask is None for layer in layers)
    for epoch in range(1, epochs + 1):
        history.etas.append(eta)
        if shuffle:
            net.rng.shuffle(order)
        for s in (order if online else ()):
            where = net._fused_step(X[s], Y[s], eta)[1]
            if where is not None:
                raise _diverged(epoch, s, where)
        for start in (range(0, n, batch_size) if not online else ()):
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
            raise _diverged_in_loss(net, epoch, X, Y, value)
        history.append(value)
        if classes:
            history.accuracy.append(_accuracy(Y, outputs))
        if history.best_epoch is None or value < history[history.best_epoch - 1]:
            history.best_epoch = epoch
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
