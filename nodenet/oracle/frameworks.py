"""Naming what a framework object is, without importing the framework.

The adapters read models by duck typing: a module's class name and the
package it comes from (``type(m).__module__``), an activation function's
``__name__``, a loss object's class name and attributes.  These tables
turn each into a nodenet activation or loss spec; anything not in them is
refused by the adapter, with its name and position.

>>> activation_of_function("linear", "keras")
'identity'
>>> activation_of_function("gelu", "jax")            # jax.nn.gelu(x) is the tanh form
'gelu_tanh'
"""

import sys

from .. import validate
from ..activations import get_activation
from ..errors import NodenetError
from ..losses import Loss, get_loss
from ..build import layers_from_matrices
from ..network import Network
from . import reading

# softplus without PyTorch's threshold (JAX's and Keras' log(1 + e^z) everywhere)
PLAIN_SOFTPLUS = {"name": "softplus", "beta": 1.0, "threshold": sys.float_info.max}

# activation functions by __name__ (jax.nn, flax.linen, keras.activations); where the
# two frameworks' defaults differ, FUNCTION_DEFAULTS has each one's
FUNCTIONS = {
    "identity": "identity", "linear": "identity", "relu": "relu", "sigmoid": "sigmoid",
    "tanh": "tanh", "softmax": "softmax", "log_softmax": "log_softmax", "silu": "silu",
    "swish": "silu", "elu": "elu", "selu": "selu", "softplus": PLAIN_SOFTPLUS,
}
FUNCTION_DEFAULTS = {
    "jax": {"gelu": "gelu_tanh",                      # jax.nn.gelu(x, approximate=True)
            "leaky_relu": {"name": "leaky_relu", "alpha": 0.01}},
    "keras": {"gelu": "gelu",                         # keras.activations.gelu(x, approximate=False)
              "leaky_relu": {"name": "leaky_relu", "alpha": 0.2}},
}

# torch.nn modules that change nothing in an MLP's inference forward pass on N×n batches
TORCH_PASS = ("Identity", "Flatten", "Dropout", "AlphaDropout")


def class_name(obj):
    return type(obj).__name__


def comes_from(obj, package):
    """True if ``obj``'s class is defined in ``package`` (e.g. "torch", "keras")."""
    module = getattr(type(obj), "__module__", "") or ""
    return module == package or module.startswith(package + ".")


def function_name(fn):
    """An activation function's name, or None (a lambda or a partial has none worth trusting)."""
    name = getattr(fn, "__name__", None)
    return None if not isinstance(name, str) or name == "<lambda>" else name


def activation_of_function(name, framework):
    """The nodenet spec for a JAX or Keras activation function's name, or None."""
    spec = FUNCTION_DEFAULTS[framework].get(name)
    return spec if spec is not None else FUNCTIONS.get(name)


def torch_activation(module, where):
    """The nodenet spec of a torch.nn activation module, None for one that passes values
    through unchanged, or a NodenetError naming ``where``."""
    name = class_name(module)
    if name in ("Sigmoid", "Tanh", "ReLU", "SiLU", "SELU"):
        return name.lower()
    if name == "LeakyReLU":
        return {"name": "leaky_relu", "alpha": float(module.negative_slope)}
    if name == "GELU":
        return "gelu" if module.approximate == "none" else "gelu_tanh"
    if name == "ELU":
        return {"name": "elu", "alpha": float(module.alpha)}
    if name == "Softplus":
        return {"name": "softplus", "beta": float(module.beta),
                "threshold": float(module.threshold)}
    if name in ("Softmax", "LogSoftmax"):
        if module.dim not in (-1, 1, None):
            raise NodenetError(f"{where}: {name}(dim={module.dim}) normalizes across the "
                               f"samples of an N×n batch; nodenet's {name.lower()} works over "
                               f"each sample's outputs (dim=-1)")
        return "softmax" if name == "Softmax" else "log_softmax"
    return None


def checked_activation(spec, where):
    """``spec`` if nodenet has that activation, else a NodenetError naming ``where``."""
    try:
        get_activation(spec)
    except NodenetError as err:
        raise NodenetError(f"{where}: {err}") from None
    return spec


def torch_loss(loss):
    """The nodenet spec for a torch.nn loss module (MSELoss, CrossEntropyLoss, …)."""
    name = class_name(loss)
    reduction = getattr(loss, "reduction", "mean")
    if reduction not in ("mean", "sum"):
        raise NodenetError(f"{name}(reduction={reduction!r}): nodenet compares the gradients "
                           f"of one number, so reduction must be 'mean' or 'sum'")
    if getattr(loss, "weight", None) is not None:
        raise NodenetError(f"{name} with class weights (weight=…) has no nodenet counterpart")
    base = {"MSELoss": "mse", "L1Loss": "l1", "BCELoss": "bce",
            "BCEWithLogitsLoss": "bce_with_logits", "CrossEntropyLoss": "cross_entropy_with_logits",
            "NLLLoss": "nll", "HuberLoss": "huber", "SmoothL1Loss": "smooth_l1"}.get(name)
    if base is None:
        raise NodenetError(f"unknown torch loss {name}; nodenet reads MSELoss, L1Loss, HuberLoss, "
                           f"SmoothL1Loss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss "
                           f"(or pass a nodenet loss name)")
    spec = {"name": base, "reduction": reduction}
    if name == "HuberLoss":
        spec["delta"] = float(loss.delta)
    elif name == "SmoothL1Loss":
        spec["beta"] = float(loss.beta)
    elif name == "BCEWithLogitsLoss" and getattr(loss, "pos_weight", None) is not None:
        spec["pos_weight"] = validate.as_sequence(loss.pos_weight)
    elif name == "CrossEntropyLoss" and loss.label_smoothing:
        spec["label_smoothing"] = float(loss.label_smoothing)
    return spec


_KERAS_NAMES = {
    "mse": "MeanSquaredError", "mean_squared_error": "MeanSquaredError",
    "mae": "MeanAbsoluteError", "mean_absolute_error": "MeanAbsoluteError",
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
}


def keras_loss(loss, n_outputs):
    """The nodenet spec for a Keras loss object or name ("mse", "binary_crossentropy", …)."""
    if isinstance(loss, str):
        name, config = _KERAS_NAMES.get(loss), {}
    else:
        name = class_name(loss)
        config = loss.get_config() if hasattr(loss, "get_config") else {}
    reduction = {"sum_over_batch_size": "mean", "sum": "sum"}.get(
        config.get("reduction", "sum_over_batch_size"))
    if reduction is None:
        raise NodenetError(f"Keras loss {name} with reduction={config.get('reduction')!r}: "
                           f"nodenet compares the gradients of one number ('sum_over_batch_size' "
                           f"or 'sum')")
    logits = bool(config.get("from_logits", False))
    smoothing = float(config.get("label_smoothing", 0.0) or 0.0)
    if name in ("MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy"):
        if reduction == "sum" and n_outputs > 1:
            raise NodenetError(f"Keras {name}(reduction='sum') sums each sample's mean over its "
                               f"{n_outputs} outputs, which no nodenet loss does; use the default "
                               f"reduction or a nodenet loss spec")
        if name == "BinaryCrossentropy" and smoothing:
            raise NodenetError("Keras BinaryCrossentropy with label_smoothing has no nodenet "
                               "counterpart")
        base = {"MeanSquaredError": "mse", "MeanAbsoluteError": "l1",
                "BinaryCrossentropy": "bce_with_logits" if logits else "bce"}[name]
        return {"name": base, "reduction": reduction}
    if name in ("CategoricalCrossentropy", "SparseCategoricalCrossentropy"):
        if logits:
            spec = {"name": "cross_entropy_with_logits", "reduction": reduction}
            if smoothing:
                spec["label_smoothing"] = smoothing
            return spec
        if smoothing:
            raise NodenetError(f"Keras {name} on probabilities with label_smoothing has no "
                               f"nodenet counterpart (from_logits=True has)")
        return {"name": "cross_entropy", "reduction": reduction}
    raise NodenetError(f"unknown Keras loss {validate.brief(loss)}; nodenet reads "
                       f"MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, "
                       f"CategoricalCrossentropy and SparseCategoricalCrossentropy (or pass a "
                       f"nodenet loss name)")


def loss_spec(loss, read_framework_loss):
    """A nodenet Loss: ``loss`` itself (a nodenet name, dict or Loss), or what
    ``read_framework_loss`` makes of a framework's loss object."""
    if not isinstance(loss, (str, dict, Loss)):
        loss = read_framework_loss(loss)
    return get_loss(loss)


def network_of(read, specs, loss, layout):
    """The Network of ``[(weight, bias or None)]`` arrays in ``layout``; a layer whose
    bias is None gets ``bias=False``."""
    floats = all(reading.float_array(w) for w, _ in read)   # tolist() gives Python floats
    weights = [reading.plain(w) for w, _ in read]       # torch tensors through NumPy: faster
    biases = [[0.0] * _width(w, layout) if b is None else reading.plain(b) for w, b in read]
    layers = layers_from_matrices(weights, biases, specs, layout, True, floats)
    net = Network.from_layers(layers, loss)
    for layer, (_, b) in zip(net.layers, read):
        if b is None:
            layer.use_bias = False
    return net


def _width(w, layout):
    """The number of nodes of a weight matrix (its rows in out_in, columns in in_out)."""
    shape = tuple(getattr(w, "shape", ()))
    if len(shape) == 2:                     # an array: no need to convert it to count
        return int(shape[0] if layout == "out_in" else shape[1])
    rows = reading.plain(w)
    if layout == "out_in" or not rows:
        return len(rows)
    return len(reading.plain(rows[0]))
