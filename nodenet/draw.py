"""The network as a diagram: Mermaid (GitHub renders it) and Graphviz DOT.

Inputs are drawn as nodes ``x1 … xn``; every neuron is labelled with its
activation and its bias, every edge with its weight.  Neuron ids follow the
messages and tables: ``n1_0`` is layer 1 (the first hidden layer), node 0.
Numbers keep ``digits`` significant digits.

>>> from nodenet import Network
>>> net = Network.from_matrices([[[0.5, 1.2, -0.3]]], [[0.1]])
>>> print(to_mermaid(net))
graph LR
    x1(["x1"])
    x2(["x2"])
    x3(["x3"])
    n1_0(("sigmoid<br/>b = 0.1"))
    x1 -->|"0.5"| n1_0
    x2 -->|"1.2"| n1_0
    x3 -->|"-0.3"| n1_0
    classDef input fill:#e6f7ff,stroke:#007acc
    classDef hidden fill:#ffe6cc,stroke:#ff9900
    classDef output fill:#e6ffe6,stroke:#00b300
    class x1,x2,x3 input
    class n1_0 output
"""

from .errors import NodenetError
from .validate import brief, is_choice
from .numfmt import check_digits

# fill and stroke colours of the three kinds of node (seed 001's palette)
COLOURS = {
    "input": ("#e6f7ff", "#007acc"),
    "hidden": ("#ffe6cc", "#ff9900"),
    "output": ("#e6ffe6", "#00b300"),
}
DIRECTIONS = ("LR", "TB")


def number(value, digits=3):
    """``value`` with ``digits`` significant digits, without a "-0".

    >>> number(0.123456), number(-2.0), number(1234.5, 2), number(-0.0001, 1)
    ('0.123', '-2', '1.2e+03', '-0.0001')
    """
    text = f"{value:.{digits}g}"
    return "0" if text in ("-0", "0") else text


def _check(digits, direction):
    digits = check_digits(digits)
    if not is_choice(direction, DIRECTIONS):
        raise NodenetError(f"direction must be one of {', '.join(DIRECTIONS)}, got "
                           f"{brief(direction)}")
    return digits


def _parts(net, digits):
    """Input ids, then per layer [(id, label lines, kind)], then edges (src, dst, weight text)."""
    inputs = [f"x{i}" for i in range(1, net.sizes[0] + 1)]
    layers, edges = [], []
    below = inputs
    last = len(net.layers)
    for l, layer in enumerate(net.layers, start=1):
        kind = "output" if l == last else "hidden"
        ids = []
        for j, node in enumerate(layer):
            nid = f"n{l}_{j}"
            lines = [repr(layer.activation)]
            if layer.use_bias:
                lines.append(f"b = {number(node.bias, digits)}")
            ids.append((nid, lines, kind))
            edges.extend((src, nid, number(w, digits)) for src, w in zip(below, node.weights))
        layers.append(ids)
        below = [nid for nid, _, _ in ids]
    return inputs, layers, edges


def to_mermaid(net, digits=3, direction="LR"):
    """A Mermaid flowchart of ``net`` (paste it into a ```mermaid block)."""
    digits = _check(digits, direction)
    inputs, layers, edges = _parts(net, digits)
    out = [f"graph {direction}"]
    out += [f'    {x}(["{x}"])' for x in inputs]
    for ids in layers:
        out += [f'    {nid}(("{"<br/>".join(lines)}"))' for nid, lines, _ in ids]
    out += [f'    {src} -->|"{w}"| {dst}' for src, dst, w in edges]
    out += [f"    classDef {kind} fill:{fill},stroke:{stroke}"
            for kind, (fill, stroke) in COLOURS.items()]
    out.append(f"    class {','.join(inputs)} input")
    hidden = [nid for ids in layers[:-1] for nid, _, _ in ids]
    if hidden:
        out.append(f"    class {','.join(hidden)} hidden")
    out.append(f"    class {','.join(nid for nid, _, _ in layers[-1])} output")
    return "\n".join(out)


def to_dot(net, digits=3, direction="LR"):
    """A Graphviz DOT digraph of ``net`` (render with ``dot -Tpng``).

    Each layer is one rank, so the inputs line up in a column on the left.
    """
    digits = _check(digits, direction)
    inputs, layers, edges = _parts(net, digits)
    out = ["digraph nodenet {", f"    rankdir={direction};",
           "    node [shape=circle, style=filled];"]
    fill, stroke = COLOURS["input"]
    out += [f'    {x} [label="{x}", shape=box, fillcolor="{fill}", color="{stroke}"];'
            for x in inputs]
    for ids in layers:
        for nid, lines, kind in ids:
            fill, stroke = COLOURS[kind]
            out.append(f'    {nid} [label="{_dot_label(lines)}", '
                       f'fillcolor="{fill}", color="{stroke}"];')
    for rank in [inputs] + [[nid for nid, _, _ in ids] for ids in layers]:
        out.append(f"    {{ rank=same; {'; '.join(rank)}; }}")
    out += [f'    {src} -> {dst} [label="{w}"];' for src, dst, w in edges]
    out.append("}")
    return "\n".join(out)


def _dot_label(lines):
    return "\\n".join(lines)
