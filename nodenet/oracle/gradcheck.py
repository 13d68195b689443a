"""Check nodenet's own backprop against central finite differences.

For every weight and bias w: numeric = (L(w + ε) − L(w − ε)) / 2ε, with the
batch loss L, against the analytic ∂L/∂w from ``net.gradients``.  The
truncation error is O(ε²)·L''' and the rounding error about 1e-16·L/ε, so
with ε = 1e-6 agreement to ~1e-7 relative is what to expect.
"""

from tabulate import tabulate

from . import reading, tolerance
from .. import validate
from ..display import TextReport
from ..errors import NodenetError
from .gradients import Mismatch, source_name


class GradcheckReport(TextReport):
    """Every entry's analytic and numeric gradient; ``str()`` shows the worst.

    ``entries``: Mismatch tuples with ``expected`` = numeric and ``got`` =
    analytic, worst first.  ``worst``: ``entries[0]``.  ``ok``: all agree
    within ``rtol``/``atol``.
    """

    def __init__(self, entries, eps, rtol, atol, max_rows=5):
        self.entries = sorted(entries, key=lambda m: -m.abs_error)
        self.eps, self.rtol, self.atol, self.max_rows = eps, rtol, atol, max_rows

    @property
    def worst(self):
        return self.entries[0]

    @property
    def failures(self):
        return [m for m in self.entries
                if not tolerance.close(m.expected, m.got, self.rtol, self.atol)]

    @property
    def ok(self):
        return not self.failures

    def __bool__(self):
        return self.ok

    def __repr__(self):
        w = self.worst
        verdict = "ok" if self.ok else "FAILED"
        return f"GradcheckReport({verdict}, worst abs error {w.abs_error:.3g})"

    def __str__(self):
        w = self.worst
        where = "bias" if w.source == "bias" else f"weight from {source_name(w.layer, w.source)}"
        verdict = ("agrees with" if self.ok else
                   f"DISAGREES in {len(self.failures)} of {len(self.entries)} entries with")
        lines = [f"gradcheck: nodenet's backprop {verdict} central differences "
                 f"(eps={self.eps:g}, rtol={self.rtol:g}, atol={self.atol:g}) over "
                 f"{len(self.entries)} parameters",
                 f"worst: layer {w.layer}, node {w.node}, {where}: backprop {w.got:.12g}, "
                 f"numeric {w.expected:.12g}, abs error {w.abs_error:.3g}", ""]
        rows = [m.row() for m in self.entries[:self.max_rows]]
        lines.append(tabulate(rows, ("layer", "node", "from", "numeric", "backprop",
                                     "abs error", "rel error"),
                              floatfmt=("", "", "", ".12g", ".12g", ".3g", ".3g")))
        return "\n".join(lines)


def gradcheck(net, X, Y, eps=1e-6, *, samples="rows", rtol=1e-5, atol=1e-8, max_rows=5):
    """Central differences of the batch loss against ``net.gradients``.

    The network's weights are restored exactly afterwards.  Layers built
    with ``bias=False`` have their weights checked, not their biases.

    >>> from nodenet import Network
    >>> net = Network([2, 3, 1], activation="tanh", seed=4)
    >>> report = gradcheck(net, [[0.5, -1.0], [1.0, 2.0]], [[1.0], [0.0]])
    >>> report.ok, len(report.entries)
    (True, 13)
    """
    eps = validate.number(eps, "eps")
    if eps <= 0.0:
        raise NodenetError(f"eps must be > 0, got {eps!r}")
    rtol, atol, _ = tolerance.resolve(None, rtol, atol)
    X, Y = reading.batch_pair(net, X, Y, samples, "gradcheck")
    gw, gb = net.gradients(X, Y, "out_in")
    loss = net.loss_function

    def batch_loss():
        return loss.value(Y, [list(net.feedforward(x)) for x in X])

    entries = []
    for l, layer in enumerate(net.layers, start=1):
        for j, node in enumerate(layer):
            for i in range(len(node.weights)):
                entries.append(Mismatch(l, j, i, _central(node.weights, i, eps, batch_loss),
                                        gw[l - 1][j][i]))
            if layer.use_bias:       # a bias-free layer's biases stay 0: not parameters
                entries.append(Mismatch(l, j, "bias", _central_bias(node, eps, batch_loss),
                                        gb[l - 1][j]))
    return GradcheckReport(entries, eps, rtol, atol, max_rows)


def _central(weights, i, eps, f):
    w = weights[i]
    weights[i] = w + eps
    up = f()
    weights[i] = w - eps
    down = f()
    weights[i] = w
    return (up - down) / (2.0 * eps)


def _central_bias(node, eps, f):
    b = node.bias
    node.bias = b + eps
    up = f()
    node.bias = b - eps
    down = f()
    node.bias = b
    return (up - down) / (2.0 * eps)
