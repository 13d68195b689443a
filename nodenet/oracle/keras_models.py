"""Keras 3 models in — without importing Keras.

A ``keras.Sequential`` of ``Dense`` layers is a nodenet network: each Dense
gives its kernel (``in_out``, ``x @ kernel``), its bias (if ``use_bias``) and
its activation function, read by ``__name__`` (``relu``, ``linear``,
``gelu``, …).  ``Activation``, ``ReLU``, ``LeakyReLU``, ``Softmax`` and ``ELU``
layers set the activation of the Dense before them; ``Dropout`` and
``Flatten`` pass through (nodenet reads the inference pass, ``model(x)``
with ``training=False``); ``InputLayer`` is skipped.  Anything else is
refused with its name and position.
"""

from .. import validate
from ..errors import NodenetError
from ..losses import LOSSES
from .frameworks import (activation_of_function, checked_activation, class_name, comes_from,
                         function_name, keras_loss, loss_spec, network_of)

PASS = ("Dropout", "Flatten", "InputLayer", "GaussianDropout", "AlphaDropout")


def _function(fn, where):
    """The nodenet spec of a keras.activations function."""
    name = function_name(fn)
    module = str(getattr(fn, "__module__", ""))
    spec = activation_of_function(name, "keras") if name else None
    if spec is None or not module.startswith("keras"):
        raise NodenetError(f"from_keras: {where} has the activation {validate.brief(fn)}, "
                           f"which nodenet cannot read; use a keras.activations name "
                           f"(relu, tanh, sigmoid, softmax, gelu, silu, elu, selu, softplus, "
                           f"leaky_relu, log_softmax, linear)")
    return spec


def _activation_layer(layer, where):
    """The spec of an activation layer (Activation, ReLU, LeakyReLU, Softmax, ELU)."""
    cls = class_name(layer)
    if cls == "Activation":
        return _function(layer.activation, where)
    if cls == "ReLU":
        if layer.max_value is None and not layer.negative_slope and not layer.threshold:
            return "relu"
        raise NodenetError(f"from_keras: {where} with max_value, negative_slope or threshold "
                           f"is not a plain ReLU")
    if cls == "LeakyReLU":
        return {"name": "leaky_relu", "alpha": float(layer.negative_slope)}
    if cls == "ELU":
        return {"name": "elu", "alpha": float(layer.alpha)}
    if cls == "Softmax":
        if layer.axis not in (-1, 1):
            raise NodenetError(f"from_keras: {where} normalizes over axis {layer.axis}, not "
                               f"over each sample's outputs (axis=-1)")
        return "softmax"
    return None


def from_keras(model, *, loss=None):
    """A Network with the weights, activations and loss of a Keras ``Sequential``.

    ``loss``: a Keras loss object or name (``keras.losses.MeanSquaredError()``,
    ``"binary_crossentropy"``, ``CategoricalCrossentropy(from_logits=True)``,
    …) or a nodenet loss name or dict; by default the loss the model was
    compiled with.  Keras' probability losses clip ŷ to [1e-7, 1 − 1e-7]
    where nodenet's ``bce`` clamps each log at −100 (PyTorch's rule), so
    the two differ for outputs within 1e-7 of 0 or 1; the losses on logits
    (``from_logits=True``) have no such edge.
    """
    layers = getattr(model, "layers", None)
    if layers is None or not comes_from(model, "keras"):
        raise NodenetError(f"from_keras: expected a keras.Sequential, got "
                           f"{validate.describe(model)}")
    read, specs, where_of = [], [], []
    for i, layer in enumerate(layers):
        cls = class_name(layer)
        where = f"layer {i} ({cls} {getattr(layer, 'name', '')!r})"
        if cls == "Dense":
            weights = layer.get_weights()
            read.append((weights[0], weights[1] if layer.use_bias else None))
            specs.append(_function(layer.activation, where))
            where_of.append(where)
            continue
        if cls in PASS:
            continue
        spec = _activation_layer(layer, where)
        if spec is None:
            raise NodenetError(f"from_keras: {where} cannot be read; nodenet reads Dense "
                               f"layers and the activation layers Activation, ReLU, LeakyReLU, "
                               f"Softmax, ELU (Dropout and Flatten pass through)")
        if not read:
            raise NodenetError(f"from_keras: {where} comes before any Dense layer")
        if specs[-1] != "identity":
            raise NodenetError(f"from_keras: {where} follows {where_of[-1]}, which already has "
                               f"the activation {specs[-1]!r}; a nodenet layer has one")
        specs[-1] = spec
    if not read:
        raise NodenetError("from_keras: the model has no Dense layer")
    specs = [checked_activation(s, f"from_keras: {w}") for s, w in zip(specs, where_of)]
    if loss is None:
        loss = getattr(model, "loss", None)
        if loss is None:
            raise NodenetError("from_keras: the model is not compiled with a loss: pass loss=…")
    n_out = len(read[-1][0][0])
    if isinstance(loss, str) and loss not in LOSSES:
        loss = keras_loss(loss, n_out)
    return network_of(read, specs, loss_spec(loss, lambda obj: keras_loss(obj, n_out)), "in_out")
