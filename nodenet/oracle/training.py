"""An oracle for a whole training run: replay it step by step and name where it parts.

A gradient checker stops at one backward pass; the bugs of a training loop
live after it (a forgotten bias correction, weight decay on the biases, η
kept inside a momentum buffer, gradients never zeroed, a schedule stepped
per batch, batches in another order).  ``compare_training`` replays the
client's run in nodenet — the same start, data, order, batch size,
optimizer and schedule — compares the parameters after every step, and at
the first step where they part says which parameter differs and why: it
tries the known mistakes one at a time (each a variant of nodenet's step)
and names the one that reproduces the client's numbers, or else tells a
wrong gradient from a wrong update.

``compare_parameters(net, params)`` compares one parameter set.

>>> from nodenet import Network
>>> from nodenet.optimizers import SGD
>>> net = Network.from_matrices([[[0.5]]], [[0.25]], activations="identity")
>>> client = [([[[0.0]]], [[0.0]])]          # w − 0.1·5, b − 0.1·2.5, as nodenet does
>>> compare_training(net, [[2.0]], [[0.0]], client, optimizer=SGD(lr=0.1)).ok
True
"""

import copy
import math

from tabulate import tabulate

from .. import validate
from ..display import TextReport
from ..errors import NodenetError
from ..optimizers import SGD, HandoutMomentum, check_optimizer
from ..schedules import check_schedule
from ..training import SampleOrder, StepOverflow, batch_gradient
from . import reading
from .gradients import Mismatch, compare_gradients

HEADERS = ("layer", "node", "parameter", "nodenet", "client", "abs error", "rel error")


def _close(expected, got, rtol, atol):
    """|got − expected| ≤ atol + rtol·|expected| (NumPy's isclose); NaN never is."""
    return abs(got - expected) <= atol + rtol * abs(expected)


def _check_tolerance(rtol, atol):
    rtol, atol = validate.number(rtol, "rtol"), validate.number(atol, "atol")
    if rtol < 0.0 or atol < 0.0:
        raise NodenetError(f"rtol and atol must be ≥ 0, got rtol={rtol!r}, atol={atol!r}")
    return rtol, atol


# -- one parameter set ---------------------------------------------------------------

def read_parameters(params, net, layout, what="params"):
    """A client's ``(weights, biases)`` as per-node lists: weights, then the bias (if any).

    NaN and ±inf are allowed (they will not match).  A 4-tuple
    ``(weights, biases, dW, db)`` also returns the gradients, else None.
    """
    params = validate.as_sequence(params)
    if not isinstance(params, (list, tuple)) or len(params) not in (2, 4):
        raise NodenetError(f"{what} must be (weights, biases) or (weights, biases, dW, db), "
                           f"got {validate.describe(params)}")
    weights = reading.weight_matrices(params[0], net, layout, f"{what} weights")
    biases = reading.bias_vectors(params[1], net, 1, f"{what} biases")
    nodes = []
    for l, layer in enumerate(net.layers):
        b = biases[l] if biases[l] is not None else [0.0] * len(layer)
        nodes.append([row + [b[j]] if layer.use_bias else list(row)
                      for j, row in enumerate(weights[l])])
    gradients = None
    if len(params) == 4:
        gradients = (params[2], params[3])
    return nodes, gradients


def _differences(expected, got, rtol, atol):
    """Mismatches of per-node parameter lists, the layer nearest the output first, worst first."""
    found = []
    for l in range(len(expected), 0, -1):
        layer = []
        for j, (e_row, g_row) in enumerate(zip(expected[l - 1], got[l - 1])):
            for i, (e, g) in enumerate(zip(e_row, g_row)):
                if not _close(e, g, rtol, atol):
                    layer.append(Mismatch(l, j, i, e, g))
        found += sorted(layer, key=lambda m: -m.abs_error if m.abs_error == m.abs_error
                        else -math.inf)
    return found


def _label(net, m):
    """The parameter a mismatch is about: 'bias' or 'weight from input/node i'."""
    layer = net.layers[m.layer - 1]
    if m.source == layer.n_inputs:
        return "bias"
    return f"weight from {'input' if m.layer == 1 else 'node'} {m.source}"


class ParameterReport(TextReport):
    """The outcome of ``compare_parameters``: ``ok``, ``mismatches`` (nodenet's value as
    ``expected``, the client's as ``got``), ``first`` (the layer nearest the output, worst
    entry), ``str()`` a table of the worst entries."""

    def __init__(self, net, mismatches, n, rtol, atol, max_rows=5):
        self.net, self.mismatches, self.n = net, mismatches, n
        self.rtol, self.atol, self.max_rows = rtol, atol, max_rows

    @property
    def ok(self):
        return not self.mismatches

    @property
    def first(self):
        return self.mismatches[0] if self.mismatches else None

    def where(self, m=None):
        m = m or self.first
        return f"layer {m.layer}, node {m.node}, {_label(self.net, m)}"

    def __bool__(self):
        return self.ok

    def __repr__(self):
        if self.ok:
            return f"ParameterReport(ok, {self.n} parameters)"
        return (f"ParameterReport({len(self.mismatches)} of {self.n} differ, first at "
                f"{self.where()})")

    def __str__(self):
        if self.ok:
            return (f"all {self.n} parameters match nodenet's (rtol={self.rtol:g}, "
                    f"atol={self.atol:g})")
        rows = [(m.layer, m.node, _label(self.net, m), m.expected, m.got, m.abs_error,
                 m.rel_error) for m in self.mismatches[:self.max_rows]]
        more = len(self.mismatches) - len(rows)
        lines = [f"{len(self.mismatches)} of {self.n} parameters differ from nodenet's "
                 f"(rtol={self.rtol:g}, atol={self.atol:g}); first at {self.where()}", "",
                 tabulate(rows, HEADERS, floatfmt=("", "", "", ".12g", ".12g", ".3g", ".3g"))]
        if more:
            lines.append(f"(… and {more} more)")
        return "\n".join(lines)


def _node_values(net):
    return [[node.weights + [node.bias] if layer.use_bias else list(node.weights)
             for node in layer] for layer in net.layers]


def compare_parameters(net, params, *, layout="out_in", rtol=1e-9, atol=1e-12, max_rows=5):
    """Compare ``params = (weights, biases)`` (in ``layout``) with ``net``'s weights and biases.

    Returns a ParameterReport (never raises for a mismatch); arguments of the
    wrong shape raise NodenetError.

    >>> from nodenet import Network
    >>> net = Network.from_matrices([[[1.0, 2.0]]], [[0.5]])
    >>> print(compare_parameters(net, ([[[1.0, 2.0]]], [[0.25]])).where())
    layer 1, node 0, bias
    """
    rtol, atol = _check_tolerance(rtol, atol)
    got, _ = read_parameters(params, net, layout)
    expected = _node_values(net)
    n = sum(len(row) for layer in expected for row in layer)
    return ParameterReport(net, _differences(expected, got, rtol, atol), n, rtol, atol, max_rows)


# -- the replay -------------------------------------------------------------------------

def _client_steps(client, total):
    """The client's parameter sets as an iterator of ``total`` items."""
    if callable(client):
        return (client(k) for k in range(1, total + 1))
    items = validate.as_sequence(client)
    if isinstance(items, (list, tuple)):
        if len(items) != total:
            raise NodenetError(f"client lists {len(items)} parameter sets, but the run has "
                               f"{total} steps (epochs × batches per epoch)")
        return iter(items)
    if hasattr(items, "__iter__") and not isinstance(items, (str, bytes)):
        return iter(items)
    raise NodenetError(f"client must be a list of parameter sets (one per step), an iterator, "
                       f"or a callable client(step); got {validate.describe(client)}")


class Step:
    """Where the replay is: step k (1-based) of an epoch, its batch (at ``position`` in
    the epoch's ``order``, batches of ``size``), its ``lr``, the schedule and base rate
    (``rates``), and ``history``: nodenet's (gradient, lr) of every earlier step."""

    def __init__(self, k, epoch, position, size, order, lr, rates, history):
        self.k, self.epoch, self.position, self.size = k, epoch, position, size
        self.order, self.lr, self.rates, self.history = order, lr, rates, history
        self.batch = order[position:position + size]


def compare_training(net, X, Y, client, *, optimizer, epochs=1, batch_size=1, order=None,
                     schedule=None, layout="out_in", samples="rows", rtol=1e-9, atol=1e-12):
    """Replay a training run in nodenet, step by step, and report the first step where it parts.

    ``net``: the starting network (left unchanged; the replay runs on a
    copy).  ``client``: the client's parameters after each step — a list
    with one ``(weights, biases)`` per step, an iterator of them, or a
    callable ``client(step)`` that runs the client one step and returns
    them; ``(weights, biases, dW, db)`` also gives the gradient the client
    used, which lets the report tell a wrong gradient from a wrong update
    for any optimizer.  ``optimizer``: a nodenet optimizer with the client's
    hyper-parameters (a fresh copy is used); ``schedule``: its learning-rate
    schedule, stepped once per epoch; ``order``: the samples' order, as
    ``train`` takes it (default 0 … N−1 every epoch); the run is ``epochs``
    epochs of batches of ``batch_size``.  Returns a TrainingReport.
    """
    rtol, atol = _check_tolerance(rtol, atol)
    X, Y = reading.batch_pair(net, X, Y, samples, "compare_training")
    epochs = validate.positive_int(epochs, "epochs")
    batch_size = validate.positive_int(batch_size, "batch_size")
    if batch_size > len(X):
        raise NodenetError(f"batch_size must be at most the number of samples ({len(X)}), "
                           f"got {batch_size}")
    replay = Replay(net.copy(), check_optimizer(optimizer).clone(), X, Y, (rtol, atol), layout)
    orders = SampleOrder(order, False, len(X), epochs)
    steps = _client_steps(client, epochs * -(-len(X) // batch_size))
    return replay.run(steps, orders, epochs, batch_size, check_schedule(schedule))


class Replay:
    """nodenet's side of the run: the network, the optimizer, the data, the tolerance."""

    def __init__(self, net, optimizer, X, Y, tolerance, layout):
        self.net, self.optimizer, self.X, self.Y = net, optimizer, X, Y
        self.rtol, self.atol = tolerance
        self.layout = layout

    def run(self, steps, orders, epochs, batch_size, schedule):
        """Step through the epochs; the report of the first step that parts, or an ok one."""
        base = self.optimizer.lr
        lrs = schedule.rates(base, epochs) if schedule else [base] * epochs
        history, k = [], 0                      # nodenet's (gradient, lr) of every step
        for epoch in range(1, epochs + 1):
            order = orders.for_epoch(epoch)
            for position in range(0, len(order), batch_size):
                k += 1
                params = next(steps, None)
                if params is None:
                    raise NodenetError(f"client stopped after {k - 1} steps; the run has "
                                       f"{epochs * -(-len(order) // batch_size)}")
                here = Step(k, epoch, position, batch_size, order, lrs[epoch - 1],
                            (schedule, base), history)
                report = self.step(here, params)
                if report is not None:
                    return report
        return TrainingReport(k, None)

    def step(self, here, params):
        """Take nodenet's step ``here``; a report if the client's ``params`` part from it."""
        got, client_gradient = read_parameters(params, self.net, self.layout,
                                               f"client step {here.k}")
        try:
            gradient = batch_gradient(self.net, self.X, self.Y, here.batch)
        except StepOverflow as err:
            raise NodenetError(f"compare_training: nodenet's own step {here.k} overflowed: "
                               f"{err}") from None
        proposal = self.optimizer.propose(self.net, *gradient, here.lr, explain=True)
        if proposal.where is not None:
            finding = Finding("overflow", None, f"nodenet's own step would overflow: "
                              f"{proposal.where}")
            return TrainingReport(here.k, here, net=self.net, finding=finding)
        mismatches = _differences(_new_values(proposal), got, self.rtol, self.atol)
        if mismatches:
            finding = self.diagnose(here, gradient, got, client_gradient)
            return self.report(here, finding, proposal, mismatches)
        self.optimizer.commit(proposal)
        here.history.append((gradient, here.lr))
        return None

    def predict(self, variant, gradient, lr):
        """The parameters ``variant`` (an optimizer with its state) would write, or None."""
        proposal = variant.propose(self.net, gradient[0], gradient[1], lr)
        return None if proposal.where is not None else _new_values(proposal)

    def reproduces(self, variant, gradient, lr, got):
        predicted = self.predict(variant, gradient, lr)
        return predicted is not None and not _differences(predicted, got, self.rtol, self.atol)

    def diagnose(self, here, gradient, got, client_gradient):
        """The Finding that explains the client's step, trying the known mistakes in turn."""
        opt = self.optimizer
        for cause, text, variant, lr in _update_variants(opt, here):
            if self.reproduces(variant or opt, gradient, lr, got):
                return Finding(cause, "update", text)
        for cause, text, used in _gradient_variants(here, self.X, self.Y, self.net, gradient):
            if self.reproduces(opt, used, here.lr, got):
                return Finding(cause, "gradient", text, used)
        if client_gradient is not None:
            used = self.client_gradient(client_gradient, len(here.batch))
            if self.reproduces(opt, used, here.lr, got):
                return Finding("gradient", "gradient", "the client's update is right for the "
                               "gradient it used, but that gradient is not the batch's", used)
            return Finding("update", "update", "the client's gradient is right (or, if the "
                           "report below says otherwise, also wrong), but its update from it "
                           "is not nodenet's: compare its optimizer state with nodenet's", used)
        implied = _implied_gradient(opt, self.net, got, here.lr)
        if implied is not None:
            return Finding("gradient", "gradient", "none of the known update mistakes explains "
                           f"the step; if the client's {type(opt).__name__} update is right, "
                           "the gradient it used is not the batch's (inferred from its step)",
                           implied)
        return Finding("unknown", None, f"none of the known mistakes explains the step, and a "
                       f"{type(opt).__name__} step cannot be undone to find the gradient: return "
                       "(weights, biases, dW, db) from the client to tell a wrong gradient from "
                       "a wrong update")

    def client_gradient(self, gradient, n_samples):
        dW = reading.weight_matrices(gradient[0], self.net, self.layout, "client dW")
        db = reading.bias_vectors(gradient[1], self.net, n_samples, "client db")
        return dW, [b if b is not None else [0.0] * len(layer)
                    for b, layer in zip(db, self.net.layers)]

    def report(self, here, finding, proposal, mismatches):
        """The TrainingReport of a step that parts, with the gradient report when it is known."""
        gradients = None
        if finding.gradient is not None:
            XB, YB = [self.X[s] for s in here.batch], [self.Y[s] for s in here.batch]
            gradients = compare_gradients(self.net, XB, YB, *finding.gradient,
                                          rtol=max(self.rtol, 1e-9), atol=max(self.atol, 1e-12))
            if finding.cause == "update" and not gradients.ok:
                finding = Finding("gradient", "gradient", "the gradient the client used is not "
                                  "the batch's (the report below)", finding.gradient)
        m = mismatches[0]
        columns = proposal.columns[m.layer - 1][m.node]
        state = {name: values[m.source] for name, values in columns.items()}
        n = sum(len(p) for node in proposal.values for p, _ in node)
        params = ParameterReport(self.net, mismatches, n, self.rtol, self.atol)
        return TrainingReport(here.k, here, net=self.net, finding=finding, params=params,
                              gradients=gradients, state=state, optimizer=self.optimizer)


def _new_values(proposal):
    return [[p for p, _ in node] for node in proposal.values]


# -- finding the cause ---------------------------------------------------------------------

class Finding:
    """A cause: ``cause`` (e.g. "bias correction"), ``category`` ("update" or
    "gradient"), ``text`` (one explanation) and the gradient the client used, if known."""

    def __init__(self, cause, category, text, gradient=None):
        self.cause, self.category, self.text, self.gradient = cause, category, text, gradient


def _update_variants(opt, here):
    """(cause, text, optimizer variant, lr) for the known mistakes of an optimizer's update."""
    name = type(opt).__name__
    out = []

    def variant(**changes):
        twin = copy.copy(opt)
        for key, value in changes.items():
            setattr(twin, key, value)
        return twin
    if hasattr(opt, "bias_corrections"):
        c1, c2 = opt.bias_corrections(here.k)
        for text, pair in (("neither m nor v is divided by its bias correction "
                            "(1 − β1^t, 1 − β2^t)", (1.0, 1.0)),
                           ("m is not divided by its bias correction 1 − β1^t", (1.0, c2)),
                           ("v is not divided by its bias correction 1 − β2^t", (c1, 1.0))):
            out.append(("bias correction", f"{text}; nodenet's {name} divides m by "
                        f"{c1:.6g} and v by {c2:.6g} in step {here.k}",
                        variant(bias_corrections=lambda t, pair=pair: pair), here.lr))
    if opt.weight_decay:
        flip = not opt.decay_biases
        out.append(("weight decay", ("the client decays the biases too; nodenet's "
                                     f"{name}(decay_biases=False) does not" if flip else
                                     "the client does not decay the biases; nodenet's "
                                     f"{name}(decay_biases=True) does (as PyTorch does every "
                                     "parameter it is given)"),
                    variant(decay_biases=flip), here.lr))
        out.append(("weight decay", f"the client applies no weight decay (nodenet: "
                    f"weight_decay={opt.weight_decay:g})", variant(weight_decay=0.0), here.lr))
        if hasattr(opt, "decoupled"):
            how = ("decoupled (AdamW: w ← w·(1 − ηλ))" if not opt.decoupled
                   else "added to the gradient (Adam's L2: g + λw)")
            out.append(("weight decay", f"the client's weight decay is {how}, unlike nodenet's "
                        f"{name}", variant(decoupled=not opt.decoupled), here.lr))
    out += _momentum_variants(opt, here)
    out += _lr_variants(here)
    return out


def _momentum_variants(opt, here):
    """The other momentum form, with its state carried over from this one's."""
    previous = here.history[-1][1] if here.history else here.lr
    if isinstance(opt, SGD) and opt.momentum and not opt.nesterov and opt.steps:
        twin = HandoutMomentum(opt.lr, opt.momentum, opt.weight_decay, opt.decay_biases)
        twin.steps = opt.steps
        twin.state = [[([-previous * b for b in node[0]],) for node in layer]
                       for layer in opt.state]
        return [("momentum buffer", "the client keeps η inside the velocity (v ← μ·v − η·g, "
                 "w ← w + v: the handout's and Keras' form); PyTorch's SGD keeps buf ← μ·buf + g "
                 "and steps −η·buf, so the two part when η changes", twin, here.lr)]
    if isinstance(opt, HandoutMomentum) and opt.momentum and opt.steps and previous:
        twin = SGD(opt.lr, opt.momentum, weight_decay=opt.weight_decay,
                   decay_biases=opt.decay_biases)
        twin.steps = opt.steps
        twin.state = [[([-v / previous for v in node[0]],) for node in layer]
                      for layer in opt.state]
        return [("momentum buffer", "the client keeps η out of its buffer (PyTorch's "
                 "buf ← μ·buf + g, w ← w − η·buf); nodenet's HandoutMomentum keeps it inside "
                 "(v ← μ·v − η·g), so the two part when η changes", twin, here.lr)]
    return []


def _lr_variants(here):
    schedule, base = here.rates
    out = []
    if schedule is not None:
        per_batch = schedule.rates(base, here.k)[-1]
        if per_batch != here.lr:
            out.append(("learning rate", f"the client steps its schedule after every batch, not "
                        f"after every epoch: lr = {per_batch:.6g} in step {here.k}, where "
                        f"nodenet's epoch {here.epoch} uses {here.lr:.6g}", None, per_batch))
        early = schedule.rates(base, here.epoch + 1)[-1]
        if early != here.lr:
            out.append(("learning rate", f"the client steps its schedule before the epoch: "
                        f"lr = {early:.6g} in epoch {here.epoch}, nodenet's {here.lr:.6g}",
                        None, early))
        if base != here.lr:
            out.append(("learning rate", f"the client never steps its schedule: lr = {base:.6g} "
                        f"in epoch {here.epoch}, nodenet's {here.lr:.6g}", None, base))
    return out


def _shifted(here, X, Y, net):
    """Gradients of batches one place off in the order, or one sample index off."""
    n, start, size = len(here.order), here.position, len(here.batch)
    out = []
    for s in (1, -1):
        moved = [here.order[(start + i + s) % n] for i in range(size)]
        where = "later" if s > 0 else "earlier"
        out.append((f"the client's batch is {_samples(moved)}, one place {where} in the "
                    f"epoch's order than nodenet's {_samples(here.batch)}", moved))
        shifted = [(i + s) % n for i in here.batch]
        out.append((f"the client's batch is samples {_samples(shifted)}: each index "
                    f"{'+' if s > 0 else '−'}1 from nodenet's {_samples(here.batch)}", shifted))
    return [(text, batch_gradient(net, X, Y, batch)) for text, batch in out
            if sorted(batch) != sorted(here.batch)]


def _samples(batch):
    return "[" + ", ".join(map(str, batch)) + "]"


def _sum(gradients):
    gw = [[[sum(vals) for vals in zip(*rows)] for rows in zip(*layer)]
          for layer in zip(*[g[0] for g in gradients])]
    gb = [[sum(vals) for vals in zip(*layer)] for layer in zip(*[g[1] for g in gradients])]
    return gw, gb


def _gradient_variants(here, X, Y, net, gradient):
    out = []
    earlier = [g for g, _ in here.history]
    if earlier:
        out.append(("gradient accumulation", "the gradient the client used is the sum of this "
                    f"step's and all {len(earlier)} earlier steps' gradients: they were never "
                    "zeroed (call optimizer.zero_grad(), or reset the buffers, every step)",
                    _sum(earlier + [gradient])))
        in_epoch = here.position // here.size
        if 0 < in_epoch < len(earlier):
            out.append(("gradient accumulation", "the gradient the client used is the sum of "
                        "this epoch's gradients so far: they are zeroed once per epoch, not every "
                        "step", _sum(earlier[-in_epoch:] + [gradient])))
    for text, shifted in _shifted(here, X, Y, net):
        out.append(("batch order", text, shifted))
    return out


def _implied_gradient(opt, net, got, lr):
    """The gradient an SGD-family step must have used to reach ``got``, or None."""
    if not lr or not isinstance(opt, (SGD, HandoutMomentum)):
        return None
    if isinstance(opt, SGD) and opt.dampening == 1.0 and opt.steps:
        return None
    t = opt.steps + 1
    gw, gb = [], []
    for l, layer in enumerate(net.layers):
        rows, biases = [], []
        for j, node in enumerate(layer):
            p = node.weights + [node.bias] if layer.use_bias else list(node.weights)
            state = opt.state[l][j] if opt.state is not None else opt.initial_state(len(p))
            g = [_one(opt, pi, ci, s, lr, t) for pi, ci, s in
                 zip(p, got[l][j], zip(*state) if state else [()] * len(p))]
            if opt.weight_decay:
                rates = [opt.weight_decay] * layer.n_inputs + (
                    [opt.weight_decay if opt.decay_biases else 0.0] if layer.use_bias else [])
                g = [gi - r * pi for gi, r, pi in zip(g, rates, p)]
            rows.append(g[:layer.n_inputs])
            biases.append(g[layer.n_inputs] if layer.use_bias else 0.0)
        gw.append(rows)
        gb.append(biases)
    return gw, gb


def _one(opt, p, c, state, lr, t):
    """One parameter's implied (weight-decayed) gradient from p → c."""
    if isinstance(opt, HandoutMomentum):
        return (opt.momentum * (state[0] if state else 0.0) - (c - p)) / lr
    mu, step = opt.momentum, (p - c) / lr
    if not mu:
        return step
    if opt.nesterov:
        return step / (1 + mu) if t == 1 else (step - mu * mu * state[0]) / (1 + mu)
    return step if t == 1 else (step - mu * state[0]) / (1.0 - opt.dampening)


# -- the report -----------------------------------------------------------------------------

class TrainingReport(TextReport):
    """The outcome of ``compare_training``.

    ``ok``: every step agreed; ``steps``: how many were compared.  When not
    ok: ``step`` (1-based), ``epoch``, ``batch`` (the sample indices) and
    ``lr`` of the first step that parts; ``parameters`` (a ParameterReport:
    ``first`` is the layer nearest the output, worst entry); ``cause`` (e.g.
    ``"bias correction"``, ``"weight decay"``, ``"momentum buffer"``,
    ``"learning rate"``, ``"gradient accumulation"``, ``"batch order"``,
    ``"gradient"``, ``"update"``, ``"unknown"``) and ``category``
    (``"gradient"``: the gradient the client used is wrong; ``"update"``:
    its update from a right gradient is); ``explanation``; ``gradients``
    (a GradientReport of the gradient the client used, when it is known);
    ``state``: nodenet's optimizer quantities for the first parameter.
    """

    def __init__(self, steps, here, net=None, finding=None, params=None, gradients=None,
                 state=None, optimizer=None):
        self.steps, self.here, self.net, self.finding = steps, here, net, finding
        self.parameters, self.gradients, self.state = params, gradients, state
        self.optimizer = optimizer

    @property
    def ok(self):
        return self.finding is None

    def __bool__(self):
        return self.ok

    step = property(lambda self: None if self.ok else self.here.k)
    epoch = property(lambda self: None if self.ok else self.here.epoch)
    batch = property(lambda self: None if self.ok else tuple(self.here.batch))
    lr = property(lambda self: None if self.ok else self.here.lr)
    cause = property(lambda self: None if self.ok else self.finding.cause)
    category = property(lambda self: None if self.ok else self.finding.category)
    explanation = property(lambda self: None if self.ok else self.finding.text)

    def __repr__(self):
        if self.ok:
            return f"TrainingReport(ok, {self.steps} steps)"
        where = f", {self.parameters.where()}" if self.parameters else ""
        return f"TrainingReport(parts at step {self.step}{where}: {self.cause})"

    def __str__(self):
        if self.ok:
            return f"training matches nodenet's step by step: all {self.steps} steps"
        here = self.here
        lines = [f"training parts from nodenet's at step {here.k} (epoch {here.epoch}, batch "
                 f"{_samples(here.batch)}, lr = {here.lr:.6g})"]
        if self.parameters is not None:
            m = self.parameters.first
            lines.append(f"first difference: {self.parameters.where()}: nodenet {m.expected!r}, "
                         f"client {m.got!r} ({len(self.parameters.mismatches)} of "
                         f"{self.parameters.n} parameters differ)")
        kind = f" ({self.category})" if self.category else ""
        lines.append(f"cause{kind}: {self.cause} — {self.explanation}")
        if self.state:
            values = ", ".join(f"{k} = {v:.12g}" for k, v in self.state.items())
            lines.append(f"nodenet's {type(self.optimizer).__name__} step for that parameter: "
                         f"{values}")
        if self.gradients is not None:
            lines += ["", "The gradient the client used, against the batch's:", str(self.gradients)]
        return "\n".join(lines)
