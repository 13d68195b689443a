"""Building a network from user data: names, shapes, seeds and matrices checked.

Every function here either returns fresh, checked values or raises a
NodenetError that names the layer and says what was expected and what came.
Layers are numbered from 1 (the first hidden layer).
"""

import random
from math import isfinite

from . import validate
from .activations import get_activation
from .errors import NodenetError
from .node import Layer, Node

LAYOUTS = ("out_in", "in_out")


def check_layout(layout):
    if not isinstance(layout, str) or layout not in LAYOUTS:
        raise NodenetError(f"unknown layout {validate.brief(layout)}; expected one of: "
                           f"{', '.join(LAYOUTS)}")
    return layout


def transpose(rows):
    return [list(col) for col in zip(*rows)]


def layer_activation(spec, l):
    """get_activation, with layer l named in its error."""
    try:
        return get_activation(spec)
    except NodenetError as err:
        raise NodenetError(f"layer {l} activation: {err}") from None


def check_snapshot(net, snapshot, caller="restore"):
    """``snapshot`` as fresh lists, if it fits ``net`` (one (weights, bias) per node).

    ``caller`` names the function (or argument) in the error.
    """
    what = f"{caller} expects a snapshot from net.snapshot()"
    snapshot = validate.as_sequence(snapshot)
    if not isinstance(snapshot, (list, tuple)) or len(snapshot) != len(net.layers):
        raise NodenetError(f"{what}: one list per layer ({len(net.layers)}), "
                           f"got {validate.describe(snapshot)}")
    out = []
    for l, (layer, saved) in enumerate(zip(net.layers, snapshot), start=1):
        if not isinstance(saved, (list, tuple)) or len(saved) != len(layer):
            raise NodenetError(f"{what}: layer {l} needs {len(layer)} (weights, bias) pairs, "
                               f"got {validate.describe(saved)}")
        rows = []
        for j, pair in enumerate(saved):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise NodenetError(f"{what}: layer {l} node {j} needs a (weights, bias) pair, "
                                   f"got {validate.describe(pair)}")
            w = validate.vector(pair[0], layer.n_inputs, f"{caller}: layer {l} node {j}", "weights")
            rows.append((w, validate.number(pair[1], f"{caller}: layer {l} node {j} bias")))
        out.append(rows)
    return out


def check_rng(seed, rng):
    """The caller's random.Random, or a new one seeded with the whole number ``seed``."""
    if rng is not None:
        if not isinstance(rng, random.Random):
            raise NodenetError(f"rng must be a random.Random, got {type(rng).__name__}")
        try:                # a SystemRandom has no state to save: getstate() raises
            rng.getstate()
        except NotImplementedError:
            raise NodenetError("rng must be a seedable random.Random (its state is saved and "
                               "restored so that a refused call draws nothing); SystemRandom "
                               "cannot be") from None
        return rng
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise NodenetError(f"seed must be a whole number, got {validate.describe(seed)}")
    return random.Random(seed)


def check_flag(value, what):
    if not isinstance(value, bool):
        raise NodenetError(f"{what} must be True or False, got {validate.describe(value)}")
    return value


def check_layers(layers):
    """A non-empty list of non-empty Layers whose sizes chain."""
    layers = list(layers) if isinstance(layers, (list, tuple)) else layers
    if not isinstance(layers, list) or not layers:
        raise NodenetError(f"layers must be a non-empty list of Layer, got {validate.brief(layers)}")
    n_in = None
    for l, layer in enumerate(layers, start=1):
        if not isinstance(layer, Layer):
            raise NodenetError(f"layer {l} must be a Layer, got {type(layer).__name__}")
        if not layer.nodes:
            raise NodenetError(f"layer {l} has no nodes; every layer needs at least one")
        widths = {len(node.weights) for node in layer}
        if len(widths) != 1 or 0 in widths:
            raise NodenetError(f"layer {l}: every node needs the same number (≥ 1) of weights, "
                               f"got {sorted(widths)}")
        if n_in is not None and layer.n_inputs != n_in:
            raise NodenetError(f"layer {l} expects {layer.n_inputs} inputs, but layer {l - 1} "
                               f"has {n_in} nodes")
        n_in = len(layer)
    return layers


def chains(weights, layout):
    """True if the (already rectangular-checked) matrices chain in ``layout``."""
    shapes = []
    for m in weights:
        m = validate.as_sequence(m)
        first = validate.as_sequence(m[0]) if isinstance(m, (list, tuple)) and m else None
        if not isinstance(first, (list, tuple)):
            return False
        shapes.append((len(m), len(first)) if layout == "out_in" else (len(first), len(m)))
    return all(cols == rows_below for (rows_below, _), (_, cols) in zip(shapes, shapes[1:]))


def chain_message(l, layout, n_in, rows, cols):
    """Say why layer l's matrix (rows × cols once in out_in order) does not chain."""
    def shape(out, inn):
        return f"{out}×{inn}" if layout == "out_in" else f"{inn}×{out}"
    got = shape(rows, cols)
    if rows == n_in:           # the transpose would chain: the user likely swapped layouts
        other = "in_out" if layout == "out_in" else "out_in"
        return (f"layer {l} weights: expected {shape(cols, n_in)} in {layout} layout "
                f"(layer {l - 1} has {n_in} outputs), got {got} — did you mean layout={other!r}?")
    side = "columns" if layout == "out_in" else "rows"
    return (f"layer {l} weights: expected {n_in} {side} in {layout} layout, one per output "
            f"of layer {l - 1}, got {got}")


def check_matrix(matrix, what, floats=False):
    """A non-empty rectangular list of rows of finite floats (a row that already is a
    list of finite floats is not copied here: layers_from_matrices copies each row).

    ``floats=True``: the rows are known to hold Python floats (the ``tolist()``
    of a float array), so only their finiteness is checked.
    """
    matrix = validate.as_sequence(matrix)
    if isinstance(matrix, (str, bytes)) or not isinstance(matrix, (list, tuple)) or not matrix:
        raise NodenetError(f"{what} must be a non-empty matrix (list of rows), got {matrix!r:.60}")
    first = validate.as_sequence(matrix[0])
    if not isinstance(first, (list, tuple)) or not first:
        raise NodenetError(f"{what} must be a list of non-empty rows, got row 0 = {first!r:.60}")
    n = len(first)
    rows = []
    for r, row in enumerate(matrix):
        row = validate.as_sequence(row)
        if not isinstance(row, (list, tuple)) or len(row) != n:
            got = len(row) if isinstance(row, (list, tuple)) else type(row).__name__
            raise NodenetError(f"{what} must be rectangular: row 0 has {n} entries, row {r} has {got}")
        if type(row) is list and (isfinite(sum(row)) if floats
                                  else validate.finite_floats(row)):
            rows.append(row)            # plain finite floats (tolist() gives them); not copied
        else:
            rows.append([validate.number(v, f"{what}[{r}][{c}]") for c, v in enumerate(row)])
    return rows


def bias_vector(b, n, l):
    """Layer l's n biases from a vector, an n×1 or a 1×n array (NumPy ML code keeps
    either), as fresh floats; a plain list goes straight to ``validate.vector``."""
    b = validate.as_sequence(b)
    if isinstance(b, (list, tuple)) and b and isinstance(validate.as_sequence(b[0]),
                                                         (list, tuple)):
        rows = [validate.as_sequence(r) for r in b]
        if len(rows) == 1 and len(rows[0]) == n:
            b = rows[0]                                         # 1×n
        elif len(rows) == n and all(isinstance(r, (list, tuple)) and len(r) == 1
                                    for r in rows):
            b = [r[0] for r in rows]                            # n×1
        else:
            got = (f"{len(rows)}×{len(rows[0])}"
                   if all(isinstance(r, (list, tuple)) and len(r) == len(rows[0]) for r in rows)
                   else validate.brief(b))
            raise NodenetError(f"layer {l} biases: expected {n} values (a vector, {n}×1 or "
                               f"1×{n}), got {got}")
    return validate.vector(b, n, f"layer {l} biases", "biases")


def layers_from_matrices(weights, biases, activations, layout, use_bias, floats=False):
    """Checked Layers from one weight matrix (and bias vector) per layer
    (``floats``: see check_matrix)."""
    check_layout(layout)
    use_bias = check_flag(use_bias, "use_bias")
    weights = validate.as_sequence(weights)
    if not isinstance(weights, (list, tuple)) or not weights:
        raise NodenetError(
            f"weights must list one matrix per layer, got {validate.brief(weights)}")
    n_layers = len(weights)
    if isinstance(activations, (list, tuple)):
        if len(activations) != n_layers:
            raise NodenetError(
                f"activations lists one per layer: expected {n_layers}, got {len(activations)}")
        specs = list(activations)
    else:
        specs = [activations] * n_layers
    if biases is None:
        biases = [None] * n_layers
    biases = validate.as_sequence(biases)
    if not isinstance(biases, (list, tuple)) or len(biases) != n_layers:
        raise NodenetError(
            f"biases must list one vector per layer ({n_layers}), got {validate.brief(biases)}")
    layers, n_in = [], None
    for l, (matrix, b, spec) in enumerate(zip(weights, biases, specs), start=1):
        rows = check_matrix(matrix, f"layer {l} weights", floats)
        if layout == "in_out":
            rows = transpose(rows)
        n_out, cols = len(rows), len(rows[0])
        if n_in is not None and cols != n_in:
            message = chain_message(l, layout, n_in, n_out, cols)
            other = "in_out" if layout == "out_in" else "out_in"
            if "did you mean" not in message and chains(weights, other):
                message += f" — all the matrices chain in the other layout: layout={other!r}?"
            raise NodenetError(message)
        b = [0.0] * n_out if b is None else bias_vector(b, n_out, l)
        act = layer_activation(spec, l)
        # check_matrix and bias_vector checked every number; a row may still be the caller's
        nodes = [Node.of_floats(list(row), bias, act) for row, bias in zip(rows, b)]
        layers.append(Layer(nodes, act, bias=use_bias))
        n_in = n_out
    return layers
