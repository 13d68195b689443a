"""Compare a caller's weight and bias gradients with nodenet's, entry by entry.

nodenet's gradients are the plain ∂L/∂W and ∂L/∂b of the batch loss (the
sign of PyTorch's ``.grad``), summed or averaged over samples as the
network's loss says.  A report lists, per layer, how many entries differ and
tabulates the worst ones, nearest-the-output layer first: backprop runs from
the output down, so the top-most layer that differs is where to look first.
"""

from collections import namedtuple

from tabulate import tabulate

from . import _read
from ._read import Difference

HEADERS = ("layer", "node", "from", "expected", "got", "abs error", "rel error")
FLOATFMT = ("", "", "", ".12g", ".12g", ".3g", ".3g")


class Mismatch(Difference, namedtuple("Mismatch", "layer node source expected got")):
    """One entry that differs: ``layer`` 1-based (1 = first hidden layer),
    ``node`` and ``source`` 0-based (``source`` is the incoming node, or
    ``"bias"``)."""

    __slots__ = ()

    def where(self):
        src = ("bias" if self.source == "bias"
               else f"weight from {source_name(self.layer, self.source)}")
        return f"layer {self.layer}, node {self.node}, {src}"

    def row(self):
        src = "bias" if self.source == "bias" else source_name(self.layer, self.source)
        return (self.layer, self.node, src, self.expected, self.got,
                self.abs_error, self.rel_error)

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


class GradientReport:
    """The outcome of ``compare_gradients``; ``str(report)`` is the full text.

    ``ok``: every entry agrees.  ``mismatches``: the differing entries, the
    layer nearest the output first, then worst first.  ``layers``: one
    LayerSummary per layer, output layer first.  ``worst``: the mismatch with
    the largest absolute error (None if ok).  ``max_abs_error`` and
    ``max_rel_error``: over every compared entry.  ``hints``: likely causes.
    """

    def __init__(self, mismatches, layers, max_abs_error, max_rel_error, context, hints,
                 max_rows=5):
        self.mismatches = mismatches
        self.layers = layers
        self.max_abs_error = max_abs_error
        self.max_rel_error = max_rel_error
        self.context = context
        self.hints = hints
        self.max_rows = max_rows

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
            return "\n".join(lines)
        lines = [f"gradients differ from nodenet's in {len(self.mismatches)} of {n} entries "
                 f"({self.context})"]
        lines += [str(s) for s in self.layers]
        rows, left = [], 0
        for s in self.layers:
            mine = [m for m in self.mismatches if m.layer == s.layer]
            rows += [m.row() for m in mine[:self.max_rows]]
            left += max(0, len(mine) - self.max_rows)
        lines += ["", tabulate(rows, HEADERS, floatfmt=FLOATFMT)]
        if left:
            lines.append(f"(… and {left} more; showing the worst {self.max_rows} per layer)")
        if self.hints:
            lines.append("")
            lines += self.hints
        return "\n".join(lines)


def compare_gradients(net, X, Y, dW, db=None, *, layout="out_in", samples="rows",
                      rtol=1e-7, atol=1e-10, max_rows=5):
    """Compare ``dW`` and ``db`` with nodenet's gradients for the batch ``X, Y``.

    ``dW`` lists one weight matrix per layer in ``layout`` ("out_in": row j
    is node j's incoming weights, PyTorch's and seed 002's; "in_out": its
    transpose, seed 001's ``X·W``).  ``db`` lists one vector per layer
    (n, n×1 and 1×n all do), or is None to compare the weights only.  An
    entry agrees when |got − expected| ≤ atol + rtol·|expected|.
    Returns a GradientReport; never raises for a mismatch.  Arguments of the
    wrong shape raise NodenetError, saying which layer and what was expected.

    >>> from nodenet import Network
    >>> net = Network.from_matrices([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0]]],
    ...                             activations="identity", loss="sse")
    >>> report = compare_gradients(net, [[1, 2]], [[0]], [[[6, 12], [6, 12]], [[6, 10]]])
    >>> report.ok, report.first_layer, report.worst
    (False, 2, Mismatch(layer 2, node 0, weight from node 1: expected 12.0, got 10.0))
    """
    rtol, atol = _read.check_tolerance(rtol, atol)
    X, Y = _read.batch_pair(net, X, Y, samples, "compare_gradients")
    got_w = _read.weight_matrices(dW, net, layout)
    got_b = _read.bias_vectors(db, net, len(X))
    exp_w, exp_b = net.gradients(X, Y, "out_in")
    mismatches, summaries = [], []
    max_abs = max_rel = 0.0
    for l in range(len(net.layers), 0, -1):          # output layer first
        w_bad = b_bad = 0
        found = []
        entries = [(j, i, e, g) for j, (erow, grow) in enumerate(zip(exp_w[l - 1], got_w[l - 1]))
                   for i, (e, g) in enumerate(zip(erow, grow))]
        n_w = len(entries)
        if got_b is not None:
            entries += [(j, "bias", e, g)
                        for j, (e, g) in enumerate(zip(exp_b[l - 1], got_b[l - 1]))]
        for j, src, e, g in entries:
            m = Mismatch(l, j, src, e, g)
            err, rel = m.abs_error, m.rel_error
            if err == err:
                max_abs = max(max_abs, err)
                max_rel = max(max_rel, rel) if e != 0.0 else max_rel
            else:
                max_abs = max_rel = float("nan")
            if not _read.close(e, g, rtol, atol):
                found.append(m)
                if src == "bias":
                    b_bad += 1
                else:
                    w_bad += 1
        found.sort(key=_error_order)
        mismatches += found
        summaries.append(LayerSummary(l, w_bad, n_w, b_bad,
                                      0 if got_b is None else len(net.layers[l - 1])))
    loss = net.loss_function
    context = (f"{loss.name} loss, {len(X)} sample{'s' if len(X) != 1 else ''}, "
               f"{layout} layout, rtol={rtol:g}, atol={atol:g}")
    hints = _hints(net, len(X), mismatches, summaries, exp_w, exp_b, got_w, got_b,
                   layout, rtol, atol) if mismatches else []
    return GradientReport(mismatches, summaries, max_abs, max_rel, context, hints, max_rows)


def assert_gradients_match(net, X, Y, dW, db=None, *, layout="out_in", samples="rows",
                           rtol=1e-7, atol=1e-10, max_rows=5):
    """Raise AssertionError, with the report as message, unless the gradients agree.

    Same arguments as ``compare_gradients``; returns the report when they do.
    """
    report = compare_gradients(net, X, Y, dW, db, layout=layout, samples=samples,
                               rtol=rtol, atol=atol, max_rows=max_rows)
    if not report.ok:
        raise AssertionError(str(report))
    return report


# -- likely causes -----------------------------------------------------------

def _common_ratio(pairs, atol):
    """got/expected if it is the same for every pair with a clear expected value."""
    ratios = [g / e for e, g in pairs if abs(e) > max(atol, 1e-300) * 10]
    if not ratios or any(r != r for r in ratios):
        return None
    r0 = ratios[0]
    if all(abs(r - r0) <= 1e-6 * abs(r0) for r in ratios) and abs(r0 - 1.0) > 1e-6:
        return r0
    return None


def _hints(net, n, mismatches, summaries, exp_w, exp_b, got_w, got_b, layout, rtol, atol):
    hints = []
    L = len(net.layers)
    pairs_of = []
    for l in range(L):
        pairs = [(e, g) for er, gr in zip(exp_w[l], got_w[l]) for e, g in zip(er, gr)]
        if got_b is not None:
            pairs += list(zip(exp_b[l], got_b[l]))
        pairs_of.append(pairs)
    ratio = _common_ratio([p for pairs in pairs_of for p in pairs], atol)
    loss = net.loss_function
    if ratio is not None:
        hints.append(_ratio_hint("every gradient", ratio, n, loss))
    else:
        bad_layers = [s.layer for s in summaries if not s.ok]
        for s in summaries:
            if s.ok:
                continue
            l = s.layer
            if got_b is not None and s.weights_differ == 0 and all(g == 0.0 for g in got_b[l - 1]):
                hints.append(f"layer {l}: the biases' gradients are all 0 while the weights "
                             f"agree — is the bias gradient (Σ over samples of ∂L/∂z) computed?")
                continue
            w = exp_w[l - 1]
            if len(w) == len(w[0]) and all(_read.close(e, g, rtol, atol) for er, gr
                                           in zip(_read.transpose(w), got_w[l - 1])
                                           for e, g in zip(er, gr)):
                other = "in_out" if layout == "out_in" else "out_in"
                hints.append(f"layer {l}: the weights match nodenet's transposed — "
                             f"did you mean layout={other!r}?")
                continue
            n_w = s.n_weights
            for what, pairs in ((f"layer {l}", pairs_of[l - 1]),
                                (f"layer {l}'s weights", pairs_of[l - 1][:n_w]),
                                (f"layer {l}'s biases", pairs_of[l - 1][n_w:])):
                r = _common_ratio(pairs, atol)
                if r is not None:
                    hints.append(_ratio_hint(what, r, n, loss))
                    break
        top = bad_layers[0]
        if len(bad_layers) > 1 and top == L:
            hints.append(f"start with layer {top}: backprop runs from the output down, so the "
                         f"layers below inherit an error in its deltas")
        elif top < L:
            above = "layers" if L - top > 1 else "layer"
            span = f"{top + 1}–{L}" if L - top > 1 else f"{L}"
            hints.append(f"{above} {span} match, so the error enters at layer {top}: check how "
                         f"the deltas reach it (the weights used, its activation's derivative)")
    return hints


def _ratio_hint(what, ratio, n, loss):
    if abs(ratio + 1.0) <= 1e-6:
        verb = "have" if what.endswith("s") else "has"
        return (f"{what} {verb} the opposite sign: nodenet reports ∂L/∂w (PyTorch's .grad); "
                f"(y − ŷ)-style errors give −∂L/∂w, and the update is w −= η·∂L/∂w")
    text = f"{what} {'are' if what.endswith('s') else 'is'} {ratio:.6g}× nodenet's"
    if n > 1 and (abs(ratio - n) <= 1e-6 * n or abs(ratio * n - 1.0) <= 1e-6):
        how = "sums" if loss.reduction == "sum" else "averages"
        return (f"{text}, a factor of N = {n} samples: nodenet's {loss.name} loss {how} over "
                f"samples ({loss.formula})")
    return f"{text}: check the loss's normalization (nodenet's {loss.name}: {loss.formula})"
