"""nodenet's gradients of a batch, exactly or with one deliberate, common bug.

``gradients(net, X, Y)`` is ``net.gradients``; with ``masks`` (one dropout
mask per sample and hidden layer, as the client's forward pass drew them)
the same loop runs with each sample's masks on the layers.  With a
``change``, one step of backprop is done the way a familiar bug does it,
so that the report can say "your numbers are exactly what this bug gives"
instead of guessing.  Each change is ``(kind, t)`` for layer t (1-based):

``"fused_output"``        the output δ is y − a whatever the loss and activation
                          (right only where they are fused: sigmoid + bce, …);
``"derivative_of_z"``     layer t's f′ written in the output a is fed the net
                          input z: σ′ = z(1 − z), tanh′ = 1 − z²;
``"derivative_of_z_below"``  the same in layer t and every layer below it whose
                          f′ is written in a (seed 001's bug, in both its layers);
``"unmasked_backward"``   layer t's dropout mask is applied forward, not backward;
``"transposed_weights"``  layer t's e_j = Σ_k w_jk·δ_k: the layer above's
                          square weight matrix transposed (``dZ @ W`` for ``dZ @ W.T``);
``("wrong_layer", s)``    layer t's f′ evaluated at layer s's z and a.

>>> from nodenet import Network
>>> net = Network.from_matrices([[[2.0]], [[1.0]]], activations=["tanh", "identity"],
...                             loss="half_sse")
>>> exact = gradients(net, [[0.5]], [[0.0]])[0][0][0][0]
>>> buggy = gradients(net, [[0.5]], [[0.0]], change=("derivative_of_z", 1))[0][0][0][0]
>>> import math; a = math.tanh(1.0)
>>> exact == a * (1 - a * a) * 0.5, buggy == a * (1 - 1.0) * 0.5
(True, True)
"""

from operator import mul

from ..faults import pass_is_finite
from ..terms import GradientTerms

# f′ written in the output a, as code often has it, and what it gives when fed z
WRITTEN_IN_A = {
    "sigmoid": ("z·(1 − z)", lambda z: z * (1.0 - z)),
    "tanh": ("1 − z²", lambda z: 1.0 - z * z),
}


def gradients(net, X, Y, masks=None, change=None):
    """``(dW, db)`` out_in, of the batch loss: nodenet's, or under ``change``.

    The matrices of ``terms(net, X, Y, masks, change)``, or None.
    """
    found = terms(net, X, Y, masks, change)
    return None if found is None else found.matrices()


def terms(net, X, Y, masks=None, change=None):
    """The GradientTerms of the batch loss (nodenet.terms): nodenet's, or under ``change``.

    ``X`` and ``Y`` are checked lists; ``masks`` is None or one entry per
    layer, None or a list of per-sample masks.  Layer masks are put back as
    they were, even on error.  Returns None if a pass is not finite; a sum
    over the samples that overflows is ±inf in the rows, for the caller to
    find (``compare_gradients`` looks only where a row does not agree at once).
    """
    found = GradientTerms(-net.loss_function.sample_scale(len(X)))
    saved = [layer.mask for layer in net.layers]
    try:
        for s, (x, y) in enumerate(zip(X, Y)):
            if masks is not None:
                for layer, m in zip(net.layers, masks):
                    layer.mask = None if m is None else m[s]
            net.feedforward(x)
            net.backprop(y)
            if change is not None:
                _redo(net, y, change)
            if not pass_is_finite(net):
                return None
            found.add(net)
    finally:
        for layer, m in zip(net.layers, saved):
            layer.mask = m
    return found


def _upstream(net, t, y):
    """e = −∂l/∂a of layer t (1-based), from the deltas above it (or the loss)."""
    layers = net.layers
    if t == len(layers):
        loss = net.loss_function
        return loss.upstream(loss.expand_target(y, len(layers[-1])),
                             [n.output for n in layers[-1]])
    return layers[t].propagate()


def _masked(layer, deltas):
    if layer.mask is not None:
        return [d * m for d, m in zip(deltas, layer.mask)]
    return deltas


def _redo(net, y, change):
    """Recompute layer t's deltas the way ``change`` says, then every delta below it."""
    kind, t = change
    layers = net.layers
    layer = layers[t - 1]
    if kind == "fused_output":
        loss = net.loss_function
        target = loss.expand_target(y, len(layer))
        deltas = [v - n.output for v, n in zip(target, layer)]
    elif kind in ("derivative_of_z", "derivative_of_z_below"):
        deltas = _fed_z(layer, _upstream(net, t, y))
    elif kind == "unmasked_backward":
        mask, layer.mask = layer.mask, None
        try:
            deltas = layer.set_deltas(_upstream(net, t, y))
        finally:
            layer.mask = mask
    elif kind == "transposed_weights":
        above = [n.delta for n in layers[t]]
        e = [sum(map(mul, node.weights, above)) for node in layers[t]]
        deltas = layer.set_deltas(e)
    else:                                   # ("wrong_layer", s)
        other = layers[kind[1] - 1]
        df = layer.activation.derivative
        e = _upstream(net, t, y)
        deltas = _masked(layer, [v * df(o.net, o.output) for v, o in zip(e, other)])
    for node, d in zip(layer, deltas):
        node.delta = d
    for l in range(t - 1, 0, -1):
        below = layers[l - 1]
        if kind == "derivative_of_z_below" and below.activation.name in WRITTEN_IN_A:
            for node, d in zip(below, _fed_z(below, layers[l].propagate())):
                node.delta = d
        else:
            below.set_deltas(layers[l].propagate())


def _fed_z(layer, e):
    """δ of ``layer`` with its f′ (written in a) fed the net inputs z."""
    bad = WRITTEN_IN_A[layer.activation.name][1]
    return _masked(layer, [v * bad(n.net) for v, n in zip(e, layer)])
