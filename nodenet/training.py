"""Training: epochs of batches, one optimizer step per batch, and the remedies.

An epoch visits the samples in an order, cuts it into batches of
``batch_size`` (the last one may be smaller) and takes one step per batch:
the gradient g = ∂L_batch/∂w of the batch loss (summed over the batch for
sse and half_sse, averaged for the others), then clipping, then the
optimizer (nodenet.optimizers) with the epoch's learning rate (from a
schedule, nodenet.schedules, stepped once per epoch).  ``train(eta=η)`` is
plain SGD, w ← w − η·g, the handout's rule; ``momentum=μ`` is the
handout's momentum (``HandoutMomentum``); ``l2=λ`` its weight decay.

The order.  ``order=`` gives it: one permutation of 0 … N−1 used every
epoch, a list of one permutation per epoch, or a callable ``order(epoch, N)``
returning the permutation of a (1-based) epoch.  Without it, ``shuffle=True``
draws it from ``net.rng``: one list starts as 0 … N−1 and is shuffled in
place at the start of every epoch with ``random.Random.shuffle``, so epoch
e's order is a shuffle of epoch e−1's; ``shuffle=False`` keeps 0 … N−1.
``history.orders`` records the order of every epoch, so another program can
replay the same batches.

The fast path.  With ``batch_size=1`` and a plain SGD step (no momentum, no
weight decay, no clipping), each sample is one ``Network.sgd_step``: the
handout's w ← w + (η·δ)·a in place, bit for bit ``net.step(x, y, η)``.
Otherwise the batch's gradient is accumulated and handed to the optimizer,
which writes w − η·g as PyTorch does (the same number up to rounding).

Random draws, all from ``net.rng`` in this order: the validation split
(once), then per epoch the shuffle, then per training sample one draw per
hidden node with a dropout rate (layer by layer, node by node).
"""

import math
import numbers

from . import remedies, validate
from .diagnostics import EpochMonitor, mark_alive
from .errors import NodenetError
from .faults import (describe, diverged, diverged_in_loss, first_nonfinite, hidden_overflow,
                     pass_is_finite)
from .history import History
from .metrics import accuracy as accuracy_of
from .metrics import is_classes
from .optimizers import SGD, HandoutMomentum, check_optimizer
from .remedies import clip_by_norm, clip_by_value, dropout_masks, gradient_norm, set_masks
from .schedules import check_schedule, from_decay

__all__ = ["train", "History", "TrainingError", "SampleOrder", "batch_gradient"]


class TrainingError(NodenetError):
    """Training stopped part-way; ``history`` holds the epochs that were completed.

    The message names the epoch, the sample and what went wrong; the
    network is left as the message says (before the failing update, or as
    the epoch began).
    """

    def __init__(self, message, history):
        super().__init__(message)
        self.history = history


class StepOverflow(NodenetError):
    """A forward/backward pass or a batch gradient went NaN or ±inf (``where``, ``sample``)."""

    def __init__(self, where, sample):
        super().__init__(f"sample {sample}: {where}")
        self.where, self.sample = where, sample


# -- the order of the samples ----------------------------------------------------

def check_permutation(value, n, what):
    """``value`` as a list holding each of 0 … n−1 once, or a NodenetError naming ``what``."""
    perm = validate.as_sequence(value)
    if (not isinstance(perm, (list, tuple)) or len(perm) != n
            or any(isinstance(s, bool) or not isinstance(s, numbers.Integral) for s in perm)
            or sorted(perm) != list(range(n))):
        raise NodenetError(f"{what} must be a permutation of 0 … {n - 1} (each sample once), "
                           f"got {validate.describe(value)}")
    return [int(s) for s in perm]


class SampleOrder:
    """The order of the samples in each epoch: given, or shuffled with ``rng``.

    ``order``: None (then ``shuffle`` decides), one permutation for every
    epoch, a list of one permutation per epoch, or a callable
    ``order(epoch, n)``.  ``for_epoch(e)`` returns epoch e's order (1-based).
    """

    def __init__(self, order, shuffle, n, epochs, rng=None):
        if not isinstance(shuffle, bool):
            raise NodenetError(f"shuffle must be True or False, got {validate.brief(shuffle)}")
        self.n, self.rng, self.call, self.each = n, rng if shuffle else None, None, None
        self.current = tuple(range(n))
        if order is None:
            return
        self.rng = None
        if callable(order):
            self.call = order
            return
        rows = validate.as_sequence(order)
        if not isinstance(rows, (list, tuple)) or not rows:
            raise NodenetError(f"order must be a permutation, a list of one per epoch, or a "
                               f"callable order(epoch, n); got {validate.describe(order)}")
        if all(isinstance(s, numbers.Integral) for s in rows):
            self.current = tuple(check_permutation(rows, n, "order"))
            return
        if len(rows) != epochs:
            raise NodenetError(f"order lists one permutation per epoch: expected {epochs}, "
                               f"got {len(rows)}")
        self.each = [tuple(check_permutation(row, n, f"order[{e}]")) for e, row in enumerate(rows)]

    def for_epoch(self, epoch):
        if self.each is not None:
            return self.each[epoch - 1]
        if self.call is not None:
            return tuple(check_permutation(self.call(epoch, self.n), self.n,
                                           f"order({epoch}, {self.n})"))
        if self.rng is not None:
            current = list(self.current)
            self.rng.shuffle(current)
            self.current = tuple(current)
        return self.current


# -- one batch's gradient ---------------------------------------------------------

def batch_gradient(net, X, Y, samples, rates=None, monitor=None):
    """``(gw, gb)``: g = ∂L_batch/∂w and ∂L_batch/∂b of the samples ``samples`` (out_in).

    Contributor API: X and Y are checked lists.  ``rates``: dropout rates
    per layer (a fresh mask per sample from ``net.rng``); ``monitor``: an
    EpochMonitor to tell each pass's deltas.  Bias gradients of layers
    without biases are 0.  Raises StepOverflow naming the sample and the
    first NaN or ±inf of a pass or of the summed gradient.
    """
    gw, gb = net.zero_like()
    factor = -net.loss_function.sample_scale(len(samples))
    dropping = rates is not None and any(rates)
    for s in samples:
        if dropping:
            set_masks(net, dropout_masks(net, rates))
        net.feedforward(X[s])
        net.backprop(Y[s])
        if not pass_is_finite(net):
            bad = first_nonfinite(net)
            raise StepOverflow(describe(bad) if bad else "a delta overflowed", s)
        if monitor is not None:
            monitor.deltas(net)
        net.accumulate_gradients(gw, gb, factor)
    for l, (layer, rows, biases) in enumerate(zip(net.layers, gw, gb), start=1):
        if not layer.use_bias:
            biases[:] = [0.0] * len(biases)
        if all(map(math.isfinite, biases)) and all(all(map(math.isfinite, r)) for r in rows):
            continue                    # each value checked (C-level), never a sum
        for j, row in enumerate(rows):
            for i, g in enumerate(row + [biases[j]]):
                if not math.isfinite(g):
                    what = f"weight {i}" if i < len(row) else "bias"
                    raise StepOverflow(f"layer {l} node {j} {what} gradient became {g!r}",
                                       samples[-1])
    return gw, gb


# -- the options, checked once ------------------------------------------------------

def _positive_or_none(value, what):
    if value is None:
        return None
    value = validate.number(value, what)
    if value <= 0.0:
        raise NodenetError(f"{what} must be > 0, got {value!r}")
    return value


def _choose_optimizer(net, eta, momentum, l2, l2_bias, optimizer):
    """The optimizer: the one given, or SGD / HandoutMomentum made from eta, momentum, l2."""
    if optimizer is not None:
        if eta is not None:
            raise NodenetError("give eta (plain SGD) or optimizer, not both")
        if momentum != 0.0 or l2 != 0.0 or l2_bias is not False:
            raise NodenetError("momentum, l2 and l2_bias go with eta=; with optimizer=, set them "
                               "on the optimizer, e.g. SGD(lr, momentum=0.9, weight_decay=1e-4)")
        check_optimizer(optimizer).check_network(net)
        return optimizer
    if eta is None:
        raise NodenetError("train needs eta (plain SGD) or optimizer (e.g. Adam(lr=1e-3)), "
                           "got neither")
    eta = validate.number(eta, "eta")
    if eta <= 0.0:
        raise NodenetError(f"eta must be > 0 to train, got {eta!r}")
    momentum = validate.number(momentum, "momentum")
    if not 0.0 <= momentum < 1.0:
        raise NodenetError(f"momentum must be in [0, 1), got {momentum!r}")
    l2 = validate.number(l2, "l2")
    if l2 < 0.0:
        raise NodenetError(f"l2 must be ≥ 0, got {l2!r}")
    if not isinstance(l2_bias, bool):
        raise NodenetError(f"l2_bias must be True or False, got {validate.brief(l2_bias)}")
    if momentum:
        return HandoutMomentum(eta, momentum, weight_decay=l2, decay_biases=l2_bias)
    return SGD(eta, weight_decay=l2, decay_biases=l2_bias)


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
            raise NodenetError(f"validation_data must be a pair (Xv, Yv), "
                               f"got {validate.describe(validation_data)}")
        Xv, Yv = net.check_batch(pair[0], pair[1], "validation_data")
        return X, Y, Xv, Yv
    return X, Y, None, None


class Options:
    """Every option of one ``train`` call, checked before anything changes.

    Built in four parts (``run``, ``update``, ``learning_rates``, ``remedies``), each checking
    its arguments and storing them normalized; ``fused`` says whether a
    batch may take the fast per-sample path.
    """

    def __init__(self, net, X, Y, Xv=None, Yv=None):
        self.net, self.X, self.Y, self.Xv, self.Yv = net, X, Y, Xv, Yv

    def run(self, epochs, batch_size, shuffle, order, target_loss, patience, callback):
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
            raise NodenetError(f"epochs must be a whole number ≥ 0, got {validate.brief(epochs)}")
        self.epochs = int(epochs)
        n = len(self.X)
        self.batch_size = validate.positive_int(batch_size, "batch_size")
        if self.batch_size > n:
            raise NodenetError(f"batch_size must be at most the number of samples ({n}), "
                               f"got {self.batch_size}")
        self.order = SampleOrder(order, shuffle, n, self.epochs, self.net.rng)
        self.target_loss = None
        if target_loss is not None:
            self.target_loss = validate.number(target_loss, "target_loss")
            if self.target_loss < 0.0:
                raise NodenetError(f"target_loss must be ≥ 0, got {self.target_loss!r}")
        self.patience = None if patience is None else validate.positive_int(patience, "patience")
        if self.patience is not None and self.Xv is None:
            raise NodenetError("patience (early stopping) needs validation=fraction or "
                               "validation_data")
        if callback is not None and not callable(callback):
            raise NodenetError(f"callback must be callable(epoch, history), "
                               f"got {type(callback).__name__}")
        self.callback = callback
        return self

    def update(self, eta, momentum, l2, l2_bias, optimizer):
        self.optimizer = _choose_optimizer(self.net, eta, momentum, l2, l2_bias, optimizer)
        return self

    def learning_rates(self, schedule, lr_decay, decay_rate, decay_every):
        decay = from_decay(lr_decay, decay_rate, decay_every)
        if decay is not None and schedule is not None:
            raise NodenetError("give schedule or lr_decay, not both")
        self.schedule = check_schedule(schedule) or decay
        return self

    def remedies(self, clip_value, clip_norm, dropout, accuracy, diagnostics):
        self.clip_value = _positive_or_none(clip_value, "clip_value")
        self.clip_norm = _positive_or_none(clip_norm, "clip_norm")
        self.rates = remedies.dropout_rates(self.net, dropout)
        if not isinstance(diagnostics, bool):
            raise NodenetError(f"diagnostics must be True or False, "
                               f"got {validate.brief(diagnostics)}")
        self.diagnostics = diagnostics
        k = self.net.sizes[-1]
        classes = is_classes(self.Y, k) and (self.Yv is None or is_classes(self.Yv, k))
        if accuracy is not None and not isinstance(accuracy, bool):
            raise NodenetError(f"accuracy must be True, False or None (auto), "
                               f"got {validate.brief(accuracy)}")
        if accuracy and not classes:
            raise NodenetError("accuracy=True needs class targets: 0 or 1 for one output, "
                               "one-hot rows for several")
        self.classes = classes if accuracy is None else accuracy
        return self

    @property
    def fused(self):
        return (self.batch_size == 1 and self.optimizer.plain
                and self.clip_value is None and self.clip_norm is None)


# -- train ----------------------------------------------------------------------------

def train(net, X, Y, epochs, eta=None, batch_size=1, momentum=0.0, shuffle=True, target_loss=None,
          callback=None, *, optimizer=None, schedule=None, order=None, validation=None,
          validation_data=None, patience=None, clip_value=None, clip_norm=None, l2=0.0,
          l2_bias=False, dropout=0.0, lr_decay=None, decay_rate=None, decay_every=1,
          accuracy=None, diagnostics=False):
    """Train ``net`` on inputs X and targets Y; return the per-epoch History.

    How each step changes the weights: ``eta=η`` is plain SGD, w ← w − η·g
    (``momentum=μ``: the handout's v ← μ·v − η·g, w ← w + v; ``l2=λ``:
    g ← g + λ·w on the weights, and on the biases with ``l2_bias=True``);
    or ``optimizer=`` any nodenet.optimizers optimizer (SGD, Adam, AdamW,
    RMSprop, Adagrad, HandoutMomentum), whose state carries over to the next
    ``train`` call.  ``schedule=`` (nodenet.schedules) sets the learning rate
    of each epoch, as does ``lr_decay="step"`` (η·decay_rate^⌊(epoch−1)/
    decay_every⌋, StepLR) or ``"1/t"`` (η/(1 + decay_rate·(epoch−1))).

    ``batch_size`` samples per step (the last batch of an epoch may be
    smaller); ``order``/``shuffle``: the order of the samples (see the
    module docstring; ``order`` replaces shuffling); ``target_loss``: stop
    once the epoch's loss is at most this; ``callback(epoch, history)``
    after every epoch.  Remedies (formulas in nodenet.remedies):
    ``validation`` (a fraction held out with ``net.rng``) or
    ``validation_data=(Xv, Yv)`` for ``history.val_loss``; ``patience``:
    early stopping, ending with the best epoch's weights (a validation loss
    that is NaN or ±inf never counts as an improvement); ``clip_value``,
    ``clip_norm``; ``dropout`` (a rate, or one per hidden layer);
    ``accuracy`` (None: when all targets are class labels); ``diagnostics``.

    The caller's X and Y are copied, never reordered or changed.  A refused
    call changes nothing, not even ``net.rng``.  A step that would make a
    net input, output, delta, gradient, weight or optimizer state NaN or
    ±inf is not applied and raises a TrainingError (a NodenetError carrying
    the History so far as ``.history``) naming the epoch, sample and node;
    an epoch whose loss comes out non-finite is undone as a whole (weights
    and optimizer state).

    >>> from nodenet import Network
    >>> from nodenet.optimizers import Adam
    >>> net = Network([2, 2, 1], seed=1)
    >>> history = net.train([[0, 1], [1, 0]], [[1], [0]], 3, optimizer=Adam(lr=0.01),
    ...                     shuffle=False)
    >>> len(history), history.orders
    (3, [(0, 1), (0, 1), (0, 1)])
    """
    X, Y = net.check_batch(X, Y, "train")
    state = net.rng.getstate()
    try:
        X, Y, Xv, Yv = _split(net, X, Y, validation, validation_data)
        opts = Options(net, X, Y, Xv, Yv)
        opts.run(epochs, batch_size, shuffle, order, target_loss, patience, callback)
        opts.update(eta, momentum, l2, l2_bias, optimizer)
        opts.learning_rates(schedule, lr_decay, decay_rate, decay_every)
        opts.remedies(clip_value, clip_norm, dropout, accuracy, diagnostics)
    except NodenetError:
        net.rng.setstate(state)         # the split may have drawn: a refused call draws nothing
        raise
    history = History()
    try:
        Trainer(opts, history).run()
    except NodenetError as err:
        norms = [e.grad_norm for e in history.diagnostics[-3:]]
        note = ("; largest gradient norm in the last epochs: "
                + ", ".join(f"{g:.3g}" for g in norms)) if norms else ""
        raise TrainingError(f"{err}{note}", history) from None
    finally:
        set_masks(net, None)
    return history


def evaluate(net, X, alive=None):
    """Outputs for every input (no dropout); with ``alive`` flags, mark the nodes seen non-zero.

    A sample whose net input overflowed behind a saturated sigmoid or tanh
    gets NaN outputs, so that the epoch's loss is not finite.
    """
    outputs = []
    for x in X:
        out = list(net.feedforward(x))
        outputs.append([math.nan] * len(out) if hidden_overflow(net) else out)
        if alive is not None:
            mark_alive(net, alive)
    return outputs


class Trainer:
    """One ``train`` call in progress: epochs, their batches, and the end of each epoch."""

    def __init__(self, opts, history):
        self.opts, self.history = opts, history
        self.net, self.optimizer = opts.net, opts.optimizer
        self.monitor = EpochMonitor(opts.net) if opts.diagnostics else None
        self.best, self.best_weights = math.inf, None

    def run(self):
        opts, history, optimizer = self.opts, self.history, self.optimizer
        schedule, base = opts.schedule, optimizer.lr
        lr = schedule.first(base) if schedule else base
        for epoch in range(1, opts.epochs + 1):
            if not (math.isfinite(lr) and lr >= 0.0):
                raise NodenetError(f"the learning rate of epoch {epoch} would be {lr!r} "
                                   f"({schedule!r} from lr={base!r})")
            order = opts.order.for_epoch(epoch)
            history.etas.append(lr)
            history.orders.append(order)
            start = self.net.snapshot(), optimizer.snapshot()
            if opts.fused:
                self.fused_samples(order, lr, epoch)
            else:
                for i in range(0, len(order), opts.batch_size):
                    self.batch(order[i:i + opts.batch_size], lr, epoch)
            history.stop_reason = self.end_epoch(epoch, start)
            if history.stop_reason is not None:
                break
            lr = schedule.next(epoch, lr, base) if schedule else lr
        else:
            history.stop_reason = "epochs"
        if self.best_weights is not None and history.best_epoch != len(history):
            self.net.restore(self.best_weights)
            history.restored = True

    def fused_samples(self, order, lr, epoch):
        """One ``sgd_step`` per sample: the fast path for plain online SGD."""
        net, optimizer, monitor = self.net, self.optimizer, self.monitor
        X, Y, rates = self.opts.X, self.opts.Y, self.opts.rates
        if not any(rates) and monitor is None:
            for s in order:
                where = net.sgd_step(X[s], Y[s], lr)[1]
                if where is not None:
                    optimizer.steps += order.index(s)
                    raise diverged(epoch, s, where)
            optimizer.steps += len(order)
            return
        for k, s in enumerate(order):
            if any(rates):
                set_masks(net, dropout_masks(net, rates))
            where = net.sgd_step(X[s], Y[s], lr)[1]
            if where is not None:
                optimizer.steps += k
                raise diverged(epoch, s, where)
            if monitor is not None:
                self.watch_fused(lr)
        optimizer.steps += len(order)

    def watch_fused(self, lr):
        """Diagnostics of one fused step, from the deltas and activations it left on the nodes."""
        net = self.net
        self.monitor.deltas(net)
        gw, gb = net.zero_like()
        net.accumulate_gradients(gw, gb, -net.loss_function.sample_scale(1))
        for layer, biases in zip(net.layers, gb):
            if not layer.use_bias:
                biases[:] = [0.0] * len(biases)
        changes = [lr * max(abs(g) for row in rows for g in row) for rows in gw]
        self.monitor.update(gradient_norm(gw, gb), changes)

    def batch(self, samples, lr, epoch):
        """One step on a batch: its gradient, clipping, then the optimizer, all or nothing."""
        opts, monitor = self.opts, self.monitor
        try:
            gw, gb = batch_gradient(self.net, opts.X, opts.Y, samples, opts.rates, monitor)
        except StepOverflow as err:
            raise diverged(epoch, err.sample, err.where) from None
        norm = gradient_norm(gw, gb) if monitor is not None else None
        clipped = False
        if opts.clip_value is not None:
            clipped = clip_by_value(gw, gb, opts.clip_value) > 0
        if opts.clip_norm is not None:
            clipped = clip_by_norm(gw, gb, opts.clip_norm) > opts.clip_norm or clipped
        proposal = self.optimizer.propose(self.net, gw, gb, lr)
        if proposal.where is not None:
            raise diverged(epoch, samples[-1], proposal.where)
        if monitor is not None:
            monitor.update(norm, proposal.max_weight_changes(), clipped)
        self.optimizer.commit(proposal)

    def end_epoch(self, epoch, start):
        """Measure the epoch (undoing it if its loss overflowed); return why to stop, or None."""
        net, opts, history = self.net, self.opts, self.history
        loss = net.loss_function
        set_masks(net, None)
        outputs = evaluate(net, opts.X, self.monitor.alive if self.monitor else None)
        value = loss.value(opts.Y, outputs)
        if not math.isfinite(value):
            error = diverged_in_loss(net, epoch, opts.X, opts.Y, value)
            net.put_back(start[0])
            self.optimizer.restore(start[1])
            raise error
        history.append(value)
        if opts.classes:
            history.accuracy.append(accuracy_of(opts.Y, outputs))
        monitored = value
        if opts.Xv is not None:
            val_out = evaluate(net, opts.Xv)
            monitored = loss.value(opts.Yv, val_out)
            history.val_loss.append(monitored)
            if opts.classes:
                history.val_accuracy.append(accuracy_of(opts.Yv, val_out))
        if self.monitor is not None:
            history.diagnostics.append(self.monitor.finish(epoch, len(opts.X)))
        if monitored < self.best:           # never true for NaN
            self.best, history.best_epoch = monitored, epoch
            if opts.patience is not None:
                self.best_weights = net.snapshot()
        if opts.callback is not None:
            opts.callback(epoch, history)
        if opts.target_loss is not None and value <= opts.target_loss:
            return "target_loss"
        if opts.patience is not None and epoch - (history.best_epoch or 0) >= opts.patience:
            return "early_stopping"
        return None
