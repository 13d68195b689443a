"""Optimizers: how one batch's gradient becomes new weights, as torch.optim computes it.

Each optimizer is a small class holding its hyper-parameters and its state
(one list per kind of state for every node: a node's incoming weights, then
its bias), with the algorithm written out in its docstring.  Write g for
∂L/∂w of the batch (the sign of PyTorch's ``.grad``), η for the learning
rate of the step (the optimizer's ``lr``, or what a schedule makes of it)
and t for the step number (1 for the first).  Every formula acts on each
weight and bias separately, in the order and form ``torch.optim`` uses in
float64, so after many steps the weights agree with PyTorch's to about
1e-14 relative.

Weight decay λ (``weight_decay``) is added to the gradient, g ← g + λ·w
(L2, PyTorch's SGD/Adam/RMSprop/Adagrad), except in AdamW, which shrinks the
weights instead, w ← w·(1 − η·λ).  PyTorch decays every parameter it is
given, biases included; so does nodenet unless ``decay_biases=False`` (the
same as putting the biases in a parameter group with ``weight_decay=0``).
A layer built without biases has no bias parameter at all.

A step is all or nothing: ``propose`` computes every new weight, bias and
state value, and checks each one is finite (each value itself, never a sum
that could cancel); ``commit`` writes them.  ``step`` does both, and refuses
a step that would create NaN or ±inf, changing nothing.

>>> from nodenet import Network
>>> net = Network.from_matrices([[[0.5, -1.0]]], [[0.25]], activations="identity")
>>> opt = SGD(lr=0.1, momentum=0.9)
>>> opt.step(net, [[[2.0, -4.0]]], [[1.0]])     # first step: buf = g, w ← w − η·g
>>> net.layers[0][0].weights, net.layers[0][0].bias
([0.3, -0.6], 0.15)
>>> opt.state[0][0]                              # the momentum buffer of node 0
([2.0, -4.0, 1.0],)
"""

import copy
import math
import weakref

from . import validate
from .errors import NodenetError

NAMES = ("SGD", "HandoutMomentum", "Adam", "AdamW", "RMSprop", "Adagrad")


# -- checking hyper-parameters -------------------------------------------------

def _in_range(value, what, low, high=math.inf, low_open=False, high_open=False):
    """``value`` as a float in the range, or a NodenetError naming ``what``."""
    value = validate.number(value, what)
    if value < low or value > high or (low_open and value == low) or (high_open and value == high):
        left, right = "(" if low_open else "[", ")" if high_open or high == math.inf else "]"
        top = "∞" if high == math.inf else f"{high:g}"
        raise NodenetError(f"{what} must be in {left}{low:g}, {top}{right}, "
                           f"got {validate.brief(value)}")
    return value


def _flag(value, what):
    if not isinstance(value, bool):
        raise NodenetError(f"{what} must be True or False, got {validate.brief(value)}")
    return value


# -- the weight-decay term and safe arithmetic ------------------------------------

def decay_rates(layer, weight_decay, decay_biases=True):
    """λ for each parameter of a node of ``layer``: its weights, then its bias (if it has one).

    >>> from nodenet import Network
    >>> decay_rates(Network([2, 1]).layers[0], 0.1, decay_biases=False)
    [0.1, 0.1, 0.0]
    """
    rates = [weight_decay] * layer.n_inputs
    if layer.use_bias:
        rates.append(weight_decay if decay_biases else 0.0)
    return rates


def add_weight_decay(g, p, rates, columns=None):
    """g_i + λ_i·p_i: the gradient of L + Σ λ_i/2·p_i² (entries with λ_i = 0 kept as they are).

    ``rates`` None (no decay) returns g itself; ``columns``, if given, gets
    the result as its "g + λw" column (tables.optimizer_step_table).

    >>> add_weight_decay([1.0, -2.0], [3.0, 4.0], [0.5, 0.0])
    [2.5, -2.0]
    """
    if rates is None:
        return g
    g = [gi + r * pi if r else gi for gi, pi, r in zip(g, p, rates)]
    if columns is not None:
        columns["g + λw"] = g
    return g


def _quotients(top, bottom):
    """top_i / bottom_i, with x/0 giving ±inf or NaN (as a tensor does) instead of raising."""
    try:
        return [a / b for a, b in zip(top, bottom)]
    except ZeroDivisionError:
        return [a / b if b else (math.nan if a == 0 or a != a else math.copysign(math.inf, a))
                for a, b in zip(top, bottom)]


def _roots(values):
    """√x_i, NaN for x_i < 0 (rounding can make a variance slightly negative)."""
    return [math.sqrt(x) if x >= 0 else math.nan for x in values]


# -- one proposed step ---------------------------------------------------------

class Proposal:
    """The values one optimizer step would write: computed and checked, not yet written.

    ``values[l][j]`` is ``(new_params, new_state)`` of node j of layer l;
    ``where`` is None, or words naming the first value that would be NaN or
    ±inf (then ``values`` is incomplete and the step cannot be committed).
    ``columns[l][j]`` (with ``explain=True``) maps names such as ``"m"`` or
    ``"Δw"`` to one number per parameter.
    """

    __slots__ = ("net", "lr", "t", "values", "where", "columns")

    def __init__(self, net, lr, t):
        self.net, self.lr, self.t = net, lr, t
        self.values, self.where, self.columns = [], None, []

    def max_weight_changes(self):
        """Per layer, the largest |new w − w| over its weights (biases left out)."""
        out = []
        for layer, values in zip(self.net.layers, self.values):
            n = layer.n_inputs
            out.append(max((abs(new - old) for node, (p, _) in zip(layer, values)
                            for new, old in zip(p[:n], node.weights)), default=0.0))
        return out

    def __repr__(self):
        outcome = "ok" if self.where is None else self.where
        return f"Proposal(step {self.t}, lr={self.lr!r}, {outcome})"


def _first_bad(p, state, slots, n_in, l, j):
    """Words naming the first non-finite new parameter or state value of a node, or None."""
    for name, values in (("", p),) + tuple(zip(slots, state)):
        if all(map(math.isfinite, values)):
            continue
        i = next(i for i, v in enumerate(values) if not math.isfinite(v))
        what = f"weight {i}" if i < n_in else "bias"
        if name:
            return f"layer {l} node {j} {what}: the optimizer's {name} would become {values[i]!r}"
        return f"layer {l} node {j} {what} would become {values[i]!r}"
    return None


# -- the base class -------------------------------------------------------------

class Optimizer:
    """What every optimizer shares: lr, weight decay, state, and the all-or-nothing step.

    Subclasses set ``slots`` (the names of their per-parameter state) and
    write ``node_step``.  ``state`` is None before the first step, then
    ``state[l][j]`` is a tuple with one list per slot for node j of layer l
    (its weights, then its bias); ``steps`` counts the steps taken.  An
    optimizer belongs to the first network it steps; ``reset()`` clears it.
    """

    slots = ()
    hyper = ("lr", "weight_decay", "decay_biases")

    def __init__(self, lr, weight_decay=0.0, decay_biases=True):
        self.lr = _in_range(lr, "lr", 0.0, low_open=True)
        self.weight_decay = _in_range(weight_decay, "weight_decay", 0.0)
        self.decay_biases = _flag(decay_biases, "decay_biases")
        self.reset()

    def reset(self):
        """Forget all state (and the network it belonged to): the next step is step 1."""
        self.steps = 0
        self.state = None
        self._owner = None

    def clone(self):
        """A fresh optimizer with the same hyper-parameters and no state."""
        twin = copy.copy(self)
        twin.reset()
        return twin

    @property
    def plain(self):
        """True if a step is exactly w ← w − η·g (no state, no decay)."""
        return False

    def __repr__(self):
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.hyper)
        return f"{type(self).__name__}({args})"

    # -- state -------------------------------------------------------------

    def initial_state(self, n):
        """The state of a node with ``n`` parameters before its first step: zeros."""
        return tuple([0.0] * n for _ in self.slots)

    def check_network(self, net):
        """Refuse a network other than the one this optimizer's state belongs to."""
        owner = self._owner() if self._owner is not None else None
        if self._owner is not None and owner is not net:
            raise NodenetError(f"this {type(self).__name__} already holds the state of another "
                               f"network; give each network its own optimizer (or call reset())")

    def snapshot(self):
        """A copy of the step count and the state, for ``restore``."""
        state = None if self.state is None else [
            [tuple(list(s) for s in node) for node in layer] for layer in self.state]
        return self.steps, state, self._owner

    def restore(self, snapshot):
        """Put back what ``snapshot`` copied."""
        self.steps, state, self._owner = snapshot
        self.state = None if state is None else [
            [tuple(list(s) for s in node) for node in layer] for layer in state]

    # -- one step ----------------------------------------------------------

    def node_step(self, p, g, state, lr, decay, t, columns=None):
        """New parameters and state of one node: ``(new_p, new_state)``.

        ``p`` and ``g``: the node's weights then bias, and their gradient;
        ``state``: a tuple of lists, one per slot; ``decay``: λ per parameter,
        or None without weight decay.  Never changes its arguments.  With a
        dict ``columns``, also stores the step's named quantities in it.
        """
        raise NotImplementedError

    def propose(self, net, gw, gb, lr=None, explain=False):
        """Compute (but do not write) the step for gradients ``gw``, ``gb`` (out_in lists).

        Contributor API: the gradients are trusted to have the network's
        shapes.  Returns a Proposal; nothing changes.
        """
        self.check_network(net)
        lr = self.lr if lr is None else lr
        t = self.steps + 1
        proposal = Proposal(net, lr, t)
        for l, layer in enumerate(net.layers):
            bias = layer.use_bias
            decay = (decay_rates(layer, self.weight_decay, self.decay_biases)
                     if self.weight_decay else None)
            values, cols = [], []
            for j, node in enumerate(layer):
                p = node.weights + [node.bias] if bias else list(node.weights)
                g = gw[l][j] + [gb[l][j]] if bias else list(gw[l][j])
                state = self.state[l][j] if self.state is not None else self.initial_state(len(p))
                named = {} if explain else None
                new_p, new_state = self.node_step(p, g, state, lr, decay, t, named)
                where = _first_bad(new_p, new_state, self.slots, layer.n_inputs, l + 1, j)
                if where is not None:
                    proposal.where = where
                    return proposal
                values.append((new_p, new_state))
                if explain:
                    cols.append(dict({"g": g}, **named))
            proposal.values.append(values)
            proposal.columns.append(cols)
        return proposal

    def commit(self, proposal):
        """Write a proposal's new weights, biases and state (all of them, or none if it failed)."""
        if proposal.where is not None:
            raise NodenetError(f"{type(self).__name__} step {proposal.t} was refused: "
                               f"{proposal.where}")
        if proposal.t != self.steps + 1:
            raise NodenetError(f"this proposal is for step {proposal.t}, but the optimizer is at "
                               f"step {self.steps}: propose again")
        net = proposal.net
        self.check_network(net)
        state = []
        for layer, values in zip(net.layers, proposal.values):
            n = layer.n_inputs
            for node, (p, _) in zip(layer, values):
                node.weights[:] = p[:n]
                if layer.use_bias:
                    node.bias = p[n]
            state.append([s for _, s in values])
        self.state = state if self.slots else None
        self.steps = proposal.t
        self._owner = weakref.ref(net)

    def step(self, net, gw, gb, lr=None):
        """One step with gradients ``gw``, ``gb`` (out_in, as ``net.gradients`` gives them).

        ``lr`` replaces the optimizer's own rate for this step (a schedule's).
        A step that would make any weight, bias or state value NaN or ±inf
        raises a NodenetError naming it, and changes nothing.
        """
        gw, gb = check_gradients(net, gw, gb)
        if lr is not None:
            lr = _in_range(lr, "lr", 0.0)
        self.commit(self.propose(net, gw, gb, lr))


def check_gradients(net, gw, gb):
    """``(gw, gb)`` as fresh out_in lists of finite floats shaped like ``net``'s weights."""
    gw, gb = validate.as_sequence(gw), validate.as_sequence(gb)
    n = len(net.layers)
    for name, value in (("gw", gw), ("gb", gb)):
        if not isinstance(value, (list, tuple)) or len(value) != n:
            raise NodenetError(f"{name} must list one entry per layer ({n}), "
                               f"got {validate.describe(value)}")
    out_w, out_b = [], []
    for l, (layer, rows, biases) in enumerate(zip(net.layers, gw, gb), start=1):
        rows = validate.as_sequence(rows)
        if not isinstance(rows, (list, tuple)) or len(rows) != len(layer):
            raise NodenetError(f"gw[{l - 1}] must have one row per node of layer {l} "
                               f"({len(layer)}), got {validate.describe(rows)}")
        out_w.append([validate.vector(row, layer.n_inputs, f"gw[{l - 1}][{j}]", "gradients")
                      for j, row in enumerate(rows)])
        out_b.append(validate.vector(biases, len(layer), f"gb[{l - 1}]", "gradients"))
    return out_w, out_b


# -- the optimizers ----------------------------------------------------------------

class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's ``torch.optim.SGD``.

    With weight decay, g ← g + λ·w.  With momentum μ > 0, a buffer per
    parameter: buf ← g in the first step, then buf ← μ·buf + (1 − dampening)·g;
    the step direction is d = g + μ·buf (``nesterov``) or d = buf; without
    momentum d = g.  Then w ← w − η·d.  The learning rate multiplies the whole
    buffer, so a change of η (a schedule) changes the next step at once.
    """

    hyper = ("lr", "momentum", "dampening", "nesterov", "weight_decay", "decay_biases")

    def __init__(self, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0,
                 decay_biases=True):
        super().__init__(lr, weight_decay, decay_biases)
        self.momentum = _in_range(momentum, "momentum", 0.0, 1.0, high_open=True)
        self.dampening = _in_range(dampening, "dampening", 0.0, 1.0)
        self.nesterov = _flag(nesterov, "nesterov")
        if self.nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise NodenetError("nesterov=True needs momentum > 0 and dampening = 0 (as in PyTorch)")
        self.slots = ("buf",) if self.momentum else ()

    @property
    def plain(self):
        return not self.momentum and not self.weight_decay

    def node_step(self, p, g, state, lr, decay, t, columns=None):
        g = add_weight_decay(g, p, decay, columns)
        mu = self.momentum
        new_state = ()
        d = g
        if mu:
            if t == 1:
                buf = list(g)
            else:
                keep = 1.0 - self.dampening
                buf = [b * mu + keep * gi for b, gi in zip(state[0], g)]
            new_state = (buf,)
            d = [gi + mu * b for gi, b in zip(g, buf)] if self.nesterov else buf
            if columns is not None:
                columns["buf"] = buf
        new_p = [pi - lr * di for pi, di in zip(p, d)]
        if columns is not None:
            columns["Δw"] = [-lr * di for di in d]
        return new_p, new_state


class HandoutMomentum(Optimizer):
    """Momentum with η inside the velocity: the handout's footnote 15 and Keras' SGD.

    v ← μ·v − η·g (v starts at 0), then w ← w + v; with weight decay,
    g ← g + λ·w first (nodenet's ``train(eta=…, momentum=…, l2=…)``).  With
    a constant η this is PyTorch's SGD(momentum=μ) up to rounding (v = −η·buf);
    when η changes it is not: the velocity keeps the old η's steps, while
    PyTorch applies the new η to its whole buffer.  (Keras' ``weight_decay``
    is decoupled, w ← w − η·λ·w, unlike this one.)
    """

    slots = ("v",)
    hyper = ("lr", "momentum", "weight_decay", "decay_biases")

    def __init__(self, lr, momentum=0.9, weight_decay=0.0, decay_biases=True):
        super().__init__(lr, weight_decay, decay_biases)
        self.momentum = _in_range(momentum, "momentum", 0.0, 1.0, high_open=True)

    @property
    def plain(self):
        return not self.momentum and not self.weight_decay

    def node_step(self, p, g, state, lr, decay, t, columns=None):
        g = add_weight_decay(g, p, decay, columns)
        mu = self.momentum
        v = [mu * vi - lr * gi for vi, gi in zip(state[0], g)]
        if columns is not None:
            columns["v"] = v
            columns["Δw"] = v
        return [pi + vi for pi, vi in zip(p, v)], (v,)


class Adam(Optimizer):
    """Adam, PyTorch's ``torch.optim.Adam`` (``amsgrad`` included).

    With weight decay, g ← g + λ·w (L2; AdamW decouples it instead).  Then
    m ← β1·m + (1 − β1)·g and v ← β2·v + (1 − β2)·g², both starting at 0;
    the bias corrections c1 = 1 − β1^t and c2 = 1 − β2^t; with ``amsgrad``
    v_max ← max(v_max, v) takes v's place below.  The step is
    w ← w − (η/c1)·m/(√v/√c2 + ε), i.e. Δw = −η·m̂/(√v̂ + ε) with m̂ = m/c1,
    v̂ = v/c2 (ε added after the correction, as PyTorch does).
    """

    hyper = ("lr", "betas", "eps", "weight_decay", "amsgrad", "decay_biases")
    decoupled = False

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                 decay_biases=True):
        super().__init__(lr, weight_decay, decay_biases)
        pair = validate.as_sequence(betas)
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise NodenetError(f"betas must be a pair (β1, β2), got {validate.brief(betas)}")
        self.betas = tuple(_in_range(b, f"betas[{i}]", 0.0, 1.0, high_open=True)
                           for i, b in enumerate(pair))
        self.eps = _in_range(eps, "eps", 0.0)
        self.amsgrad = _flag(amsgrad, "amsgrad")
        self.slots = ("m", "v", "v_max") if self.amsgrad else ("m", "v")

    def bias_corrections(self, t):
        """(1 − β1^t, 1 − β2^t), what m and v are divided by in step t."""
        b1, b2 = self.betas
        return 1.0 - b1 ** t, 1.0 - b2 ** t

    def node_step(self, p, g, state, lr, decay, t, columns=None):
        b1, b2 = self.betas
        if decay is not None:
            if self.decoupled:
                p = [pi * (1.0 - lr * r) if r else pi for pi, r in zip(p, decay)]
                if columns is not None:
                    columns["w·(1 − ηλ)"] = p
            else:
                g = add_weight_decay(g, p, decay, columns)
        m = [b1 * mi + (1.0 - b1) * gi for mi, gi in zip(state[0], g)]
        v = [b2 * vi + (1.0 - b2) * gi * gi for vi, gi in zip(state[1], g)]
        new_state = (m, v)
        c1, c2 = self.bias_corrections(t)
        second = v
        if self.amsgrad:
            second = [vi if vi > top else top for top, vi in zip(state[2], v)]
            new_state = (m, v, second)
        root = c2 ** 0.5
        denom = [math.sqrt(vi) / root + self.eps for vi in second]
        size = lr / c1
        d = [-size * q for q in _quotients(m, denom)]
        if columns is not None:
            columns["m"], columns["v"] = m, v
            # (m_hat, not m̂: a combining accent misaligns a table where tabulate
            # cannot measure it, without the optional wcwidth)
            columns["m_hat"] = [mi / c1 for mi in m]
            columns["v_hat"] = [vi / c2 for vi in second]
            if self.amsgrad:
                columns["v_max"] = second
            columns["Δw"] = d
        return [pi + di for pi, di in zip(p, d)], new_state


class AdamW(Adam):
    """AdamW, PyTorch's ``torch.optim.AdamW``: Adam with decoupled weight decay.

    First w ← w·(1 − η·λ) (default λ = 0.01), then Adam's step on the plain
    gradient g: m, v, their bias corrections and Δw = −η·m̂/(√v̂ + ε).
    """

    decoupled = True

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
                 decay_biases=True):
        super().__init__(lr, betas, eps, weight_decay, amsgrad, decay_biases)


class RMSprop(Optimizer):
    """RMSprop, PyTorch's ``torch.optim.RMSprop``.

    With weight decay, g ← g + λ·w.  v ← α·v + (1 − α)·g² (from 0); with
    ``centered``, also m ← α·m + (1 − α)·g and the scale is √(v − m²), else
    √v; s = scale + ε.  With momentum μ > 0: buf ← μ·buf + g/s (from 0) and
    w ← w − η·buf; without: w ← w − η·g/s.
    """

    hyper = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered", "decay_biases")

    def __init__(self, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False, decay_biases=True):
        super().__init__(lr, weight_decay, decay_biases)
        self.alpha = _in_range(alpha, "alpha", 0.0, 1.0, high_open=True)
        self.eps = _in_range(eps, "eps", 0.0)
        self.momentum = _in_range(momentum, "momentum", 0.0, 1.0, high_open=True)
        self.centered = _flag(centered, "centered")
        self.slots = (("v",) + (("m",) if self.centered else ())
                      + (("buf",) if self.momentum else ()))

    def node_step(self, p, g, state, lr, decay, t, columns=None):
        g = add_weight_decay(g, p, decay, columns)
        a, mu = self.alpha, self.momentum
        v = [vi * a + (1.0 - a) * gi * gi for vi, gi in zip(state[0], g)]
        new_state = [v]
        if self.centered:
            m = [a * mi + (1.0 - a) * gi for mi, gi in zip(state[1], g)]
            new_state.append(m)
            scale = _roots([vi - mi * mi for vi, mi in zip(v, m)])
        else:
            scale = _roots(v)
        s = [si + self.eps for si in scale]
        q = _quotients(g, s)
        if mu:
            buf = [mu * b + qi for b, qi in zip(state[-1], q)]
            new_state.append(buf)
            d = [-lr * b for b in buf]
        else:
            d = [-lr * qi for qi in q]
        if columns is not None:
            for name, values in zip(self.slots, new_state):
                columns[name] = values
            columns["√v + ε" if not self.centered else "√(v − m²) + ε"] = s
            columns["Δw"] = d
        return [pi + di for pi, di in zip(p, d)], tuple(new_state)


class Adagrad(Optimizer):
    """Adagrad, PyTorch's ``torch.optim.Adagrad``.

    With weight decay, g ← g + λ·w.  The sum G ← G + g² (starting at
    ``initial_accumulator_value``), the rate η_t = η/(1 + (t − 1)·lr_decay),
    and w ← w − η_t·g/(√G + ε).
    """

    slots = ("sum",)
    hyper = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "decay_biases")

    def __init__(self, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10, decay_biases=True):
        super().__init__(lr, weight_decay, decay_biases)
        self.lr_decay = _in_range(lr_decay, "lr_decay", 0.0)
        self.initial_accumulator_value = _in_range(initial_accumulator_value,
                                                   "initial_accumulator_value", 0.0)
        self.eps = _in_range(eps, "eps", 0.0)

    def initial_state(self, n):
        return ([self.initial_accumulator_value] * n,)

    def node_step(self, p, g, state, lr, decay, t, columns=None):
        g = add_weight_decay(g, p, decay, columns)
        rate = lr / (1 + (t - 1) * self.lr_decay)
        total = [si + gi * gi for si, gi in zip(state[0], g)]
        std = [r + self.eps for r in _roots(total)]
        d = [-rate * q for q in _quotients(g, std)]
        if columns is not None:
            columns["sum"], columns["η_t"], columns["Δw"] = total, [rate] * len(g), d
        return [pi + di for pi, di in zip(p, d)], (total,)


def check_optimizer(optimizer):
    """``optimizer`` if it is an Optimizer, else a NodenetError saying what is expected."""
    if not isinstance(optimizer, Optimizer):
        raise NodenetError(f"optimizer must be a nodenet.optimizers optimizer "
                           f"({', '.join(NAMES)}), got {validate.describe(optimizer)}")
    return optimizer
