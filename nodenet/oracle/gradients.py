"""Compare a caller's weight and bias gradients with nodenet's, entry by entry.

nodenet's gradients are the plain ∂L/∂W and ∂L/∂b of the batch loss (the
sign of PyTorch's ``.grad``), summed or averaged over samples as the
network's loss says.  A report lists, per layer, how many entries differ and
tabulates the worst ones, nearest-the-output layer first: backprop runs from
the output down, so the top-most layer that differs is where to look first.
"""

from collections import namedtuple

from tabulate import tabulate

from . import reading, hints, tolerance, truth, variants
from .. import validate
from ..display import TextReport
from ..errors import NodenetError
from ..faults import all_finite
from .reading import Difference

REFERENCES = ("float64", "exact")

HEADERS = ("layer", "node", "from", "expected", "got", "abs error", "rel error")
FLOATFMT = ("", "", "", ".12g", ".12g", ".3g", ".3g")
EPS_HEADER, EPS_FMT = "rel error / ε", ".3g"


class Mismatch(Difference, namedtuple("Mismatch", "layer node source expected got")):
    """One entry that differs: ``layer`` 1-based (1 = first hidden layer),
    ``node`` and ``source`` 0-based (``source`` is the incoming node, or
    ``"bias"``)."""

    __slots__ = ()

    def where(self):
        src = ("bias" if self.source == "bias"
               else f"weight from {source_name(self.layer, self.source)}")
        return f"layer {self.layer}, node {self.node}, {src}"

    def row(self, eps=None):
        """The table row; with ``eps``, the relative error in units of it as well."""
        src = "bias" if self.source == "bias" else source_name(self.layer, self.source)
        row = (self.layer, self.node, src, self.expected, self.got, self.abs_error,
               self.rel_error)
        return row if eps is None else row + (self.in_eps(eps),)

    def __repr__(self):
        return f"Mismatch({self.where()}: expected {self.expected!r}, got {self.got!r})"


def source_name(layer, i):
    """Layer 1's incoming nodes are the inputs; above it, the nodes below."""
    return f"input {i}" if layer == 1 else f"node {i}"


def _error_order(m):
    e = m.abs_error
    return -(e if e == e else float("inf"))      # NaN first: it is the worst


class LayerSummary(namedtuple("LayerSummary",
                              "layer weights_differ n_weights biases_differ n_biases")):
    """How many of one layer's entries differ (``n_biases`` is 0 if not compared)."""

    __slots__ = ()

    @property
    def ok(self):
        return self.weights_differ == 0 and self.biases_differ == 0

    def __str__(self):
        if self.n_biases:
            if self.ok:
                return (f"layer {self.layer}: all {self.n_weights} weights and "
                        f"{self.n_biases} biases match")
            return (f"layer {self.layer}: {self.weights_differ} of {self.n_weights} weights and "
                    f"{self.biases_differ} of {self.n_biases} biases differ")
        if self.ok:
            return f"layer {self.layer}: all {self.n_weights} weights match (biases not compared)"
        return (f"layer {self.layer}: {self.weights_differ} of {self.n_weights} weights differ "
                f"(biases not compared)")


class GradientReport(TextReport):
    """The outcome of ``compare_gradients``; ``str(report)`` is the full text.

    ``ok``: every entry agrees.  ``mismatches``: the differing entries, the
    layer nearest the output first, then worst first.  ``layers``: one
    LayerSummary per layer, output layer first.  ``worst``: the mismatch with
    the largest absolute error (None if ok).  ``max_abs_error`` and
    ``max_rel_error``: over every compared entry.  ``hints``: likely causes.
    ``notes``: layers whose every expected entry is below atol (so atol
    alone let them pass).  ``truth``: with ``reference="exact"``, the true
    values and both float errors against them in ulps (``truth.worst(l)``).
    """

    def __init__(self, mismatches, layers, compared, context, hints, max_rows=5, eps=None,
                 atol=0.0):
        self.mismatches = mismatches
        self.layers = layers
        self.context = context
        self.hints = hints
        self.max_rows = max_rows
        self.eps = eps                  # a dtype's ε: the table shows errors in units of it
        self._compared = compared       # a Compared: every row is read again on demand
        self._atol = atol
        self._stats = None
        self.truth = None

    def _layer_stats(self):
        """``{layer: ((max abs error, max rel error), largest |expected|)}``, output layer
        first; computed once, when first asked for."""
        if self._stats is None:
            self._stats = {}
            for s in self.layers:
                pairs = list(self._compared.pairs(s.layer))
                top = max((max(map(abs, e)) for e, _ in pairs if e), default=0.0)
                self._stats[s.layer] = (tolerance.max_errors(pairs), top)
        return self._stats

    def _max_errors(self):
        errors = [e for e, _ in self._layer_stats().values()]
        if any(e != e for e, _ in errors):                 # a NaN anywhere: both NaN
            return float("nan"), float("nan")
        return max(e for e, _ in errors), max(r for _, r in errors)

    @property
    def max_abs_error(self):
        return self._max_errors()[0]

    @property
    def max_rel_error(self):
        return self._max_errors()[1]

    @property
    def notes(self):
        """A line for each layer where every expected entry is within atol of 0 (not all 0)."""
        lines = []
        for l, (_, top) in self._layer_stats().items():
            if 0.0 < top <= self._atol:
                lines.append(f"note: every expected entry of layer {l} is at most "
                             f"{top:.3g}, within atol = {self._atol:g} of 0, so atol alone lets "
                             f"them pass: pass a smaller atol to compare them")
        return lines

    @property
    def ok(self):
        return not self.mismatches

    @property
    def worst(self):
        if not self.mismatches:
            return None
        return min(self.mismatches, key=_error_order)

    @property
    def first_layer(self):
        """The differing layer nearest the output (where backprop goes wrong first)."""
        return self.mismatches[0].layer if self.mismatches else None

    def __bool__(self):
        return self.ok

    def __repr__(self):
        if self.ok:
            return f"GradientReport(ok, max abs error {self.max_abs_error:.3g})"
        w = self.worst
        n = len(self.mismatches)
        return (f"GradientReport({n} {'entry differs' if n == 1 else 'entries differ'}, "
                f"worst at {w.where()}: "
                f"abs error {w.abs_error:.3g})")

    def __str__(self):
        n = sum(s.n_weights + s.n_biases for s in self.layers)
        if self.ok:
            lines = [f"gradients match nodenet's: all {n} entries ({self.context}); "
                     f"max abs error {self.max_abs_error:.3g}, "
                     f"max rel error {self.max_rel_error:.3g}"]
            lines += [str(s) for s in self.layers]
            return "\n".join(lines + self.notes + self._truth_lines())
        lines = [f"gradients differ from nodenet's in {len(self.mismatches)} of {n} entries "
                 f"({self.context})"]
        lines += [str(s) for s in self.layers]
        rows, left = [], 0
        for s in self.layers:
            mine = [m for m in self.mismatches if m.layer == s.layer]
            rows += [m.row(self.eps) for m in mine[:self.max_rows]]
            left += max(0, len(mine) - self.max_rows)
        headers, floatfmt = HEADERS, FLOATFMT
        if self.eps is not None:
            headers, floatfmt = headers + (EPS_HEADER,), floatfmt + (EPS_FMT,)
        lines += ["", tabulate(rows, headers, floatfmt=floatfmt)]
        if left:
            lines.append(f"(… and {left} more; showing the worst {self.max_rows} per layer)")
        if self.hints:
            lines.append("")
            lines += self.hints
        notes = self.notes
        if notes:
            lines += [""] + notes
        return "\n".join(lines + self._truth_lines())

    def _truth_lines(self):
        return [""] + self.truth.lines() if self.truth is not None else []


OVERFLOWED = ("compare_gradients: nodenet's own gradients overflowed to NaN or ±inf "
              "(weights or inputs too large)")


class Given(namedtuple("Given", "w b")):
    """Expected gradients as whole matrices (the exact reference), read as GradientTerms."""

    __slots__ = ()

    def rows(self, l):
        return iter(self.w[l])

    def biases(self, l):
        return self.b[l]

    def matrices(self):
        return self.w, self.b


class Compared(namedtuple("Compared", "expected got_w got_b")):
    """What a comparison compared: ``expected`` (nodenet.terms.GradientTerms, or Given)
    and the caller's rows, read again whenever a report needs them."""

    __slots__ = ()

    def bias(self, l):
        """The caller's biases of layer l (1-based), or None if they are not compared."""
        return None if self.got_b is None else self.got_b[l - 1]

    def pairs(self, l):
        """(expected row, got row) of layer l (1-based): its weight rows, then its biases."""
        yield from zip(self.expected.rows(l - 1), self.got_w[l - 1])
        if self.bias(l) is not None:
            yield self.expected.biases(l - 1), self.bias(l)

    def lists(self):
        """``(exp_w, exp_b, got_w, got_b)`` as whole lists, for the hints."""
        exp_w, exp_b = self.expected.matrices()
        return exp_w, exp_b, [[list(row) for row in m] for m in self.got_w], self.got_b


def compare_gradients(net, X, Y, dW, db=None, *, layout="out_in", samples="rows",
                      dtype=None, rtol=None, atol=None, masks=None, max_rows=5,
                      reference="float64"):
    """Compare ``dW`` and ``db`` with nodenet's gradients for the batch ``X, Y``.

    ``dW`` lists one weight matrix per layer in ``layout`` ("out_in": row j
    is node j's incoming weights, PyTorch's and seed 002's; "in_out": its
    transpose, seed 001's ``X·W``, Flax's and Keras' kernels).  ``db`` lists
    one vector per layer (n, n×1 and 1×n all do; None for a layer without
    biases), or is None to compare the weights only.  An entry agrees when
    |got − expected| ≤ atol + rtol·|expected|; ``dtype`` ("float64",
    "float32", "float16", "bfloat16") is the precision your code computes in
    and picks rtol and atol (see nodenet.oracle.tolerance), and the table
    then also gives each relative error in units of that dtype's ε.
    ``masks``: for code with dropout, one entry per layer — None, or the
    N×n multipliers (0 or 1/(1 − p)) your forward pass drew for each sample.
    ``reference="exact"`` compares with the true values, correctly rounded
    (``nodenet.exact``, needs mpmath), instead of nodenet's float64 ones, and
    the report adds each layer's worst error in ulps: yours in your dtype's,
    nodenet's own float64 in float64's.
    Returns a GradientReport; never raises for a mismatch.  Arguments of the
    wrong shape raise NodenetError, saying which layer and what was expected.

    >>> from nodenet import Network
    >>> net = Network.from_matrices([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0]]],
    ...                             activations="identity", loss="sse")
    >>> report = compare_gradients(net, [[1, 2]], [[0]], [[[6, 12], [6, 12]], [[6, 10]]])
    >>> report.ok, report.first_layer, report.worst
    (False, 2, Mismatch(layer 2, node 0, weight from node 1: expected 12.0, got 10.0))
    """
    rtol, atol, eps = tolerance.resolve(dtype, rtol, atol)
    X, Y = reading.batch_pair(net, X, Y, samples, "compare_gradients")
    got_w = reading.weight_matrices(dW, net, layout, arrays=True)
    got_b = reading.bias_vectors(db, net, len(X))
    masks = read_masks(masks, net, len(X), samples)
    exact = _check_reference(reference, masks)
    expected = variants.terms(net, X, Y, masks)     # nodenet's rows, built one at a time
    if expected is None:
        raise NodenetError(OVERFLOWED)
    ours = None
    if exact:
        ours = expected.matrices()
        if not all(map(all_finite, [*(r for m in ours[0] for r in m), *ours[1]])):
            raise NodenetError(OVERFLOWED)
        exp_w, exp_b, true = truth.gradients(net, X, Y)
        expected = Given(exp_w, exp_b)
    compared = Compared(expected, got_w, got_b)
    mismatches, summaries = [], []
    for l in range(len(net.layers), 0, -1):          # output layer first
        found, w_bad = _layer_mismatches(compared, l, rtol, atol)
        mismatches += found
        layer, b = net.layers[l - 1], compared.bias(l)
        summaries.append(LayerSummary(l, w_bad, len(layer) * layer.n_inputs, len(found) - w_bad,
                                      0 if b is None else len(b)))
    found_hints = []
    if mismatches:
        case = hints.Case(net, X, Y, masks, layout, rtol, atol, summaries, *compared.lists())
        found_hints = hints.likely_causes(case)
    context = _context(net, len(X), layout, dtype, rtol, atol, exact)
    report = GradientReport(mismatches, summaries, compared, context, found_hints, max_rows,
                            None if dtype is None else eps, atol)
    if exact:
        report.truth = truth.gradient_truth(true, compared.lists()[2], got_b, *ours,
                                            dtype and tolerance.dtype_name(dtype),
                                            truth.saturated_layers(net, X))
    return report


def _layer_mismatches(compared, l, rtol, atol):
    """The mismatches of layer l (1-based), worst first, and how many are weights."""
    found = []
    for j, (erow, grow) in enumerate(zip(compared.expected.rows(l - 1), compared.got_w[l - 1])):
        if not tolerance.within_atol(erow, grow, atol):     # most rows agree at once
            found += [Mismatch(l, j, i, erow[i], grow[i])
                      for i in _mismatched(erow, grow, rtol, atol)]
    n_weights = len(found)
    b = compared.bias(l)
    if b is not None:
        e = compared.expected.biases(l - 1)
        found += [Mismatch(l, j, "bias", e[j], b[j]) for j in _mismatched(e, b, rtol, atol)]
    found.sort(key=_error_order)
    return found, n_weights


def _context(net, n, layout, dtype, rtol, atol, exact):
    """The report's parenthesis: loss, batch, layout, tolerances, reference."""
    precision = "" if dtype is None else f"{tolerance.dtype_name(dtype)}: "
    against = ", against the true values" if exact else ""
    return (f"{net.loss_function.name} loss, {n} sample{'s' if n != 1 else ''}, "
            f"{layout} layout, {precision}rtol={rtol:g}, atol={atol:g}{against}")


def _mismatched(expected, got, rtol, atol):
    """tolerance.mismatched, after making sure nodenet's own row is finite (a row that
    agrees within atol is; see tolerance.within_atol)."""
    if not all_finite(expected):
        raise NodenetError(OVERFLOWED)
    return tolerance.mismatched(expected, got, rtol, atol)


def _check_reference(reference, masks):
    """True for ``reference="exact"``; a NodenetError for anything but the two references."""
    if not validate.is_choice(reference, REFERENCES):
        raise NodenetError(f"reference must be 'float64' (nodenet's float64 pass) or 'exact' "
                           f"(the true values, nodenet.exact), got {validate.brief(reference)}")
    if reference == "exact" and masks is not None:
        raise NodenetError("reference='exact' does not take dropout masks; compare against "
                           "nodenet's float64 pass (the default) for them")
    return reference == "exact"


def read_masks(masks, net, n, samples):
    """Per-layer dropout masks: None, or per layer None or one list of multipliers per sample."""
    if masks is None:
        return None
    masks = reading.per_layer(masks, net, "masks must list one entry per layer (None where "
                                        "there is no dropout)")
    out = []
    for l, (m, layer) in enumerate(zip(masks, net.layers), start=1):
        if m is not None and l == len(net.layers):
            raise NodenetError(f"masks: layer {l} is the output layer, which takes no dropout "
                               f"mask; got {validate.brief(m)}")
        out.append(None if m is None else
                   reading.per_sample(m, len(layer), f"layer {l} mask", samples, n_samples=n,
                                    noun="nodes"))
    return out


def assert_gradients_match(net, X, Y, dW, db=None, *, layout="out_in", samples="rows",
                           dtype=None, rtol=None, atol=None, masks=None, max_rows=5,
                           reference="float64"):
    """Raise AssertionError, with the report as message, unless the gradients agree.

    Same arguments as ``compare_gradients``; returns the report when they do.
    """
    report = compare_gradients(net, X, Y, dW, db, layout=layout, samples=samples, dtype=dtype,
                               rtol=rtol, atol=atol, masks=masks, max_rows=max_rows,
                               reference=reference)
    if not report.ok:
        raise AssertionError(str(report))
    return report
