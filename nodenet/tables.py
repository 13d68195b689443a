"""Per-node tables of a forward pass, its deltas and its weight changes.

Every function *returns* a string made by ``tabulate`` in any of its formats
(``tablefmt="github"`` unless told: ``plain``, ``pipe``, ``latex``,
``html``, …), with every number written by ``nodenet.numfmt.num`` to
``digits`` significant digits (7, R's default, unless told).

* ``forward_table(net)`` — layer, node, the terms w·a, b, net input,
  activation and output, as the last ``forward`` left them;
* ``delta_table(net, y)`` — each node's δ rule, the rule with its numbers,
  and δ (see ``nodenet.formulas``);
* ``weight_change_table(net, eta)`` — from → to, w, δ, a, η,
  Δw = η·δ·a and the new w, biases included (a bias is a weight on a
  constant input a = 1);
* ``step_report(net, x, y, eta, order)`` — performs ``net.step`` and returns
  the three tables for it, saying which weights each one shows.

>>> from nodenet import Network
>>> net = Network.from_matrices([[[0.5, 1.2, -0.3]]])
>>> _ = net.forward([1, 3, 5])
>>> print(forward_table(net, tablefmt="plain"))
  layer  node    w·a               b    net  f           output
      1  o       0.5, 3.6, -1.5    0    2.6  sigmoid  0.9308616
"""

from tabulate import TableFormat, tabulate, tabulate_formats

from . import validate
from .errors import NodenetError
from .formulas import _check_digits, check_snapshot, delta_formulas, input_names, node_names
from .numfmt import DIGITS, num, nums
from .optimizers import check_optimizer

ORDERS = ("standard", "handout")


def _table(rows, headers, align, tablefmt):
    if not isinstance(tablefmt, TableFormat) and (
            not isinstance(tablefmt, str) or tablefmt not in tabulate_formats):
        raise NodenetError(f"unknown table format {validate.brief(tablefmt)}; expected one of: "
                           f"{', '.join(tabulate_formats)}")
    # disable_numparse: the cells are already formatted; tabulate must not
    # re-read "9.907519e-05" as a float and print it its own way.
    return tabulate(rows, headers=headers, tablefmt=tablefmt,
                    disable_numparse=True, colalign=align)


def _snapshot_weights(net, weights):
    """Per layer, per node: (incoming weights, bias), current or from a snapshot."""
    if weights is None:
        return [[(node.weights, node.bias) for node in layer] for layer in net.layers]
    check_snapshot(net, weights)
    return weights


def _check_forward(net, what):
    if net.inputs is None:
        raise NodenetError(f"{what} needs a forward pass first: call forward(x)")


def forward_table(net, tablefmt="github", digits=DIGITS, weights=None):
    """The last forward pass, node by node: w·a terms, b, net input, f, output.

    ``weights`` (a ``net.snapshot()``) replaces the current weights in the
    w·a column, for a table drawn after the weights have changed.
    """
    _check_digits(digits)
    _check_forward(net, "forward_table")
    weights = _snapshot_weights(net, weights)
    names = node_names(net)
    rows = []
    for l, layer in enumerate(net.layers):
        a = net.layer_inputs(l)
        for j, node in enumerate(layer):
            w, b = weights[l][j]
            rows.append([str(l + 1), names[l][j], nums([wi * ai for wi, ai in zip(w, a)], digits),
                         num(b, digits), num(node.net, digits), repr(layer.activation),
                         num(node.output, digits)])
    return _table(rows, ["layer", "node", "w·a", "b", "net", "f", "output"],
                  ("right", "left", "left", "right", "right", "left", "right"), tablefmt)


def delta_table(net, y, tablefmt="github", digits=DIGITS, weights=None):
    """Every node's δ with its formula, output layer first.

    Call after ``forward(x)`` and ``backward(y)``.  Hidden deltas are written
    with the current weights of the layer above, or with ``weights`` (a
    ``net.snapshot()``); see ``nodenet.formulas.delta_formulas``.
    """
    rows = [[str(f.layer), f.name, f.rule, f.text, num(f.delta, digits)]
            for f in delta_formulas(net, y, digits, weights)]
    return _table(rows, ["layer", "node", "δ rule", "δ with numbers", "δ"],
                  ("right", "left", "left", "left", "right"), tablefmt)


def weight_changes(net, eta, before=None, layers=None):
    """Rows (layer, source, node, w, δ, a, Δw, new w) for every weight and bias.

    Without ``before``, ``w`` is the current weight and ``new w = w + Δw``
    is the update about to be made (call after ``backward``, before
    ``update``).  With ``before`` (a ``net.snapshot()`` taken before an
    update that has been made), ``w`` comes from it and ``new w`` is the
    current weight.  Output layer first; biases (source ``"b"``, a = 1) are
    left out of layers built with ``use_bias=False``.  ``layers`` (1-based
    layer numbers, 1 = first hidden) keeps only those layers' rows.
    """
    eta = validate.number(eta, "eta")
    _check_forward(net, "weight_changes")
    if any(node.delta is None for layer in net.layers for node in layer):
        raise NodenetError("weight changes need forward(x) and backward(y) (or step) first")
    old = _snapshot_weights(net, before)
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
    """Every weight and bias: from → to, w, δ, a, η, Δw = η·δ·a, new w.

    See ``weight_changes`` for what ``w`` and ``new w`` are with and without
    ``before``, and for ``layers``.
    """
    _check_digits(digits)
    eta_text = num(validate.number(eta, "eta"), digits)
    rows = [[str(l), f"{src} → {dst}", num(w, digits), num(d, digits), num(a, digits), eta_text,
             num(dw, digits), num(new, digits)]
            for l, src, dst, w, d, a, dw, new in weight_changes(net, eta, before, layers)]
    return _table(rows, ["layer", "from → to", "w", "δ", "a", "η", "Δw = η·δ·a", "new w"],
                  ("right", "left") + ("right",) * 6, tablefmt)


def _check_layers(net, layers):
    n = len(net.layers)
    if layers is None:
        return set(range(1, n + 1))
    wanted = set()
    for l in layers:
        if isinstance(l, bool) or not isinstance(l, int) or not 1 <= l <= n:
            raise NodenetError(f"layers must be layer numbers from 1 to {n}, got {l!r}")
        wanted.add(l)
    return wanted


def step_report(net, x, y, eta, order="standard", tablefmt="github", digits=DIGITS):
    """Do one training step, ``net.step(x, y, eta, order)``, and return its tables.

    The forward table is drawn before the step (the weights that produced
    the outputs).  The deltas are those ``net.step`` computed: in the
    standard order from the weights before the update, in the handout's
    order from the already updated weights of the layer above, and the
    table shows the weights that were used.  The weight-change table shows
    each weight before and after.  The loss after the step is measured on a
    copy, so the nodes keep the values of this step.
    """
    _check_digits(digits)
    if order not in ORDERS:
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
        after = _loss_after(net, x, y, digits)
    except BaseException:
        net.rollback(saved)             # a failed report changes nothing
        raise
    name = net.loss_function.name
    if order == "standard":
        how = ("standard backpropagation: every δ is computed from the weights before "
               "the update, then all weights change")
    else:
        how = ("the handout's order: a layer's incoming weights are updated as soon as its "
               "deltas are known, so each hidden δ uses the already updated weights above it")
    return "\n".join([
        f"One training step of {net!r}",
        f"x = ({nums(x, digits)}), y = ({nums(y, digits)}), η = {num(eta, digits)}, "
        f"order = {order}",
        "",
        "Forward pass (weights before the step):",
        "",
        forward,
        "",
        f"loss ({name}) before the step: {num(loss, digits)}",
        "",
        f"Deltas, output layer first ({how}):",
        "",
        deltas,
        "",
        "Weight changes (w before the step, new w after it; Δw = η·δ·a is added):",
        "",
        changes,
        "",
        f"loss ({name}) after the step, same example: {after}",
    ])


def _loss_after(net, x, y, digits):
    """The loss on the same example after the step (on a copy), or why there is none."""
    try:
        return num(net.copy().loss([x], [y]), digits)
    except NodenetError as err:
        return f"none: {err}"


def optimizer_step_table(net, optimizer, X, Y, lr=None, tablefmt="github", digits=DIGITS,
                         layers=None):
    """The step ``optimizer`` would take on the batch (X, Y), weight by weight; nothing changes.

    Columns: layer, from → to, w, g = ∂L/∂w of the batch, then what the
    optimizer computes for that weight in this step (SGD with momentum:
    buf; HandoutMomentum: v; Adam and AdamW: m, v, m̂, v̂; RMSprop: v (m,
    buf); Adagrad: sum, η_t; with L2 weight decay, g + λw first), Δw and the
    new w.  Output layer first; a bias is the weight on a constant input 1
    ("b").  ``lr`` replaces the optimizer's rate (a schedule's).  Take the
    step with ``optimizer.step(net, *net.gradients(X, Y))``.

    >>> from nodenet import Network
    >>> from nodenet.optimizers import Adam
    >>> net = Network.from_matrices([[[0.5]]], [[0.25]], activations="identity")
    >>> print(optimizer_step_table(net, Adam(lr=0.1), [[2.0]], [[0.0]], tablefmt="plain"))
      layer  from → to       w    g     m        v    m̂     v̂    Δw    new w
          1  x1 → o        0.5    5   0.5    0.025    5    25  -0.1      0.4
          1  b → o        0.25  2.5  0.25  0.00625  2.5  6.25  -0.1     0.15
    """
    _check_digits(digits)
    check_optimizer(optimizer)
    gw, gb = net.gradients(X, Y)
    if lr is not None:
        lr = validate.number(lr, "lr")
        if lr < 0.0:
            raise NodenetError(f"lr must be ≥ 0, got {lr!r}")
    proposal = optimizer.propose(net, gw, gb, lr, explain=True)
    if proposal.where is not None:
        raise NodenetError(f"optimizer_step_table: the step would fail: {proposal.where}")
    wanted = _check_layers(net, layers)
    names, sources = node_names(net), input_names(net)
    keys = list(proposal.columns[0][0])
    rows = []
    for l in range(len(net.layers) - 1, -1, -1):
        if l + 1 not in wanted:
            continue
        layer = net.layers[l]
        below = (sources if l == 0 else names[l - 1]) + ["b"]
        for j, (node, (new, _), cols) in enumerate(zip(layer, proposal.values[l],
                                                        proposal.columns[l])):
            old = node.weights + [node.bias]
            for i in range(len(new)):
                rows.append([str(l + 1), f"{below[i]} → {names[l][j]}", num(old[i], digits)]
                            + [num(cols[k][i], digits) for k in keys] + [num(new[i], digits)])
    headers = ["layer", "from → to", "w"] + keys + ["new w"]
    return _table(rows, headers, ("right", "left") + ("right",) * (len(headers) - 2), tablefmt)
