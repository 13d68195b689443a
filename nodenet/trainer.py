"""The general training loop: the plain one plus remedies and diagnostics.

``nodenet.training.train`` hands over to ``train_general`` whenever one of
its remedy or diagnostic options is on (see nodenet.remedies for the
formulas and their order).  With every option off this loop computes the
same numbers as the plain one, bit for bit, which tests check.

Random draws, all from ``net.rng`` in this order: the validation split
(once), then per epoch the shuffle, then per training sample one draw per
hidden node with a dropout rate (layer by layer, node by node).
"""

import math

from . import remedies, validate
from .diagnostics import EpochHealth, LayerHealth
from .errors import NodenetError
from .remedies import gradient_norm, learning_rate, set_masks
from .training import (History, _apply, _check_options, _diverged, _diverged_in_loss,
                       first_nonfinite)


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
        Xv, Yv = net._check_batch(pair[0], pair[1], "validation_data")
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
        outputs.append(list(net._feedforward(x)))
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
                    raise _diverged(epoch, sample, f"layer {l} node {j} weight {i} gradient became {g!r}")
            if not math.isfinite(biases[j]):
                raise _diverged(epoch, sample, f"layer {l} node {j} bias gradient became {biases[j]!r}")


def train_general(net, X, Y, epochs, eta, batch_size=1, momentum=0.0, shuffle=True,
                  target_loss=None, callback=None, validation=None, validation_data=None,
                  accuracy=None, diagnostics=False, **remedy):
    """Train with remedies; arguments as ``nodenet.training.train`` (X, Y already checked)."""
    opts = remedies.check_options(net, **remedy)
    X, Y, Xv, Yv = _split(net, X, Y, validation, validation_data)
    n = len(X)
    epochs, eta, batch_size, momentum, target_loss = _check_options(
        n, epochs, eta, batch_size, momentum, shuffle, target_loss)
    if callback is not None and not callable(callback):
        raise NodenetError(f"callback must be callable(epoch, history), got {type(callback).__name__}")
    if not isinstance(diagnostics, bool):
        raise NodenetError(f"diagnostics must be True or False, got {diagnostics!r}")
    patience = opts["patience"]
    if patience is not None and Xv is None:
        raise NodenetError("patience (early stopping) needs validation=fraction or validation_data")
    classes = _wants_accuracy(accuracy, Y, Yv)
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
    acc_w, acc_b = net.zero_like()
    vel_w, vel_b = net.zero_like() if momentum else (None, None)
    rates = opts["dropout"]
    dropping = any(rates)
    clip_value, clip_norm, l2 = opts["clip_value"], opts["clip_norm"], opts["l2"]
    l2_bias, patience = opts["l2_bias"], opts["patience"]
    order = list(range(n))
    best, best_weights, previous_norm = math.inf, None, None
    for epoch in range(1, epochs + 1):
        eta_t = learning_rate(eta, epoch, opts["lr_decay"], opts["decay_rate"], opts["decay_every"])
        history.etas.append(eta_t)
        if shuffle:
            net.rng.shuffle(order)
        delta_sums = [0.0] * len(layers)
        max_change = [0.0] * len(layers)
        top_norm, clipped = 0.0, 0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            for rows, biases in zip(acc_w, acc_b):
                for row in rows:
                    row[:] = [0.0] * len(row)
                biases[:] = [0.0] * len(biases)
            factor = eta_t * loss.sample_scale(len(batch))
            for s in batch:
                if dropping:
                    set_masks(net, remedies.dropout_masks(net, rates))
                net._feedforward(X[s])
                net._backprop(Y[s])
                check = sum(node.delta for layer in layers for node in layer)
                if not math.isfinite(check + sum(layers[-1].outputs)):
                    bad = first_nonfinite(net)
                    where = (f"layer {bad[0]} node {bad[1]} {bad[2]} became {bad[3]!r}"
                             if bad else "a delta overflowed")
                    raise _diverged(epoch, s, where)
                if diagnostics:
                    for l, layer in enumerate(layers):
                        delta_sums[l] += sum(abs(node.delta) for node in layer)
                net._accumulate(acc_w, acc_b, factor)
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
            raise _diverged_in_loss(net, epoch, X, Y, value)
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
