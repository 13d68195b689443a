"""The network as an SVG picture with every number of a pass on it.

The handout's Figure 1 with its numbers: the inputs, one circle per node
holding its net input z, output a, δ and bias b, and one edge per weight
labelled with w.  Given ``eta``, the picture also shows the change each
weight gets, Δw = η·δ·a (and Δb = η·δ in the nodes), computed as the tables
compute it; given ``before`` (a ``net.snapshot()`` taken before an update),
w and b are the values before it, so the picture shows a step that has been
made.  Every number is written by ``nodenet.numfmt.num`` to ``digits``
significant digits, as in the tables.  Edges are blue for w > 0, red for
w < 0, thicker for larger |w|; ``values=False`` leaves the numbers out
(the names stay), for a large network.

``to_svg`` returns a ``Picture``: ``str(picture)`` is the SVG text,
``picture.save(path)`` writes it, and Jupyter shows it inline.  The picture
is plain SVG 1.1 text written here, without Graphviz or any other program.

>>> from nodenet import Network
>>> net = Network.from_matrices([[[0.5, 1.2, -0.3]]])
>>> _ = net.forward([1, 3, 5])
>>> picture = to_svg(net)
>>> picture
Picture(SVG 442×379: Network([3, 1], sigmoid, loss=sse), 1 node, 3 weights)
>>> [box.lines for box in picture.boxes if box.kind == "node"]
[('o', 'z = 2.6', 'a = 0.9308616', 'b = 0')]
"""

from xml.sax.saxutils import escape

from . import validate
from .build import check_snapshot
from .draw import COLOURS
from .errors import NodenetError
from .files import write_atomic
from .formulas import input_names, node_names
from .numfmt import DIGITS, check_digits, num, nums
from .svglayout import FONT, LINE, PAD, TextBox, layout

FONTS = "DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, monospace"
POSITIVE, NEGATIVE, ZERO = "#5b9bd5", "#e8735a", "#b0b0b0"     # edge colours
INK = "#1a1a1a"                                                   # every text
MAX_LABELS = 1500     # more weights than this are drawn only with values=False


class Picture:
    """An SVG picture: ``str()`` is its text; Jupyter shows it inline.

    ``width`` and ``height`` are in pixels; ``boxes`` lists every block of
    text with its box (``nodenet.svglayout.TextBox``), in the picture's
    pixels, for a tool or a test that wants to know where each label is.
    """

    def __init__(self, text, width, height, boxes, summary):
        self.text, self.width, self.height = text, width, height
        self.boxes = tuple(boxes)
        self.summary = summary

    def __str__(self):
        return self.text

    def _repr_svg_(self):
        return self.text

    def __repr__(self):
        return f"Picture(SVG {self.width}×{self.height}: {self.summary})"

    def save(self, path):
        """Write the SVG text to ``path`` (atomically) and return the path."""
        write_atomic(path, self.text + "\n", "SVG picture")
        return path


def to_svg(net, eta=None, before=None, values=True, digits=DIGITS, title=None):
    """The network as a ``Picture``, with the numbers its nodes hold now.

    ``eta``: also show Δw = η·δ·a on each edge and Δb = η·δ in each node
    (needs the deltas of a ``backward`` or ``step``).  ``before``: a
    ``net.snapshot()`` taken before the update, whose w and b are shown
    instead of the current ones.  ``values=False``: names only.  ``title``:
    text above the picture (lines split at "\\n"; default ``repr(net)``).
    """
    eta = _check(net, eta, values, digits, title)
    weights = _weights(net, before)
    if title is None:
        title = repr(net)
    parts = _Parts(net, weights, eta if values else None, values, digits)
    legend = _legend(net, eta, before, values)
    placed = layout(parts.columns, parts.edges, parts.headers, title.split("\n") if title else [],
                    legend)
    text = _render(placed, parts.styles)
    n_nodes = sum(len(layer) for layer in net.layers)
    shown = "w and Δw" if eta is not None and values else "w" if values else "no values"
    summary = (f"{net!r}, {n_nodes} node{'s' if n_nodes != 1 else ''}, "
               f"{len(parts.edges)} weights" + ("" if shown == "w" else f", {shown}"))
    return Picture(text, placed.width, placed.height, placed.boxes, summary)


def step_picture(net, x, y, eta, order="standard", values=True, digits=DIGITS):
    """Do one training step, ``net.step(x, y, eta, order)``, and draw it.

    The picture shows the step's forward pass and deltas, each weight
    before the step and its change Δw; the title says which step it was.
    """
    _check(net, None, values, digits, None)     # before the step: a failed call changes nothing
    before = net.snapshot()
    loss = net.step(x, y, eta, order)           # checks x, y, eta and order
    x = validate.vector(x, net.sizes[0], "step")
    y = validate.vector(y, net.sizes[-1], "step", "targets")
    title = (f"One training step of {net!r}\n"
             f"x = ({nums(x, digits)}), y = ({nums(y, digits)}), η = {num(eta, digits)}, "
             f"order = {order}; loss ({net.loss_function.name}) before it: {num(loss, digits)}")
    return to_svg(net, eta, before, values, digits, title)


def n_weights(net):
    """How many weights ``net`` has (its edges)."""
    return sum(len(layer) * layer.n_inputs for layer in net.layers)


def labels_fit(net):
    """True if a picture of ``net`` can carry its numbers (at most MAX_LABELS weights)."""
    return n_weights(net) <= MAX_LABELS


def _check(net, eta, values, digits, title):
    """Refuse bad arguments before any work; return eta as a float (or None)."""
    check_digits(digits)
    if values is not True and values is not False:
        raise NodenetError(f"values must be True or False, got {validate.describe(values)}")
    if title is not None and not isinstance(title, str):
        raise NodenetError(f"title must be a string, got {validate.describe(title)}")
    if values and not labels_fit(net):
        raise NodenetError(f"to_svg: {n_weights(net)} weights are too many to label (at most "
                           f"{MAX_LABELS}); pass values=False to draw the network without "
                           "its numbers")
    if eta is None:
        return None
    eta = validate.number(eta, "eta")
    if eta < 0:
        raise NodenetError(f"eta must be ≥ 0, got {validate.brief(eta)}")
    if values and any(node.delta is None for layer in net.layers for node in layer):
        raise NodenetError("to_svg: eta is given to show Δw = η·δ·a, but the nodes have no "
                           "δ yet; call forward(x) and backward(y), or step, first")
    return eta


def _weights(net, before):
    """Per layer, per node, (weights, bias): the current ones or ``before``'s."""
    if before is None:
        return [[(node.weights, node.bias) for node in layer] for layer in net.layers]
    return check_snapshot(net, before, "to_svg before=")


class _Parts:
    """The picture's content: node text, edge labels, and per edge (name, colour, width)."""

    def __init__(self, net, weights, eta, values, digits):
        names = [input_names(net)] + node_names(net)
        inputs = net.inputs if values and net.inputs is not None else None
        self.columns = [[TextBox("input", x, (x if inputs is None else f"{x} = {num(a, digits)}",),
                                 0, 0)
                         for x, a in zip(names[0], inputs or [None] * len(names[0]))]]
        self.headers = ["inputs"]
        self.edges, self.styles = [], []
        big = max([abs(w) for layer in weights for ws, _ in layer for w in ws] + [1e-300])
        last = len(net.layers)
        for l, layer in enumerate(net.layers, start=1):
            kind = "output" if l == last else f"layer {l}"
            self.headers.append(f"{kind}: {layer.activation!r}")
            below = inputs if l == 1 else [node.output for node in net.layers[l - 2]]
            column = []
            for j, node in enumerate(layer):
                w, b = weights[l - 1][j]
                column.append(TextBox("node", names[l][j],
                                      _node_lines(names[l][j], node, b, layer.use_bias, eta,
                                                  values, digits), 0, 0))
                for i, wi in enumerate(w):
                    lines = _edge_lines(wi, node, below, i, eta, digits) if values else None
                    name = f"{names[l - 1][i]} → {names[l][j]}"
                    self.edges.append((l - 1, i, j, lines and TextBox("edge", name, lines, 0, 0)))
                    colour = POSITIVE if wi > 0 else NEGATIVE if wi < 0 else ZERO
                    self.styles.append((name, colour, 1 + 3 * abs(wi) / big))
            self.columns.append(column)


def _node_lines(name, node, b, use_bias, eta, values, digits):
    if not values:
        return (name,)
    lines = [name]
    for label, value in (("z", node.net), ("a", node.output), ("δ", node.delta)):
        if value is not None:
            lines.append(f"{label} = {num(value, digits)}")
    if use_bias:
        lines.append(f"b = {num(b, digits)}")
        if eta is not None:
            lines.append(f"Δb = {num(eta * node.delta, digits)}")      # as Layer.update
    return tuple(lines)


def _edge_lines(w, node, below, i, eta, digits):
    lines = (f"w = {num(w, digits)}",)
    if eta is not None:
        lines += (f"Δw = {num(eta * node.delta * below[i], digits)}",)   # (η·δ)·a, as Layer.update
    return lines


def _legend(net, eta, before, values):
    lines = []
    if values and net.inputs is not None:
        lines.append("z = net input Σ w·a + b,  a = output f(z),  δ = −∂L/∂z")
    if values and eta is not None:
        lines.append(f"Δw = η·δ·a and Δb = η·δ with η = {num(eta)}, added to w and b")
    if values and before is not None:
        lines.append("w and b: before the step")
    lines.append("edges: blue w > 0, red w < 0, width grows with |w|")
    return lines


def _render(placed, styles):
    """The SVG text of a finished layout."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{placed.width}" '
           f'height="{placed.height}" viewBox="0 0 {placed.width} {placed.height}" '
           f'font-family="{FONTS}" font-size="{FONT}">',
           '<rect width="100%" height="100%" fill="white"/>']
    for (x1, y1, x2, y2), (name, colour, width) in zip(placed.segments, styles):
        out += [f'<g class="link"><title>{escape(name)}</title>',
                f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
                f'stroke="{colour}" stroke-width="{_n(width)}"/>',
                _arrowhead(x1, y1, x2, y2, colour), "</g>"]
    n_columns = len(placed.circles)
    for c, circles in enumerate(placed.circles):
        kind = "input" if c == 0 else "output" if c == n_columns - 1 else "hidden"
        fill, stroke = COLOURS[kind]
        out += [f'<circle cx="{_n(k.x)}" cy="{_n(k.y)}" r="{_n(k.r)}" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="1.5"/>' for k in circles]
    frames = {name: colour for name, colour, _ in styles}
    for box in placed.boxes:
        out.append(_text_block(box, frames[box.name] if box.kind == "edge" else None))
    out.append("</svg>")
    return "\n".join(out)


def _arrowhead(x1, y1, x2, y2, colour, size=7):
    dx, dy = x2 - x1, y2 - y1
    d = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / d, dy / d
    bx, by = x2 - size * ux, y2 - size * uy
    points = [(x2, y2), (bx - size / 2.5 * uy, by + size / 2.5 * ux),
              (bx + size / 2.5 * uy, by - size / 2.5 * ux)]
    return (f'<polygon points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in points)}" '
            f'fill="{colour}"/>')


def _text_block(box, frame):
    """A group: a tooltip with the box's name, a framed background if ``frame``, the lines."""
    out = [f'<g class="{box.kind}">']
    if box.name:
        out.append(f"<title>{escape(box.name)}</title>")
    if frame:
        out.append(f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
                   f'height="{_n(box.height)}" rx="3" fill="white" stroke="{frame}"/>')
    centred = box.kind in ("node", "input", "edge", "header")
    x = box.x + box.width / 2 if centred else box.x + PAD
    anchor = ' text-anchor="middle"' if centred else ""
    for n, line in enumerate(box.lines):
        bold = ' font-weight="bold"' if n == 0 and box.kind in ("node", "input") else ""
        y = box.y + PAD + n * LINE + 0.78 * LINE
        out.append(f'<text x="{_n(x)}" y="{_n(y)}"{anchor}{bold} fill="{INK}" '
                   f'xml:space="preserve">{escape(line)}</text>')
    out.append("</g>")
    return "\n".join(out)


def _n(value):
    """A coordinate to one decimal, without a trailing ".0"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text

