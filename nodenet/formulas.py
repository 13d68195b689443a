"""Each node's δ written out as a formula, with its numbers substituted.

For a network that has been through ``forward(x)`` and ``backward(y)``,
``delta_formulas`` returns one ``DeltaFormula`` per node, output layer first:
the general ``rule`` (``2·(y − a)·a·(1 − a)`` for sse and a sigmoid output),
the same with the node's numbers put in, and the δ stored on the node.  The
formula follows the node's activation and the network's loss:

* output layer, δ = e·f′ with e = −∂l/∂a from the loss — sse ``2·(y − a)``,
  half_sse ``(y − a)``, mse ``2·(y − a)/K``, bce ``(y − a)/(a·(1 − a)·K)``,
  cross_entropy ``y/a`` — and f′ from the activation — sigmoid
  ``a·(1 − a)``, tanh ``(1 − a²)``, relu ``[z > 0]``, leaky_relu ``1`` or
  α, step ``0``, identity ``1``;
* the fused pairs nodenet computes directly: sigmoid + bce gives
  ``(y − a)/K``, softmax + cross_entropy gives ``y − a`` (``y − a·Σy`` if the
  targets do not sum to exactly 1);
* softmax with any other loss uses its Jacobian, δ_j = a_j·(e_j − Σ_k e_k·a_k);
* hidden node j: e_j = Σ_k w_kj·δ_k over the nodes k above, then the same f′.

Substituted numbers are rounded to ``digits`` significant digits, so the
formula evaluates to δ up to that rounding.  Negative numbers are put in
parentheses, ``−`` is subtraction and ``·`` multiplication.

>>> from nodenet import Network
>>> net = Network.from_matrices([[[0.5, 1.2, -0.3]], [[0.8]]])
>>> _ = net.forward([1, 3, 5]); net.backward([1])
>>> for f in delta_formulas(net, [1]): print(f)
δ_o = 2·(1 − 0.6780204)·0.6780204·(1 − 0.6780204) = 0.1405819
δ_h1 = 0.8·0.1405819·0.9308616·(1 − 0.9308616) = 0.00723809
"""

from collections import namedtuple

from .build import check_snapshot
from .errors import NodenetError
from .numfmt import DIGITS, check_digits, factor, group, num

DeltaFormula = namedtuple("DeltaFormula", "layer node name rule text delta digits")
DeltaFormula.__doc__ = """One node's δ: its layer (1 = first hidden), node index, name,
the general ``rule``, the rule with numbers (``text``) and the stored ``delta``."""


def _line(self):
    return f"δ_{self.name} = {self.text} = {num(self.delta, self.digits)}"


DeltaFormula.__str__ = _line


def node_names(net):
    """Names for every node, one list per layer: h1, h2, … and o (or o1, o2, …).

    With several hidden layers the hidden names carry the layer: h1.1, h1.2, h2.1.

    >>> from nodenet import Network
    >>> node_names(Network([3, 4, 1]))
    [['h1', 'h2', 'h3', 'h4'], ['o']]
    >>> node_names(Network([2, 2, 2, 3]))[1:]
    [['h2.1', 'h2.2'], ['o1', 'o2', 'o3']]
    """
    n_hidden = len(net.layers) - 1
    names = []
    for l, layer in enumerate(net.layers, start=1):
        if l == len(net.layers):
            names.append(["o"] if len(layer) == 1 else [f"o{j}" for j in range(1, len(layer) + 1)])
        elif n_hidden == 1:
            names.append([f"h{j}" for j in range(1, len(layer) + 1)])
        else:
            names.append([f"h{l}.{j}" for j in range(1, len(layer) + 1)])
    return names


def input_names(net):
    """``['x1', 'x2', …]``, one per input."""
    return [f"x{i}" for i in range(1, net.sizes[0] + 1)]


# -- the pieces of a formula: (rule, text with numbers, needs parentheses) --
# The rules themselves live on the objects: ``Activation.rule`` and
# ``.numbers`` give f′, ``Loss.rule`` gives e = −∂l/∂a (or δ for a fused pair).

def _times(rule, text, wrap, d_rule, d_text):
    if wrap:
        rule, text = f"({rule})", f"({text})"
    return f"{rule}·{group(d_rule)}", f"{text}·{group(d_text)}"


def _layer_formulas(layer, upstream, fmt):
    """(rule, text) per node from per-node upstream pieces (rule, text, wrap, value)."""
    act = layer.activation
    nodes = layer.nodes
    if act.elementwise:
        return [_times(rule, text, wrap, act.rule, act.numbers(node.net, node.output, fmt))
                for node, (rule, text, wrap, _) in zip(nodes, upstream)]
    # a whole-layer activation: its rule is written with e, the upstream signal
    values = [e[3] for e in upstream]
    if act.name == "softmax":       # δ_j = a_j·(e_j − Σ_k e_k·a_k)
        mean = sum(v * node.output for v, node in zip(values, nodes))
        return [(f"a·({rule} − Σ e·a)", f"{fmt(node.output)}·({text} − {fmt(mean)})")
                for node, (rule, text, _, _) in zip(nodes, upstream)]
    total = sum(values)             # log_softmax: δ_j = e_j − e^(a_j)·Σ_k e_k
    return [(f"{rule} − exp(a)·Σ e", f"{text} − exp({fmt(node.output)})·{fmt(total)}")
            for node, (rule, text, _, _) in zip(nodes, upstream)]


def delta_formulas(net, y, digits=DIGITS, weights=None):
    """A DeltaFormula for every node, output layer first (the backward order).

    Reads the values the last ``forward``/``backward`` left on the nodes.
    The hidden deltas are written with the current weights of the layer
    above, or with ``weights`` (a ``net.snapshot()``) if given: after a
    standard step pass the snapshot taken before it; after a handout-order
    step the current weights are the ones its hidden deltas used.
    """
    check_digits(digits)
    if net.inputs is None or any(node.delta is None for layer in net.layers for node in layer):
        raise NodenetError("delta formulas need forward(x) and backward(y) (or step) first")
    loss, layers = net.loss_function, net.layers
    y = loss.read_target(y, net.sizes[-1], "delta_formulas")
    if weights is not None:
        weights = check_snapshot(net, weights, "delta_formulas weights=")
    names = node_names(net)

    def fmt(x):
        return factor(x, digits)

    top = layers[-1]
    outputs = [node.output for node in top]
    pieces = [loss.rule(top.activation, y, outputs, j, fmt) for j in range(len(top))]
    if loss.fused_with(top.activation):
        found = [[(rule, text) for rule, text, _ in pieces]]
    else:
        values = loss.upstream(y, outputs)
        found = [_layer_formulas(top, [p + (v,) for p, v in zip(pieces, values)], fmt)]
    for l in range(len(layers) - 1, 0, -1):
        above, below = layers[l], layers[l - 1]
        w_above = ([node.weights for node in above] if weights is None
                   else [w for w, _ in weights[l]])
        upstream = []
        for j in range(len(below)):
            terms = [(w[j], node.delta) for w, node in zip(w_above, above)]
            text = " + ".join(f"{fmt(w)}·{fmt(dk)}" for w, dk in terms)
            value = sum(w * dk for w, dk in terms)
            if len(terms) == 1:
                upstream.append(("w·δ", text, False, value))
            else:
                upstream.append(("Σ w·δ", text, True, value))
        found.append(_layer_formulas(below, upstream, fmt))
    result = []
    for l, pieces in zip(range(len(layers), 0, -1), found):
        for j, (node, (rule, text)) in enumerate(zip(layers[l - 1], pieces)):
            result.append(DeltaFormula(l, j, names[l - 1][j], rule, text, node.delta, digits))
    return result


def legend(net):
    """The symbols the network's δ rules use, one line each (e.g. ``Φ = normal CDF``).

    >>> from nodenet import Network
    >>> legend(Network.from_matrices([[[1.0]]], activations="gelu", loss="mse"))
    ['gelu: Φ = normal CDF, φ = normal density']
    """
    lines, seen = [], set()
    for layer in net.layers:
        act = layer.activation
        if act.legend and repr(act) not in seen:
            seen.add(repr(act))
            lines.append(f"{act!r}: {act.legend}")
    return lines
