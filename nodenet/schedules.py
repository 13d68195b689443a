"""Learning-rate schedules: η for each epoch, computed as PyTorch's lr_scheduler does.

A schedule is stepped once per epoch, after it (PyTorch's loop
``for epoch: train…; scheduler.step()``): epoch 1 trains with η_0, epoch t
with η_{t−1}.  PyTorch computes each rate from the one before (its
"chainable" form, ``get_lr``), and so does nodenet, with the same formulas in
the same order, so the rates agree with ``torch.optim.lr_scheduler`` to the
last bit; the closed forms are in each docstring.  A schedule holds no
state: every ``train`` call starts it again at epoch 1.

>>> StepLR(step_size=2, gamma=0.5).rates(0.4, 5)
[0.4, 0.4, 0.2, 0.2, 0.1]
>>> [round(r, 12) for r in CosineAnnealingLR(T_max=4).rates(1.0, 5)]
[1.0, 0.853553390593, 0.5, 0.146446609407, 0.0]
"""

import math

from . import validate
from .errors import NodenetError

LR_DECAYS = ("step", "1/t")     # the lr_decay= names of train(), mapped by from_decay


def _number(value, what, low, high=math.inf, low_open=False):
    value = validate.number(value, what)
    if value < low or (low_open and value == low) or value > high:
        left = "(" if low_open else "["
        right = "]" if high != math.inf else ")"
        top = "∞" if high == math.inf else f"{high:g}"
        raise NodenetError(f"{what} must be in {left}{low:g}, {top}{right}, "
                           f"got {validate.brief(value)}")
    return value


class Schedule:
    """A learning rate per epoch: ``first(base)`` for epoch 1, then ``next`` per epoch.

    ``next(t, lr, base)`` is PyTorch's ``get_lr`` with ``last_epoch = t``:
    the rate of epoch t + 1 from ``lr``, the rate of epoch t.
    """

    def first(self, base):
        """The rate of epoch 1 (``last_epoch = 0``)."""
        return base

    def next(self, t, lr, base):
        raise NotImplementedError

    def rates(self, base, epochs):
        """The rates of epochs 1 … ``epochs`` for a starting rate ``base``."""
        out = []
        lr = self.first(base)
        for t in range(1, epochs + 1):
            out.append(lr)
            lr = self.next(t, lr, base)
        return out

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class StepLR(Schedule):
    """η·γ^⌊(epoch − 1)/step_size⌋: multiply by ``gamma`` every ``step_size`` epochs.

    >>> StepLR(3, gamma=0.1).rates(1.0, 4)
    [1.0, 1.0, 1.0, 0.1]
    """

    def __init__(self, step_size, gamma=0.1):
        self.step_size = validate.positive_int(step_size, "step_size")
        self.gamma = _number(gamma, "gamma", 0.0, low_open=True)

    def next(self, t, lr, base):
        return lr * self.gamma if t % self.step_size == 0 else lr


class ExponentialLR(Schedule):
    """η·γ^(epoch − 1): multiply by ``gamma`` after every epoch.

    >>> ExponentialLR(0.5).rates(1.0, 3)
    [1.0, 0.5, 0.25]
    """

    def __init__(self, gamma):
        self.gamma = _number(gamma, "gamma", 0.0, low_open=True)

    def next(self, t, lr, base):
        return lr * self.gamma


class CosineAnnealingLR(Schedule):
    """η_min + (η − η_min)·(1 + cos(π·(epoch − 1)/T_max))/2, from η down to ``eta_min``.

    Computed as PyTorch's chainable form: η_{t} = η_min + (η_{t−1} − η_min)·
    (1 + cos(πt/T))/(1 + cos(π(t − 1)/T)), and where the denominator is 0
    (t − 1 = T, 3T, …) η_{t} = η_{t−1} + (η − η_min)·(1 − cos(π/T))/2.  After
    T_max epochs the rate climbs back, as PyTorch's does (no restart).
    """

    def __init__(self, T_max, eta_min=0.0):
        self.T_max = validate.positive_int(T_max, "T_max")
        self.eta_min = _number(eta_min, "eta_min", 0.0)

    def next(self, t, lr, base):
        T, low = self.T_max, self.eta_min
        if (t - 1 - T) % (2 * T) == 0:
            return lr + (base - low) * (1 - math.cos(math.pi / T)) / 2
        return ((1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (lr - low) + low)


class LinearLR(Schedule):
    """η·f, f going linearly from ``start_factor`` to ``end_factor`` in ``total_iters`` epochs.

    f = start + (end − start)·min(epoch − 1, total_iters)/total_iters, computed
    as PyTorch's chainable form (each rate from the one before).

    >>> [round(r, 12) for r in LinearLR(0.5, 1.0, total_iters=2).rates(0.2, 4)]
    [0.1, 0.15, 0.2, 0.2]
    """

    def __init__(self, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
        self.start_factor = _number(start_factor, "start_factor", 0.0, 1.0, low_open=True)
        self.end_factor = _number(end_factor, "end_factor", 0.0, 1.0)
        self.total_iters = validate.positive_int(total_iters, "total_iters")

    def first(self, base):
        return base * self.start_factor

    def next(self, t, lr, base):
        if t > self.total_iters:
            return lr
        start, span = self.start_factor, self.end_factor - self.start_factor
        return lr * (1.0 + span / (self.total_iters * start + (t - 1) * span))


class InverseTimeLR(Schedule):
    """η/(1 + γ·(epoch − 1)): ``train(lr_decay="1/t")``.

    Keras' ``InverseTimeDecay(η, decay_steps=1, decay_rate=γ)`` counted in
    epochs; PyTorch has no such class (``LambdaLR`` with that factor).

    >>> InverseTimeLR(0.5).rates(1.0, 3)
    [1.0, 0.6666666666666666, 0.5]
    """

    def __init__(self, gamma):
        self.gamma = _number(gamma, "decay_rate", 0.0)

    def next(self, t, lr, base):
        return base / (1.0 + self.gamma * t)


def from_decay(lr_decay, decay_rate=None, decay_every=1):
    """The schedule for ``train``'s ``lr_decay``/``decay_rate``/``decay_every`` (None for none).

    ``"step"`` is ``StepLR(decay_every, decay_rate)`` with 0 < γ ≤ 1;
    ``"1/t"`` is ``InverseTimeLR(decay_rate)`` with γ ≥ 0.

    >>> from_decay("step", 0.5, 2)
    StepLR(step_size=2, gamma=0.5)
    """
    decay_every = validate.positive_int(decay_every, "decay_every")
    if lr_decay is None:
        if decay_rate is not None:
            raise NodenetError("decay_rate was given without lr_decay ('step' or '1/t')")
        return None
    if not isinstance(lr_decay, str) or lr_decay not in LR_DECAYS:
        raise NodenetError(f"lr_decay must be None, 'step' or '1/t', "
                           f"got {validate.brief(lr_decay)}")
    if decay_rate is None:
        raise NodenetError(f"lr_decay={lr_decay!r} needs a decay_rate")
    decay_rate = validate.number(decay_rate, "decay_rate")
    if lr_decay == "step":
        if not 0.0 < decay_rate <= 1.0:
            raise NodenetError(f"step decay multiplies η by decay_rate, which must be in (0, 1], "
                               f"got {decay_rate!r}")
        return StepLR(decay_every, decay_rate)
    if decay_rate < 0.0:
        raise NodenetError(f"1/t decay needs decay_rate ≥ 0, got {decay_rate!r}")
    return InverseTimeLR(decay_rate)


def check_schedule(schedule):
    """``schedule`` if it is a Schedule (or None), else a NodenetError saying what is expected."""
    if schedule is not None and not isinstance(schedule, Schedule):
        raise NodenetError(f"schedule must be a nodenet.schedules schedule (StepLR, ExponentialLR, "
                           f"CosineAnnealingLR, LinearLR, …), got {validate.describe(schedule)}")
    return schedule
