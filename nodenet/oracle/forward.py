"""Compare a vectorized forward pass with nodenet's, layer by layer.

A forward bug makes every gradient wrong, so check the forward pass first:
this names the first layer whose net inputs z or activations a differ, and
says which of the two went wrong first.
"""

from collections import namedtuple
from math import exp

from tabulate import tabulate

from . import reading, tolerance, truth
from .. import validate
from ..display import TextReport
from ..errors import NodenetError
from .reading import Difference

HEADERS = ("layer", "value", "sample", "node", "expected", "got", "abs error", "rel error")
FLOATFMT = ("", "", "", "", ".12g", ".12g", ".3g", ".3g")


class ForwardMismatch(Difference,
                      namedtuple("ForwardMismatch", "layer value sample node expected got")):
    """One differing entry: ``value`` is "z" (net input) or "a" (activation)."""

    __slots__ = ()

    def __repr__(self):
        return (f"ForwardMismatch(layer {self.layer} {self.value}, sample {self.sample}, "
                f"node {self.node}: expected {self.expected!r}, got {self.got!r})")


class ForwardReport(TextReport):
    """The outcome of ``compare_forward``; ``str(report)`` is the full text.

    ``ok``; ``first_layer`` (1-based, None if ok) and ``first_value``
    ("z" or "a") say where the passes part; ``mismatches`` lists every
    differing entry in forward order; ``hints`` what the numbers show.
    """

    def __init__(self, mismatches, counts, context, max_rows=10, eps=None, hints=()):
        self.mismatches = mismatches
        self.counts = counts          # [(layer, value, n_differ, n_total, activation)]
        self.context = context
        self.max_rows = max_rows
        self.eps = eps
        self.hints = list(hints)
        self.truth = None           # reference="exact": nodenet.oracle.truth.Truth

    @property
    def ok(self):
        return not self.mismatches

    @property
    def first_layer(self):
        return self.mismatches[0].layer if self.mismatches else None

    @property
    def first_value(self):
        return self.mismatches[0].value if self.mismatches else None

    def __bool__(self):
        return self.ok

    def __repr__(self):
        if self.ok:
            return "ForwardReport(ok)"
        return (f"ForwardReport(first difference in layer {self.first_layer} "
                f"{self.first_value}, {len(self.mismatches)} entries differ)")

    def __str__(self):
        extra = ["", *self.truth.lines()] if self.truth is not None else []
        if self.ok:
            return "\n".join([f"forward pass matches nodenet's in every layer "
                              f"({self.context})"] + extra)
        l, v = self.first_layer, self.first_value
        what = "net inputs z" if v == "z" else "activations a"
        lines = [f"forward pass differs from nodenet's from layer {l} on: its {what} "
                 f"are the first values that differ ({self.context})"]
        for layer, value, bad, total, act in self.counts:
            if layer < l:
                continue
            name = "net inputs z" if value == "z" else f"activations a ({act})"
            lines.append(f"layer {layer} {name}: " + (f"{bad} of {total} differ" if bad
                                                       else f"all {total} match"))
        rows = [(m.layer, m.value, m.sample, m.node, m.expected, m.got, m.abs_error, m.rel_error)
                + (() if self.eps is None else (m.in_eps(self.eps),))
                for m in self.mismatches if m.layer == l][:self.max_rows]
        headers, floatfmt = HEADERS, FLOATFMT
        if self.eps is not None:
            headers, floatfmt = headers + ("rel error / ε",), floatfmt + (".3g",)
        lines += ["", tabulate(rows, headers, floatfmt=floatfmt)]
        act = next(c[4] for c in self.counts if c[0] == l)
        if v == "a" and any(c[0] == l and c[1] == "z" for c in self.counts):
            lines.append(f"\nlayer {l}'s net inputs agree but its activations do not: "
                         f"check its activation function (nodenet: {act})")
        elif v == "z":
            below = "the inputs" if l == 1 else f"layer {l - 1}'s activations"
            lines.append(f"\n{below} agree but layer {l}'s net inputs do not: check its weights "
                         f"(layout?) and biases, z = W·a + b")
        else:
            below = "the inputs" if l == 1 else f"layer {l - 1}'s activations"
            lines.append(f"\n{below} agree but layer {l}'s activations do not: check its weights, "
                         f"biases and activation function (nodenet: {act}); pass nets_per_layer "
                         f"to tell them apart")
        lines += self.hints
        return "\n".join(lines + extra)


def compare_forward(net, X, outputs_per_layer, nets_per_layer=None, *, samples="rows",
                    dtype=None, rtol=None, atol=None, max_rows=10, reference="float64"):
    """Compare per-layer activations (and optionally net inputs) with nodenet's.

    ``outputs_per_layer`` lists one array per layer, the first hidden layer
    first and the output layer last (not the inputs): N×n with
    ``samples="rows"`` (seed 001's ``a1 = sigmoid(X·W1)``) or n×N with
    ``samples="columns"`` (seed 002's ``A1``).  ``nets_per_layer`` is the
    same for the net inputs z.  ``dtype`` picks rtol and atol, and
    ``reference="exact"`` compares with the true values and reports errors
    in ulps, as in ``compare_gradients``.  Returns a ForwardReport.

    >>> from nodenet import Network
    >>> net = Network.from_matrices([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0]]],
    ...                             activations="identity")
    >>> compare_forward(net, [[1, 2]], [[[1, 2]], [[3]]]).ok
    True
    >>> compare_forward(net, [[1, 2]], [[[2, 1]], [[3]]]).first_layer
    1
    """
    rtol, atol, eps = tolerance.resolve(dtype, rtol, atol)
    reading.check_samples(samples)
    X = reading.per_sample(X, net.sizes[0], "compare_forward: inputs", samples, noun="inputs")
    L = len(net.layers)
    given = {"a": _per_layer(outputs_per_layer, net, len(X), samples, "outputs_per_layer",
                             "activations")}
    if nets_per_layer is not None:
        given["z"] = _per_layer(nets_per_layer, net, len(X), samples, "nets_per_layer",
                                "net inputs")
    if not validate.is_choice(reference, ("float64", "exact")):
        raise NodenetError(f"reference must be 'float64' (nodenet's float64 pass) or 'exact' "
                           f"(the true values, nodenet.exact), got {validate.brief(reference)}")
    expected = {"z": [[] for _ in range(L)], "a": [[] for _ in range(L)]}
    for x in X:
        net.feedforward(x)
        for l, layer in enumerate(net.layers):
            expected["z"][l].append([node.net for node in layer])
            expected["a"][l].append([node.output for node in layer])
    if reference == "exact":
        ours = expected
        expected, true = truth.passes(net, X)
    mismatches, counts = [], []
    for l in range(L):
        for value in ("z", "a"):
            if value not in given:
                continue
            bad = 0
            for s, (erow, grow) in enumerate(zip(expected[value][l], given[value][l])):
                for j in tolerance.mismatched(erow, grow, rtol, atol):
                    bad += 1
                    mismatches.append(ForwardMismatch(l + 1, value, s, j, erow[j], grow[j]))
            counts.append((l + 1, value, bad, len(X) * len(net.layers[l]),
                           repr(net.layers[l].activation)))
    precision = "" if dtype is None else f"{tolerance.dtype_name(dtype)}: "
    context = (f"{len(X)} sample{'s' if len(X) != 1 else ''}, {precision}"
               f"rtol={rtol:g}, atol={atol:g}")
    hints = []
    if mismatches and mismatches[0].value == "a":
        l = mismatches[0].layer
        hints = _normalized_over_samples(net.layers[l - 1].activation.name, l,
                                         given["a"][l - 1], samples, max(1e-3, rtol))
    report = ForwardReport(mismatches, counts, context, max_rows,
                           None if dtype is None else eps, hints)
    if reference == "exact":
        report.truth = truth.forward_truth(true, given, ours, dtype and tolerance.dtype_name(dtype))
    return report


def _normalized_over_samples(act, l, got, samples, tol):
    """The softmax-over-the-wrong-axis hint, if the numbers show it (2+ samples): sums
    within ``tol`` of 1 over the samples, not over the nodes."""
    if act not in ("softmax", "log_softmax") or len(got) < 2:
        return []
    probs = got if act == "softmax" else [[exp(min(v, 700.0)) for v in row] for row in got]
    per_node = [sum(column) for column in zip(*probs)]
    per_sample = [sum(row) for row in probs]
    if all(abs(t - 1.0) < tol for t in per_node) and \
            not all(abs(t - 1.0) < tol for t in per_sample):
        right, wrong = ("axis=1", "axis=0") if samples == "rows" else ("axis=0", "axis=1")
        return [f"layer {l}'s {act} is normalized over the samples: each node's outputs sum to "
                f"1 across the batch instead of each sample's outputs across the nodes (in "
                f"your {'N×n' if samples == 'rows' else 'n×N'} arrays: {right}, not {wrong}; "
                f"in PyTorch dim=-1)"]
    return []


def assert_forward_match(net, X, outputs_per_layer, nets_per_layer=None, *, samples="rows",
                         dtype=None, rtol=None, atol=None, max_rows=10, reference="float64"):
    """Raise AssertionError naming the first layer that differs; else return the report."""
    report = compare_forward(net, X, outputs_per_layer, nets_per_layer, samples=samples,
                             dtype=dtype, rtol=rtol, atol=atol, max_rows=max_rows,
                             reference=reference)
    if not report.ok:
        raise AssertionError(str(report))
    return report


def _per_layer(arrays, net, n, samples, what, noun):
    arrays = reading.plain(arrays)
    L = len(net.layers)
    if isinstance(arrays, (str, bytes)) or not isinstance(arrays, (list, tuple)):
        raise NodenetError(f"{what} must list one array per layer ({L}), "
                           f"got {validate.describe(arrays)}")
    if len(arrays) != L:
        extra = (" — leave out the inputs: the list starts at layer 1, the first hidden layer"
                 if len(arrays) == L + 1 else "")
        raise NodenetError(f"{what} must list one array per layer: expected {L}, "
                           f"got {len(arrays)}{extra}")
    return [reading.per_sample(a, len(layer), f"layer {l} {noun}", samples, n_samples=n,
                             noun="nodes", loose=True)
            for l, (a, layer) in enumerate(zip(arrays, net.layers), start=1)]
