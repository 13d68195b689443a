"""Per-node tables of a forward pass, its deltas and its weight changes.

Every function *returns* a table — a ``nodenet.display.TableText``, which
is the table's text as a ``str`` — made by ``tabulate`` in any of its
formats (``tablefmt="github"`` unless told: ``plain``, ``pipe``, ``html``,
…), or as CSV (``"csv"``) or pdfLaTeX-ready LaTeX (``"latex"``,
``"latex_booktabs"``), with every number written by ``nodenet.numfmt.num``
to ``digits`` significant digits (7, R's default, unless told).  Its rows
are also data: ``table.records``, one dict per row, with the keys listed
below; in Jupyter a table shows itself as HTML.

* ``forward_table(net)`` — layer, node, the terms w·a, b, net input,
  activation and output, as the last ``forward`` left them (records:
  ``layer``, ``node``, ``terms``, ``bias``, ``net``, ``activation``, ``output``);
* ``delta_table(net, y)`` — each node's δ rule, the rule with its numbers,
  and δ (see ``nodenet.formulas``; records: ``layer``, ``node``, ``rule``,
  ``text``, ``delta``);
* ``weight_change_table(net, eta)`` — from → to, w, δ, a, η, Δw with its
  numbers, Δw = η·δ·a and the new w, biases included (a bias is a weight on
  a constant input a = 1; records: ``layer``, ``source``, ``node``, ``w``,
  ``delta``, ``a``, ``eta``, ``text``, ``dw``, ``new_w``);
* ``step_report(net, x, y, eta, order)`` — performs ``net.step`` and returns
  a ``StepReport`` with the three tables of that step and its losses;
* ``optimizer_step_table(net, optimizer, X, Y)`` — one optimizer step
  weight by weight (m, v, m̂, v̂ for Adam …).

``to_csv(table)`` gives any of them as CSV.

>>> from nodenet import Network
>>> net = Network.from_matrices([[[0.5, 1.2, -0.3]]])
>>> _ = net.forward([1, 3, 5])
>>> print(forward_table(net, tablefmt="plain"))
  layer  node    w·a               b    net  f           output
      1  o       0.5, 3.6, -1.5    0    2.6  sigmoid  0.9308616
"""

from html import escape

from . import validate
from .display import LATEX_FORMATS, TableText, check_format, csv_text, latex_text
from .errors import NodenetError
from .build import check_snapshot
from .diagnostics import LayerHealth
from .formulas import delta_formulas, input_names, legend, node_names
from .network import ORDERS
from .numfmt import DIGITS, check_digits, factor, num, nums
from .optimizers import check_optimizer

def to_csv(table):
    """Any table (or a StepReport) as CSV text; see ``TableText.to_csv``."""
    if not isinstance(table, (TableText, StepReport)):
        raise NodenetError(f"to_csv expects a table from nodenet.tables, got "
                           f"{validate.describe(table)}")
    return table.to_csv()


def _snapshot_weights(net, weights, caller):
    """Per layer, per node: (incoming weights, bias), current or from a checked snapshot."""
    if weights is None:
        return [[(node.weights, node.bias) for node in layer] for layer in net.layers]
    return check_snapshot(net, weights, caller)


def _check_forward(net, what):
    if net.inputs is None:
        raise NodenetError(f"{what} needs a forward pass first: call forward(x)")


def forward_table(net, tablefmt="github", digits=DIGITS, weights=None):
    """The last forward pass, node by node: w·a terms, b, net input, f, output.

    ``weights`` (a ``net.snapshot()``) replaces the current weights in the
    w·a column, for a table drawn after the weights have changed.
    """
    check_digits(digits)
    check_format(tablefmt)
    _check_forward(net, "forward_table")
    weights = _snapshot_weights(net, weights, "forward_table weights=")
    names = node_names(net)
    records = []
    for l, layer in enumerate(net.layers):
        a = net.layer_inputs(l)
        for j, node in enumerate(layer):
            w, b = weights[l][j]
            records.append({"layer": l + 1, "node": names[l][j],
                            "terms": [wi * ai for wi, ai in zip(w, a)], "bias": b,
                            "net": node.net, "activation": repr(layer.activation),
                            "output": node.output})
    cells = [[str(r["layer"]), r["node"], nums(r["terms"], digits), num(r["bias"], digits),
              num(r["net"], digits), r["activation"], num(r["output"], digits)] for r in records]
    return TableText(["layer", "node", "w·a", "b", "net", "f", "output"], cells, records,
                     ("right", "left", "left", "right", "right", "left", "right"), tablefmt)


def delta_table(net, y, tablefmt="github", digits=DIGITS, weights=None):
    """Every node's δ with its formula, output layer first.

    Call after ``forward(x)`` and ``backward(y)``.  Hidden deltas are written
    with the current weights of the layer above, or with ``weights`` (a
    ``net.snapshot()``); see ``nodenet.formulas.delta_formulas``.
    """
    check_format(tablefmt)
    formulas = delta_formulas(net, y, digits, weights)
    records = [{"layer": f.layer, "node": f.name, "rule": f.rule, "text": f.text,
                "delta": f.delta} for f in formulas]
    cells = [[str(f.layer), f.name, f.rule, f.text, num(f.delta, digits)] for f in formulas]
    return TableText(["layer", "node", "δ rule", "δ with numbers", "δ"], cells, records,
                     ("right", "left", "left", "left", "right"), tablefmt, notes=legend(net))


def weight_changes(net, eta, before=None, layers=None):
    """Rows (layer, source, node, w, δ, a, Δw, new w) for every weight and bias.

    Without ``before``, ``w`` is the current weight and ``new w = w + Δw``
    is the update about to be made (call after ``backward``, before
    ``update``).  With ``before`` (a ``net.snapshot()`` taken before an
    update that has been made), ``w`` comes from it and ``new w`` is the
    current weight.  Output layer first; biases (source ``"b"``, a = 1) are
    left out of layers built with ``bias=False``.  ``layers`` (1-based
    layer numbers, 1 = first hidden) keeps only those layers' rows.
    """
    eta = validate.number(eta, "eta")
    _check_forward(net, "weight_changes")
    if any(node.delta is None for layer in net.layers for node in layer):
        raise NodenetError("weight changes need forward(x) and backward(y) (or step) first")
    old = _snapshot_weights(net, before, "weight_changes before=")
    names, sources = node_names(net), input_names(net)
    wanted = _check_layers(net, layers)
    rows = []
    for l in range(len(net.layers) - 1, -1, -1):
        if l + 1 not in wanted:
            continue
        layer = net.layers[l]
        below = sources if l == 0 else names[l - 1]
        a = net.layer_inputs(l)
        for j, node in enumerate(layer):
            w, b = old[l][j]
            change = eta * node.delta        # as Layer.update: (η·δ)·a
            for i, ai in enumerate(a):
                dw = change * ai
                new = node.weights[i] if before is not None else w[i] + dw
                rows.append((l + 1, below[i], names[l][j], w[i], node.delta, ai, dw, new))
            if layer.use_bias:
                new = node.bias if before is not None else b + change
                rows.append((l + 1, "b", names[l][j], b, node.delta, 1.0, change, new))
    return rows


def weight_change_table(net, eta, tablefmt="github", digits=DIGITS, before=None, layers=None):
    """Every weight and bias: from → to, w, δ, a, η, Δw with its numbers, Δw, new w.

    The column "Δw with numbers" is the product η·δ·a with this weight's
    numbers, as "δ with numbers" is in the δ table: 0.01·0.192·0.9308616 for
    the handout's weight from h1 to the output.  See ``weight_changes`` for
    what ``w`` and ``new w`` are with and without ``before``, and for ``layers``.
    """
    check_digits(digits)
    check_format(tablefmt)
    eta = validate.number(eta, "eta")
    records = []
    for l, src, dst, w, d, a, dw, new in weight_changes(net, eta, before, layers):
        records.append({"layer": l, "source": src, "node": dst, "w": w, "delta": d, "a": a,
                        "eta": eta, "text": f"{factor(eta, digits)}·{factor(d, digits)}·"
                                            f"{factor(a, digits)}", "dw": dw, "new_w": new})
    cells = [[str(r["layer"]), f"{r['source']} → {r['node']}", num(r["w"], digits),
              num(r["delta"], digits), num(r["a"], digits), num(eta, digits), r["text"],
              num(r["dw"], digits), num(r["new_w"], digits)] for r in records]
    return TableText(["layer", "from → to", "w", "δ", "a", "η", "Δw with numbers",
                      "Δw = η·δ·a", "new w"], cells, records,
                     ("right", "left") + ("right",) * 4 + ("left", "right", "right"), tablefmt)


def _check_layers(net, layers):
    n = len(net.layers)
    if layers is None:
        return set(range(1, n + 1))
    wanted = set()
    for l in layers:
        if isinstance(l, bool) or not isinstance(l, int) or not 1 <= l <= n:
            raise NodenetError(f"layers must be layer numbers from 1 to {n}, got "
                               f"{validate.brief(l)}")
        wanted.add(l)
    return wanted


def step_report(net, x, y, eta, order="standard", tablefmt="github", digits=DIGITS):
    """Do one training step, ``net.step(x, y, eta, order)``, and return its ``StepReport``.

    The forward table is drawn before the step (the weights that produced
    the outputs).  The deltas are those ``net.step`` computed: in the
    standard order from the weights before the update, in the handout's
    order from the already updated weights of the layer above, and the
    table shows the weights that were used.  The weight-change table shows
    each weight before and after.  The loss after the step is measured on a
    copy, so the nodes keep the values of this step.  A call that fails
    leaves the network as it was.
    """
    check_digits(digits)
    check_format(tablefmt)
    if not validate.is_choice(order, ORDERS):
        raise NodenetError(f"unknown order {validate.brief(order)}; expected 'standard' or "
                           "'handout'")
    saved = net.checkpoint()
    try:
        before = net.snapshot()
        x = validate.vector(x, net.sizes[0], "step_report")
        net.forward(x)
        forward = forward_table(net, tablefmt, digits)
        loss = net.step(x, y, eta, order)     # validates y and eta; same forward pass again
        y = net.loss_function.read_target(y, net.sizes[-1], "step_report")
        deltas = delta_table(net, y, tablefmt, digits,
                             weights=before if order == "standard" else None)
        changes = weight_change_table(net, eta, tablefmt, digits, before=before)
        after, why = _loss_after(net, x, y)
    except BaseException:
        net.rollback(saved)             # a failed report changes nothing
        raise
    return StepReport(repr(net), net.loss_function.label, x, y, eta, order, forward, deltas,
                      changes, (loss, after, why), tablefmt, digits)


def _loss_after(net, x, y):
    """The loss on the same example after the step (on a copy), or None and why not."""
    try:
        return net.copy().loss([x], [y]), ""
    except NodenetError as err:
        return None, str(err)


HOW = {
    "standard": ("standard backpropagation: every δ is computed from the weights before "
                 "the update, then all weights change"),
    "handout": ("the handout's order: a layer's incoming weights are updated as soon as its "
                "deltas are known, so each hidden δ uses the already updated weights above it"),
}


class StepReport(str):
    """One training step as text (this string), with its parts one by one.

    ``forward``, ``deltas``, ``changes``: the three tables (``TableText``,
    each with ``.records``); ``loss_before`` and ``loss_after`` (None if it
    overflowed; ``why`` says how); ``x``, ``y``, ``eta``, ``order``.  In
    Jupyter it shows itself as headings and HTML tables; ``to_csv()`` gives
    the three tables as CSV, one after another.
    """

    def __new__(cls, title, loss, x, y, eta, order, forward, deltas, changes, losses, tablefmt,
                digits):
        before, after, why = losses
        parts = cls._parts(title, loss, x, y, eta, order, losses, digits)
        tables = {"forward": forward, "deltas": deltas, "changes": changes}
        text = cls._text(parts, tables, tablefmt)
        self = super().__new__(cls, text)
        self.title, self.x, self.y, self.eta, self.order = title, x, y, eta, order
        self.forward, self.deltas, self.changes = forward, deltas, changes
        self.loss_before, self.loss_after, self.why = before, after, why
        self.tablefmt, self._lines = tablefmt, parts
        return self

    @staticmethod
    def _parts(title, loss, x, y, eta, order, losses, digits):
        before, after, why = losses
        return {
            "title": f"One training step of {title}",
            "setting": f"x = ({nums(x, digits)}), y = ({nums(y, digits)}), η = {num(eta, digits)}, "
                       f"order = {order}",
            "forward": "Forward pass (weights before the step):",
            "before": f"loss ({loss}) before the step: {num(before, digits)}",
            "deltas": f"Deltas, output layer first ({HOW[order]}):",
            "changes": "Weight changes (w before the step, new w after it; Δw = η·δ·a is added):",
            "after": f"loss ({loss}) after the step, same example: "
                     + (num(after, digits) if after is not None else f"none: {why}"),
        }

    @staticmethod
    def _text(parts, tables, tablefmt):
        if tablefmt == "csv":           # one CSV block per table, a title row first
            return "\r\n".join(csv_text([parts[name]], []) + tables[name]
                                 for name in ("forward", "deltas", "changes"))
        notes = list(tables["deltas"].notes)
        blocks = [parts["title"], parts["setting"], "", parts["forward"], "", tables["forward"],
                  "", parts["before"], "", parts["deltas"], "", tables["deltas"]]
        blocks += [""] + notes if notes else []
        blocks += ["", parts["changes"], "", tables["changes"], "", parts["after"]]
        if tablefmt in LATEX_FORMATS:   # prose as LaTeX paragraphs, tables as they are
            table_texts = {id(t) for t in tables.values()}
            return "\n".join(b if id(b) in table_texts else (latex_text(b) + r" \\" if b else "")
                             for b in blocks)
        return "\n".join(blocks)

    def to_csv(self):
        """The three tables as CSV, each after a row with its title."""
        return self._text(self._lines, {"forward": self.forward, "deltas": self.deltas,
                                        "changes": self.changes}, "csv")

    def _repr_html_(self):
        p = self._lines
        html = [f"<p><b>{escape(p['title'])}</b><br>{escape(p['setting'])}</p>"]
        for name, after in (("forward", "before"), ("deltas", None), ("changes", "after")):
            html.append(f"<p>{escape(p[name])}</p>")
            html.append(getattr(self, name).to_html())
            if after:
                html.append(f"<p>{escape(p[after])}</p>")
        return "\n".join(html)

    def __repr__(self):
        return f"StepReport({self.title}, x = {list(self.x)}, η = {self.eta})"


def optimizer_step_table(net, optimizer, X, Y, lr=None, tablefmt="github", digits=DIGITS,
                         layers=None):
    """The step ``optimizer`` would take on the batch (X, Y), weight by weight; nothing changes.

    Columns: layer, from → to, w, g = ∂L/∂w of the batch, then what the
    optimizer computes for that weight in this step (SGD with momentum:
    buf; HandoutMomentum: v; Adam and AdamW: m, v, m_hat, v_hat; RMSprop: v (m,
    buf); Adagrad: sum, η_t; with L2 weight decay, g + λw first), Δw and the
    new w.  Output layer first; a bias is the weight on a constant input 1
    ("b").  ``lr`` replaces the optimizer's rate (a schedule's).  Take the
    step with ``optimizer.step(net, *net.gradients(X, Y))``.

    >>> from nodenet import Network
    >>> from nodenet.optimizers import Adam
    >>> net = Network.from_matrices([[[0.5]]], [[0.25]], activations="identity")
    >>> print(optimizer_step_table(net, Adam(lr=0.1), [[2.0]], [[0.0]], tablefmt="plain"))
      layer  from → to       w    g     m        v    m_hat    v_hat    Δw    new w
          1  x1 → o        0.5    5   0.5    0.025        5       25  -0.1      0.4
          1  b → o        0.25  2.5  0.25  0.00625      2.5     6.25  -0.1     0.15
    """
    check_digits(digits)
    check_format(tablefmt)
    check_optimizer(optimizer)
    gw, gb = net.gradients(X, Y)
    if lr is not None:
        lr = validate.number(lr, "lr")
        if lr < 0.0:
            raise NodenetError(f"lr must be ≥ 0, got {validate.brief(lr)}")
    proposal = optimizer.propose(net, gw, gb, lr, explain=True)
    if proposal.where is not None:
        raise NodenetError(f"optimizer_step_table: the step would fail: {proposal.where}")
    wanted = _check_layers(net, layers)
    names, sources = node_names(net), input_names(net)
    keys = list(proposal.columns[0][0])
    records = []
    for l in range(len(net.layers) - 1, -1, -1):
        if l + 1 not in wanted:
            continue
        layer = net.layers[l]
        below = (sources if l == 0 else names[l - 1]) + ["b"]
        for j, (node, (new, _), cols) in enumerate(zip(layer, proposal.values[l],
                                                        proposal.columns[l])):
            old = node.weights + [node.bias]
            for i in range(len(new)):
                records.append({"layer": l + 1, "source": below[i], "node": names[l][j],
                                "w": old[i], **{k: cols[k][i] for k in keys}, "new_w": new[i]})
    cells = [[str(r["layer"]), f"{r['source']} → {r['node']}", num(r["w"], digits)]
             + [num(r[k], digits) for k in keys] + [num(r["new_w"], digits)] for r in records]
    headers = ["layer", "from → to", "w"] + keys + ["new w"]
    return TableText(headers, cells, records, ("right", "left") + ("right",) * (len(headers) - 2),
                     tablefmt)


# -- training's own tables: health, dead nodes, history ----------------------------

def health_table(rows, tablefmt="simple", digits=3):
    """A LayerHealth list (one step) or an EpochHealth list (a history) as a table.

    Records: ``layer``, ``mean_abs_delta``, ``max_abs_change`` (and ``epoch``).

    >>> from nodenet.diagnostics import LayerHealth
    >>> print(health_table([LayerHealth(1, 0.00123, 4.5e-05), LayerHealth(2, 0.05, 0.002)]))
      layer    mean |δ|    max |Δw|
    -------  ----------  ----------
          1     0.00123     4.5e-05
          2     0.05        0.002
    """
    check_digits(digits)
    check_format(tablefmt)
    rows = list(rows)
    if rows and isinstance(rows[0], LayerHealth):
        records = [{"layer": h.layer, "mean_abs_delta": h.mean_abs_delta,
                    "max_abs_change": h.max_abs_change} for h in rows]
        headers = ["layer", "mean |δ|", "max |Δw|"]
    else:
        records = [{"epoch": e.epoch, "layer": h.layer, "mean_abs_delta": h.mean_abs_delta,
                    "max_abs_change": h.max_abs_change} for e in rows for h in e.layers]
        headers = ["epoch", "layer", "mean |δ|", "max |Δw|"]
    cells = [[str(r[k]) if k in ("epoch", "layer") else num(r[k], digits) for k in r]
             for r in records]
    align = ("right",) * (len(headers) - 2) + ("decimal", "decimal")
    return TableText(headers, cells, records, align, tablefmt)


def dead_table(dead, net=None, tablefmt="simple"):
    """The (layer, index) pairs of ``dead_nodes`` as a table (with activations if ``net``).

    Records: ``layer``, ``node`` (and ``activation``).

    >>> print(dead_table([(1, 1), (2, 0)]))
      layer    node
    -------  ------
          1       1
          2       0
    """
    check_format(tablefmt)
    records = [{"layer": l, "node": j} for l, j in dead]
    if net is not None:
        for r in records:
            r["activation"] = repr(net.layers[r["layer"] - 1].activation)
    headers = ["layer", "node"] + (["activation"] if net is not None else [])
    cells = [[str(v) for v in r.values()] for r in records]
    return TableText(headers, cells, records, ("right", "right", "left")[:len(headers)],
                     tablefmt)


def history_table(history, every=1, tablefmt="simple", digits=4):
    """Per-epoch history as a table, then one line saying how training ended.

    Columns appear only when the history has them: ``val_loss``,
    ``accuracy``, ``val_accuracy``, ``eta`` (under a decay), and with
    diagnostics ``|g|`` (largest gradient norm), ``growth`` and ``dead``
    (how many dead nodes).  ``every=k`` shows every k-th epoch (and the last).
    Records: one dict per row shown, keyed by the column titles.
    """
    check_digits(digits)
    check_format(tablefmt)
    every = validate.positive_int(every, "every")
    n = len(history)
    cols = [("epoch", list(range(1, n + 1))), ("loss", list(history))]
    for name in ("val_loss", "accuracy", "val_accuracy"):
        values = getattr(history, name)
        if values:
            cols.append((name, values))
    if history.etas and len(set(history.etas)) > 1:
        cols.append(("eta", history.etas))
    if history.diagnostics:
        d = history.diagnostics
        cols.append(("|g|", [e.grad_norm for e in d]))
        cols.append(("growth", [e.growth for e in d]))
        cols.append(("dead", [len(e.dead) for e in d]))
    keep = [i for i in range(n) if i % every == 0 or i == n - 1]
    records = [{name: values[i] if i < len(values) else None for name, values in cols}
               for i in keep]
    cells = [["" if v is None else str(v) if name in ("epoch", "dead") else num(v, digits)
              for name, v in r.items()] for r in records]
    align = tuple("right" if name in ("epoch", "dead") else "decimal" for name, _ in cols)
    return TableText([name for name, _ in cols], cells, records, align, tablefmt,
                     after=history.summary())
