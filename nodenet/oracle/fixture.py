"""A JSON-ready test fixture: one batch through the network, every number kept.

A test in any language can load it and compare its own forward pass, deltas
and gradients against nodenet's.  Floats survive ``json.dumps``/``loads``
exactly, so the comparison can be as tight as the caller likes.
"""

import json

from . import reading
from ..build import transpose
from ..modelfile import to_dict

FORMAT = "nodenet-fixture"
VERSION = 1

CONVENTIONS = {
    "layers": "layers[0] is layer 1, the first hidden layer; the inputs are not a layer",
    "rows": "inputs, targets, outputs and every layer's z, a, delta, dL_dz: one row per sample",
    "out_in": "weights[l][j][i]: into node j of layer l+1 from node i below (PyTorch, W·a)",
    "in_out": "weights[l][i][j]: the transpose (X·W, seed 001)",
    "z": "net input z = W·a_below + b",
    "a": "activation a = f(z)",
    "delta": "δ = −∂l/∂z of the one sample's loss l (the handout's sign)",
    "dL_dz": "∂L/∂z of the batch loss: −δ times 1 (summed losses) or 1/N (averaged losses)",
    "gradients": "∂L/∂W and ∂L/∂b of the batch loss = Σ over samples of dL_dz·a_below",
}


def fixture(net, X, Y, *, samples="rows"):
    """A dict with the model, the batch, every layer's z, a and δ, the loss and gradients.

    Weights and weight gradients come in both layouts.  ``fixture["model"]``
    is a nodenet model file (``nodenet.modelfile.from_dict`` reads it back).

    >>> from nodenet import Network
    >>> net = Network.from_matrices([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0]]],
    ...                             activations="identity", loss="sse")
    >>> fx = fixture(net, [[1, 2]], [[0]])
    >>> fx["loss"], fx["layers"][1]["delta"], fx["gradients"]["weights"]["out_in"][1]
    (9.0, [[-6.0]], [[6.0, 12.0]])
    """
    X, Y = reading.batch_pair(net, X, Y, samples, "fixture")
    loss = net.loss_function
    scale = loss.sample_scale(len(X))
    L = len(net.layers)
    per_layer = [{"z": [], "a": [], "delta": [], "dL_dz": []} for _ in range(L)]
    outputs, sample_losses = [], []
    for x, y in zip(X, Y):
        out = list(net.feedforward(x))
        net.backprop(y)
        outputs.append(out)
        sample_losses.append(loss.sample_value(y, out))
        for rec, layer in zip(per_layer, net.layers):
            rec["z"].append([n.net for n in layer])
            rec["a"].append([n.output for n in layer])
            rec["delta"].append([n.delta for n in layer])
            rec["dL_dz"].append([-scale * n.delta for n in layer])
    w_out_in, biases = net.to_matrices("out_in")
    gw, gb = net.gradients(X, Y, "out_in")
    layers = [dict(layer=l, activation=layer.activation.to_spec(), **rec)
              for l, (layer, rec) in enumerate(zip(net.layers, per_layer), start=1)]
    return {
        "format": FORMAT,
        "version": VERSION,
        "conventions": dict(CONVENTIONS),
        "model": to_dict(net),
        "sizes": net.sizes,
        "loss_function": {"name": loss.name, "reduction": loss.reduction,
                          "formula": loss.formula},
        "inputs": X,
        "targets": Y,
        "weights": {"out_in": w_out_in, "in_out": [transpose(m) for m in w_out_in]},
        "biases": biases,
        "layers": layers,
        "outputs": outputs,
        "sample_losses": sample_losses,
        "loss": loss.value(Y, outputs),
        "gradients": {"weights": {"out_in": gw, "in_out": [transpose(m) for m in gw]},
                      "biases": gb},
    }


def dumps(data, indent=1):
    """JSON text for a fixture: one line per row of numbers, exact floats, UTF-8 kept.

    >>> print(dumps({"w": [[1.0, 2.5], [3.0, 4.0]], "loss": 0.1}), end="")
    {
     "w": [
      [1.0, 2.5],
      [3.0, 4.0]
     ],
     "loss": 0.1
    }
    """
    return _dump(data, 0, " " * indent) + "\n"


def _dump(value, level, pad):
    inner = pad * (level + 1)
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, level + 1, pad)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad * level + "}"
    if isinstance(value, list) and value and any(isinstance(v, (list, dict)) for v in value):
        items = [inner + _dump(v, level + 1, pad) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad * level + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)
