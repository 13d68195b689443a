"""Finding NaN and ±inf: which node went non-finite first, and the error that says so.

Every check here costs O(nodes) or one pass over the weights; none of it is
in the inner loops.  Layers are numbered from 1 (the first hidden layer),
nodes from 0, as everywhere in nodenet's messages.
"""

import math

from .errors import NodenetError

HINT = "try a smaller eta, or gradient clipping"


def all_finite(values):
    """True if no value is NaN or ±inf (a quick test on the sum first, then one by one).

    >>> all_finite([1.0, 2.0]), all_finite([1.0, float("nan")])
    (True, False)
    """
    return math.isfinite(sum(values)) or all(map(math.isfinite, values))


def first_nonfinite(net):
    """``(layer, node, name, value)`` of the first non-finite value, or None.

    "First" in the order the values were computed: nets and outputs from the
    bottom layer up, then deltas from the top layer down.
    """
    layers = list(enumerate(net.layers, start=1))
    for names, order in ((("net", "output"), layers), (("delta",), layers[::-1])):
        for l, layer in order:
            for j, node in enumerate(layer):
                for name in names:
                    value = getattr(node, name)
                    if value is not None and not math.isfinite(value):
                        return l, j, name, value
    return None


def describe(bad):
    """``first_nonfinite``'s answer as words."""
    l, j, name, value = bad
    return f"layer {l} node {j} {name} became {value!r}"


def nets_finite(layer):
    """True if every net input of the layer is finite (a sigmoid or tanh output
    of exactly 0 or ±1 may hide one that overflowed)."""
    return all_finite([node.net for node in layer])


def hidden_overflow(net):
    """True if the last pass left a net input of ±inf or NaN behind a saturated sigmoid or
    tanh output (which is then a plain ±1 or 0: finite, and hiding it)."""
    return any(layer.hides_overflow() for layer in net.layers)


def forward_is_finite(net):
    """True if the last forward pass left every net input and the outputs finite."""
    return all_finite(net.layers[-1].outputs) and all(map(nets_finite, net.layers))


def pass_is_finite(net):
    """True if the last forward and backward pass left every net, output and delta finite."""
    return (forward_is_finite(net)
            and all(all_finite([node.delta for node in layer]) for layer in net.layers))


def weights_finite(net):
    return all(all_finite(node.weights) and math.isfinite(node.bias)
               for layer in net.layers for node in layer)


def first_bad_weight(net):
    """Words naming the first weight or bias that is NaN or ±inf, or None."""
    for l, layer in enumerate(net.layers, start=1):
        for j, node in enumerate(layer):
            for i, w in enumerate(node.weights):
                if not math.isfinite(w):
                    return f"layer {l} node {j} weight {i} became {w!r}"
            if not math.isfinite(node.bias):
                return f"layer {l} node {j} bias became {node.bias!r}"
    return None


def nonfinite_error(net, what, saved=None):
    """The error for a call that produced NaN or ±inf; puts back ``saved`` weights first."""
    bad = first_nonfinite(net)
    where = describe(bad) if bad else (first_bad_weight(net) or "a weight or bias became non-finite")
    kept = ""
    if saved is not None:
        net.put_back(saved)
        kept = "; the weights are left as they were"
    return NodenetError(f"{what}: {where} (overflow: weights, inputs or eta too large){kept}")


def diverged(epoch, sample, where):
    """Training stopped before applying the update that would have gone non-finite."""
    return NodenetError(
        f"training diverged in epoch {epoch}, sample {sample}: {where}; the network is "
        f"left as it was before this update ({HINT})")


def diverged_in_loss(net, epoch, X, Y, value):
    """The error when the epoch's loss is non-finite: name the sample and the node.

    Call it before putting back the weights the epoch started with: it
    replays the samples to find the one that overflows.
    """
    kept = (f"the network is left as it was at the start of epoch {epoch}, "
            f"when its loss was still finite ({HINT})")
    loss = net.loss_function
    for s, (x, y) in enumerate(zip(X, Y)):
        outputs = net.feedforward(x)
        bad = first_nonfinite(net)
        if bad:
            where = describe(bad)
        elif not math.isfinite(loss.sample_value(y, outputs)):
            k = next((k for k in range(len(y)) if not math.isfinite(
                loss.sample_value(y[k:k + 1], outputs[k:k + 1]))), 0)
            where = (f"layer {len(net.layers)} node {k} output {outputs[k]!r} is so far from "
                     f"its target {y[k]!r} that the loss overflowed")
        else:
            continue
        return NodenetError(f"training diverged in epoch {epoch}, sample {s}: after the "
                            f"epoch's updates, {where}; {kept}")
    worst = max(range(len(X)), key=lambda s: loss.sample_value(Y[s], net.feedforward(X[s])))
    return NodenetError(f"training diverged in epoch {epoch}: the sum of the samples' losses "
                        f"overflowed to {value!r} (largest: sample {worst}); {kept}")
