"""Training: online, mini-batch and full-batch gradient descent, and the remedies.

One update adds Δw = η·Σ_batch scale·δ·a (+ momentum·previous Δw), where
scale is 1 for the summed losses (sse, half_sse) and 1/B for the averaged
ones, so the update is always −η·∂L_batch/∂w.  ``batch_size=1`` is the
handout's online rule, one update per example, bit for bit the same as
``net.step(x, y, eta)``; ``batch_size=len(X)`` is seed 001's full batch.

The remedies (clipping, L2, dropout, early stopping, learning-rate decay)
act on each batch's change in PyTorch's order; their formulas are in
nodenet.remedies.  Random draws, all from ``net.rng`` in this order: the
validation split (once), then per epoch the shuffle, then per training
sample one draw per hidden node with a dropout rate (layer by layer, node
by node).
"""

import math
import numbers

from . import remedies, validate
from .diagnostics import EpochHealth, LayerHealth
from .errors import NodenetError
from .faults import describe, diverged, diverged_in_loss, first_nonfinite
from .history import History
from .remedies import gradient_norm, learning_rate, set_masks

__all__ = ["train", "History", "first_nonfinite"]


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


def _split(net, X, Y, validation, validation_data):
    """The training part and the validation part (None, None when there is none)."""
    if validation is not None and validation_data is not None:
        raise NodenetError("give validation (a fraction) or validation_data (Xv, Yv), not both")
    if validation is not None:
        fraction = validate.number(validation, "validation")
        if not 0.0 < fraction < 1.0:
            raise NodenetError(f"validation is the fraction held out, in (0, 1); got {fraction!r}")
        return remedies.split_validation(X, Y, fraction, net.rng)
    if validation_data is not None:
        pair = validate.as_sequence(validation_data)
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise NodenetError(f"validation_data must be a pair (Xv, Yv), got {pair!r:.60}")
        Xv, Yv = net.check_batch(pair[0], pair[1], "validation_data")
        return X, Y, Xv, Yv
    return X, Y, None, None


def _wants_accuracy(accuracy, Y, Yv):
    if accuracy is None:
        return remedies.is_classes(Y) and (Yv is None or remedies.is_classes(Yv))
    if not isinstance(accuracy, bool):
        raise NodenetError(f"accuracy must be True, False or None (auto), got {accuracy!r}")
    if accuracy and not (remedies.is_classes(Y) and (Yv is None or remedies.is_classes(Yv))):
        raise NodenetError("accuracy=True needs class targets: 0 or 1 for one output, "
                           "one-hot rows for several")
    return accuracy


def _evaluate(net, X, alive=None):
    """Outputs for every input with masks off; marks nodes with a non-zero output in ``alive``."""
    outputs = []
    for x in X:
        outputs.append(list(net.feedforward(x)))
        if alive is not None:
            for flags, layer in zip(alive, net.layers):
                for j, node in enumerate(layer):
                    if node.output != 0.0:
                        flags[j] = True
    return outputs


def _check_gradient(acc_w, acc_b, epoch, sample):
    """Raise, naming the first non-finite entry, if a summed gradient overflowed."""
    for l, (rows, biases) in enumerate(zip(acc_w, acc_b), start=1):
        for j, row in enumerate(rows):
            for i, g in enumerate(row):
                if not math.isfinite(g):
                    raise diverged(epoch, sample, f"layer {l} node {j} weight {i} gradient became {g!r}")
            if not math.isfinite(biases[j]):
                raise diverged(epoch, sample, f"layer {l} node {j} bias gradient became {biases[j]!r}")


def train(net, X, Y, epochs, eta, batch_size=1, momentum=0.0, shuffle=True, target_loss=None,
          callback=None, *, validation=None, validation_data=None, patience=None,
          clip_value=None, clip_norm=None, l2=0.0, l2_bias=False, dropout=0.0,
          lr_decay=None, decay_rate=None, decay_every=1, accuracy=None, diagnostics=False):
    """Train ``net`` on inputs X and targets Y; return the per-epoch History.

    The caller's X and Y are copied, never reordered or changed; shuffling
    uses ``net.rng``.  Training stops after ``epochs`` epochs, or as soon as
    the epoch's loss is ≤ ``target_loss``.  A delta or weight that goes NaN
    or infinite stops training with a NodenetError naming the epoch, the
    sample and the node, before that update is applied; an epoch whose loss
    comes out non-finite is undone as a whole.  A refused call changes
    nothing, not even ``net.rng``.  ``callback(epoch, history)``, if given,
    is called after every epoch (e.g. for progress).

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

    A NodenetError raised during training carries the History so far as
    ``.history``.
    """
    X, Y = net.check_batch(X, Y, "train")
    opts = remedies.check_options(
        net, clip_value=clip_value, clip_norm=clip_norm, l2=l2, l2_bias=l2_bias,
        dropout=dropout, lr_decay=lr_decay, decay_rate=decay_rate, decay_every=decay_every,
        patience=patience)
    state = net.rng.getstate()
    try:
        X, Y, Xv, Yv = _split(net, X, Y, validation, validation_data)
        epochs, eta, batch_size, momentum, target_loss = _check_options(
            len(X), epochs, eta, batch_size, momentum, shuffle, target_loss)
        if callback is not None and not callable(callback):
            raise NodenetError(
                f"callback must be callable(epoch, history), got {type(callback).__name__}")
        if not isinstance(diagnostics, bool):
            raise NodenetError(f"diagnostics must be True or False, got {diagnostics!r}")
        if opts["patience"] is not None and Xv is None:
            raise NodenetError("patience (early stopping) needs validation=fraction or validation_data")
        classes = _wants_accuracy(accuracy, Y, Yv)
    except NodenetError:
        net.rng.setstate(state)         # the split may have drawn: a refused call draws nothing
        raise
    history = History()
    try:
        _loop(net, X, Y, Xv, Yv, epochs, eta, batch_size, momentum, shuffle, target_loss,
              callback, classes, diagnostics, opts, history)
    except NodenetError as err:
        note = ""
        norms = [e.grad_norm for e in history.diagnostics[-3:]]
        if norms:
            note = "; largest gradient norm in the last epochs: " + ", ".join(f"{g:.3g}" for g in norms)
        error = NodenetError(f"{err}{note}")
        error.history = history
        raise error from None
    finally:
        set_masks(net, None)
    return history


def _loop(net, X, Y, Xv, Yv, epochs, eta, batch_size, momentum, shuffle, target_loss,
          callback, classes, diagnostics, opts, history):
    loss = net.loss_function
    layers = net.layers
    n = len(X)
    rates = opts["dropout"]
    dropping = any(rates)
    clip_value, clip_norm, l2 = opts["clip_value"], opts["clip_norm"], opts["l2"]
    l2_bias, patience = opts["l2_bias"], opts["patience"]
    # online learning with nothing added to the gradient: one fused step per
    # sample, the same numbers as accumulate-then-apply (Network.sgd_step)
    fused = (batch_size == 1 and not momentum and not dropping and not diagnostics
             and clip_value is None and clip_norm is None and not l2)
    acc_w, acc_b = net.zero_like()
    vel_w, vel_b = net.zero_like() if momentum else (None, None)
    zero_rows = [[0.0] * layer.n_inputs for layer in layers]
    order = list(range(n))
    best, best_weights, previous_norm = math.inf, None, None
    for epoch in range(1, epochs + 1):
        eta_t = learning_rate(eta, epoch, opts["lr_decay"], opts["decay_rate"], opts["decay_every"])
        history.etas.append(eta_t)
        if shuffle:
            net.rng.shuffle(order)
        start_weights = net.snapshot()      # put back if this epoch's loss goes non-finite
        delta_sums = [0.0] * len(layers)
        max_change = [0.0] * len(layers)
        top_norm, clipped = 0.0, 0
        for s in (order if fused else ()):
            where = net.sgd_step(X[s], Y[s], eta_t)[1]
            if where is not None:
                raise diverged(epoch, s, where)
        for start in (range(0, n, batch_size) if not fused else ()):
            batch = order[start:start + batch_size]
            for l, layer in enumerate(layers):
                for row in acc_w[l]:
                    row[:] = zero_rows[l]
                acc_b[l][:] = [0.0] * len(layer)
            factor = eta_t * loss.sample_scale(len(batch))
            for s in batch:
                if dropping:
                    set_masks(net, remedies.dropout_masks(net, rates))
                net.feedforward(X[s])
                net.backprop(Y[s])
                check = sum(node.delta for layer in layers for node in layer)
                if not math.isfinite(check + sum(layers[-1].outputs)):
                    bad = first_nonfinite(net)
                    raise diverged(epoch, s, describe(bad) if bad else "a delta overflowed")
                if diagnostics:
                    for l, layer in enumerate(layers):
                        delta_sums[l] += sum(abs(node.delta) for node in layer)
                net.accumulate_gradients(acc_w, acc_b, factor)
            # acc now holds −η_t·g; the remedies act on it in PyTorch's order
            for layer, biases in zip(layers, acc_b):
                if not layer.use_bias:
                    biases[:] = [0.0] * len(biases)
            if diagnostics or clip_norm is not None:
                norm = gradient_norm(acc_w, acc_b)          # = η_t·‖g‖
                if not math.isfinite(norm):
                    _check_gradient(acc_w, acc_b, epoch, batch[-1])
                top_norm = max(top_norm, norm / eta_t)
            if clip_value is not None:
                clipped += remedies.clip_by_value(acc_w, acc_b, eta_t * clip_value) > 0
            if clip_norm is not None:
                clipped += remedies.clip_by_norm(acc_w, acc_b, eta_t * clip_norm, norm) > eta_t * clip_norm
            if l2:
                decay = eta_t * l2                          # −η_t·λ·w joins −η_t·g
                for layer, rows, biases in zip(layers, acc_w, acc_b):
                    for node, row, j in zip(layer, rows, range(len(layer))):
                        row[:] = [c - decay * w for c, w in zip(row, node.weights)]
                        if l2_bias and layer.use_bias:
                            biases[j] -= decay * node.bias
            _apply(net, acc_w, acc_b, vel_w, vel_b, momentum, epoch, batch[-1])
            if diagnostics:
                change = vel_w if momentum else acc_w
                for l, rows in enumerate(change):
                    top = max(abs(c) for row in rows for c in row)
                    if top > max_change[l]:
                        max_change[l] = top
        set_masks(net, None)
        alive = [[False] * len(layer) for layer in layers] if diagnostics else None
        outputs = _evaluate(net, X, alive)
        value = loss.value(Y, outputs)
        if not math.isfinite(value):
            error = diverged_in_loss(net, epoch, X, Y, value)
            net.put_back(start_weights)
            raise error
        history.append(value)
        if classes:
            history.accuracy.append(remedies.accuracy(Y, outputs))
        monitored = value
        if Xv is not None:
            val_out = _evaluate(net, Xv)
            monitored = loss.value(Yv, val_out)
            history.val_loss.append(monitored)
            if classes:
                history.val_accuracy.append(remedies.accuracy(Yv, val_out))
        if diagnostics:
            health = [LayerHealth(l, delta_sums[l - 1] / (n * len(layer)), max_change[l - 1])
                      for l, layer in enumerate(layers, start=1)]
            dead = [(l, j) for l, flags in enumerate(alive, start=1)
                    for j, ok in enumerate(flags) if not ok]
            growth = top_norm / previous_norm if previous_norm else None
            history.diagnostics.append(EpochHealth(epoch, health, top_norm, growth, dead, clipped))
            previous_norm = top_norm
        if monitored < best:
            best, history.best_epoch = monitored, epoch
            if patience is not None:
                best_weights = net.snapshot()
        if callback is not None:
            callback(epoch, history)
        if target_loss is not None and value <= target_loss:
            history.stop_reason = "target_loss"
            break
        if patience is not None and epoch - history.best_epoch >= patience:
            history.stop_reason = "early_stopping"
            break
    else:
        history.stop_reason = "epochs"
    if best_weights is not None and history.best_epoch != len(history):
        net.restore(best_weights)
        history.restored = True


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
                        raise diverged(epoch, sample, f"layer {l + 1} node {j} weight {i} would become {w + c!r}")
                if not math.isfinite(node.bias + change_b[l][j]):
                    raise diverged(epoch, sample, f"layer {l + 1} node {j} bias would become non-finite")
    for l, layer in enumerate(net.layers):
        use_bias = layer.use_bias
        for j, node in enumerate(layer):
            w, row = node.weights, change_w[l][j]
            for i, c in enumerate(row):
                w[i] += c
            if use_bias:
                node.bias += change_b[l][j]
