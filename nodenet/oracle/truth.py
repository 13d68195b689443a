"""Against the true values: the client's error and nodenet's float64 error, in ulps.

With ``reference="exact"`` the oracle compares with the correctly rounded
true values from ``nodenet.exact`` (the same node loops at 30 significant
digits, checked by a second run) instead of nodenet's float64 ones, and
reports, layer by layer, how many units in the last place of the client's
dtype the client is off at worst, and how many units of float64 nodenet's
own float64 pass is off.  So a report can say "yours is off by 3 ulps of
float32, nodenet's float64 by 0.5" — or that both float64 results lose
digits at the same entry, which no tolerance could tell apart.
"""

from .. import exact

DIGITS = 30             # significant digits of the truth; float64 needs 17


class Truth:
    """The true values of a comparison and the two float errors against them.

    ``rows`` holds, per layer (1-based, output first), the entries'
    ``(where, true, client, nodenet)``; ``dtype`` is the client's precision.
    """

    def __init__(self, rows, dtype, agreed, saturated=()):
        self.rows, self.dtype, self.agreed = rows, dtype or "float64", agreed
        self.saturated = set(saturated)     # layers with a sigmoid or tanh output past 0.9375

    def worst(self, l):
        """``(client ulps, where, nodenet float64 ulps)`` of layer ``l``'s worst entries."""
        client = max(((exact.ulps(c, t, self.dtype), where) for where, t, c, _ in self.rows[l]),
                     key=lambda p: p[0] if p[0] == p[0] else float("inf"))
        ours = max(exact.ulps(n, t, "float64") for _, t, _, n in self.rows[l])
        return client[0], client[1], ours

    def lines(self):
        """The report's lines: per layer, both errors; then what they mean."""
        out = [f"against the true values (nodenet.exact, {DIGITS} digits, two runs agreeing "
               f"to {min(self.agreed, 99):.0f}): worst errors in ulps"]
        both_lose = []
        for l in sorted(self.rows, reverse=True):
            client, where, ours = self.worst(l)
            out.append(f"layer {l}: yours {_ulps(client)} of {self.dtype} ({where}), nodenet's "
                       f"float64 {_ulps(ours)} of float64")
            if self.dtype == "float64" and client > 1e3 and ours > 1e3:
                both_lose.append(l)
            elif client > 1e6 and ours < 1e2 and l in self.saturated:
                out.append(f"layer {l}: its outputs have saturated (|a| past 0.9375): a "
                           f"derivative taken from the stored output, a·(1 − a) or 1 − a², "
                           f"has lost its digits there; take it from z: σ(z)·σ(−z), "
                           f"1/cosh²(z)")
        for l in both_lose:
            out.append(f"layer {l}: both float64 results lose digits here; the true value is "
                       f"the reference (a derivative from a saturated output, or a net input "
                       f"that cancels, loses them in any float64 code)")
        return out


def _ulps(x):
    return "NaN ulps" if x != x else f"{x:.3g} ulps" if x < 1e6 else f"{x:.2g} ulps"


def gradients(net, X, Y):
    """The true ``(dW, db)`` correctly rounded to floats, and the ExactGradients behind them."""
    truth = exact.gradients(net, X, Y, digits=DIGITS)
    dW = [[[float(v) for v in row] for row in matrix] for matrix in truth.dW]
    db = [[float(v) for v in b] for b in truth.db]
    return dW, db, truth


def saturated_layers(net, X):
    """The layers (1-based) whose sigmoid or tanh output saturates on some input of X."""
    found = set()
    for x in X:
        net.feedforward(x)
        found |= {l for l, layer in enumerate(net.layers, start=1)
                  if layer.activation.saturates([node.output for node in layer])}
    return found


def gradient_truth(truth, got_w, got_b, ours_w, ours_b, dtype, saturated=()):
    """Truth rows for a gradient comparison (``got_b`` may be None or hold None layers)."""
    rows = {}
    for l in range(len(got_w), 0, -1):
        entries = [(f"node {j}, weight {i}", truth.dW[l - 1][j][i], g, n)
                   for j, (grow, nrow) in enumerate(zip(got_w[l - 1], ours_w[l - 1]))
                   for i, (g, n) in enumerate(zip(grow, nrow))]
        if got_b is not None and got_b[l - 1] is not None:
            entries += [(f"node {j}, bias", truth.db[l - 1][j], g, n)
                        for j, (g, n) in enumerate(zip(got_b[l - 1], ours_b[l - 1]))]
        rows[l] = entries
    return Truth(rows, dtype, truth.agreed, saturated)


def forward_truth(true, given, ours, dtype):
    """Truth rows for a forward comparison: ``true``/``ours`` as {"z"/"a": per layer rows}."""
    rows = {}
    for value in ("z", "a"):
        if value not in given:
            continue
        for l, (t_rows, g_rows, o_rows) in enumerate(zip(true[value], given[value], ours[value]),
                                                     start=1):
            rows.setdefault(l, [])
            rows[l] += [(f"sample {s}, node {j} {value}", t, g, o)
                        for s, (tr, gr, orow) in enumerate(zip(t_rows, g_rows, o_rows))
                        for j, (t, g, o) in enumerate(zip(tr, gr, orow))]
    return Truth(rows, dtype, true["agreed"])


def passes(net, X):
    """The true per-layer z and a: {"z": …, "a": …} as floats, plus the high-precision ones."""
    values = exact.passes(net, X, digits=DIGITS)
    nets, outs = values
    as_floats = {"z": [[[float(v) for v in row] for row in layer] for layer in nets],
                 "a": [[[float(v) for v in row] for row in layer] for layer in outs]}
    return as_floats, {"z": nets, "a": outs, "agreed": values.agreed}
