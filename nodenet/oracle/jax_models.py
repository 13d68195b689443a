"""JAX and Flax parameters in, and gradients of the same shape out — without importing JAX.

Parameters are a pytree of arrays: Flax's ``{"params": {"Dense_0": {"kernel",
"bias"}, …}}``, any dict of layers, a list of ``(W, b)`` pairs or of
``{"w", "b"}`` dicts, or a flat list of arrays (kernel, bias, kernel, …:
what Keras' ``trainable_variables`` and ``GradientTape.gradient`` give).
Kernels are in the ``in_out`` layout (``x @ W``), as Flax and Keras store
them, unless ``layout="out_in"`` says otherwise.  A gradient pytree from
``jax.grad`` has the same structure, so it is read the same way.

Layers of a dict come in the natural order of their keys (``Dense_2``
before ``Dense_10``) — the order ``jax.grad`` cannot change, since JAX
sorts dict keys itself; give a list where that is not the forward order.
"""

import re

from .. import validate
from ..build import check_layout, transpose
from ..errors import NodenetError
from . import reading
from .frameworks import activation_of_function, checked_activation, function_name, network_of

KERNELS = ("kernel", "w", "W", "weight", "weights")
BIASES = ("bias", "b")


def _natural(key):
    """Sort key: "Dense_10" after "Dense_2"."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", str(key))]


def _is_mapping(value):
    return hasattr(value, "keys") and hasattr(value, "__getitem__") and \
        not isinstance(value, (list, tuple, str, bytes))


def _dims(value):
    """How many array dimensions ``value`` has (0 for a number, -1 for junk)."""
    shape = getattr(value, "shape", None)
    if shape is not None and not isinstance(value, (list, tuple)):
        return len(tuple(shape))
    if isinstance(value, (list, tuple)):
        return 1 + (_dims(value[0]) if value else 0)
    return 0 if validate.is_real(value) else -1


def _layer_dict(d, where):
    """(kernel, bias or None) of a dict such as {"kernel": …, "bias": …}."""
    kernel = [k for k in KERNELS if k in d]
    bias = [k for k in BIASES if k in d]
    extra = sorted(set(map(str, d.keys())) - set(kernel) - set(bias))
    if len(kernel) != 1 or len(bias) > 1 or extra:
        raise NodenetError(f"{where}: expected a layer's kernel ({'/'.join(KERNELS)}) and "
                           f"optionally its bias ({'/'.join(BIASES)}), got the keys "
                           f"{validate.brief(sorted(map(str, d.keys())))}")
    return d[kernel[0]], (d[bias[0]] if bias else None)


def _is_layer_dict(d):
    return _is_mapping(d) and any(k in d for k in KERNELS)


def pytree_layers(tree, what):
    """``[(where, kernel, bias or None)]`` of a parameter (or gradient) pytree."""
    if _is_layer_dict(tree):
        return [(what, *_layer_dict(tree, what))]
    if _is_mapping(tree):
        keys = sorted(tree.keys(), key=_natural)
        if not keys:
            raise NodenetError(f"{what}: an empty dict has no layers")
        if len(keys) == 1 and not _is_layer_dict(tree[keys[0]]):
            return pytree_layers(tree[keys[0]], f"{what}[{keys[0]!r}]")   # {"params": …}
        layers = []
        for k in keys:
            where = f"{what}[{k!r}]"
            if not _is_layer_dict(tree[k]):
                raise NodenetError(f"{where} is not a layer: expected a dict with a kernel "
                                   f"({'/'.join(KERNELS)}) and a bias ({'/'.join(BIASES)})")
            layers.append((where, *_layer_dict(tree[k], where)))
        return layers
    if isinstance(tree, (list, tuple)) and tree:
        if all(_dims(v) in (1, 2) for v in tree) and _dims(tree[0]) == 2:
            return _flat_layers(tree, what)
        return [_list_layer(v, f"{what}[{i}]") for i, v in enumerate(tree)]
    raise NodenetError(f"{what}: expected a dict of layers, a list of (W, b) pairs or a list of "
                       f"arrays, got {validate.describe(tree)}")


def _list_layer(v, where):
    if _is_mapping(v):
        return (where, *_layer_dict(v, where))
    if _dims(v) == 2:
        return where, v, None                          # a kernel alone: no bias
    if isinstance(v, (list, tuple)) and len(v) in (1, 2) and _dims(v[0]) == 2 \
            and (len(v) == 1 or _dims(v[1]) == 1):
        return where, v[0], (v[1] if len(v) == 2 else None)
    raise NodenetError(f"{where}: expected a (W, b) pair, a {{'w', 'b'}} dict or a 2-D kernel, "
                       f"got {validate.describe(v)}")


def _flat_layers(arrays, what):
    """Kernel, bias, kernel, …: each 2-D array starts a layer, a 1-D one is its bias."""
    layers = []
    for i, v in enumerate(arrays):
        if _dims(v) == 2:
            layers.append((f"{what}[{i}]", v, None))
        elif layers[-1][2] is None:
            layers[-1] = (layers[-1][0], layers[-1][1], v)
        else:
            raise NodenetError(f"{what}[{i}]: a second 1-D array after {layers[-1][0]}'s "
                               f"bias; expected kernel, bias, kernel, bias, …")
    return layers


def _activation(item, l, what):
    """One entry of ``activations``: a nodenet spec, None (identity) or a jax.nn / flax
    function."""
    where = f"{what}: activations[{l}]"
    if item is None:
        return "identity"
    if callable(item) and not isinstance(item, (str, dict)):
        name = function_name(item)
        module = str(getattr(item, "__module__", ""))
        spec = activation_of_function(name, "jax") if name else None
        if spec is None or not (module.startswith("jax") or module.startswith("flax")):
            label = getattr(item, "__qualname__", None) or validate.brief(item)
            raise NodenetError(f"{where}: the function {label} (from {module or '?'}) is not a "
                               f"jax.nn or flax activation nodenet knows; pass its nodenet name "
                               f"('relu', 'gelu_tanh', {{'name': 'leaky_relu', 'alpha': 0.1}}, …)")
        item = spec
    return checked_activation(item, where)


def from_jax(params, activations, *, loss, layout="in_out"):
    """A Network with the weights of a JAX or Flax parameter pytree.

    ``activations``: one per layer, in order — nodenet names (``"relu"``,
    ``"gelu_tanh"``, dicts with parameters) or the functions themselves
    (``jax.nn.relu``, ``flax.linen.gelu``: note that ``jax.nn.gelu`` is the
    tanh form unless called with ``approximate=False``); one name alone
    applies to every layer.  ``loss``: a nodenet loss name or dict
    (``{"name": "mse"}``, ``"cross_entropy_with_logits"`` for
    ``optax.softmax_cross_entropy`` averaged over the batch, …).  Kernels are
    read in ``layout`` (default ``"in_out"``, Flax's ``x @ W``); a layer
    without bias gets ``bias=False``.  Plain lists work too:

    >>> net = from_jax([([[1.0, 2.0]], [0.5, 0.0])], ["relu"], loss="mse")   # 1 input, 2 nodes
    >>> net.to_matrices("out_in")
    ([[[1.0], [2.0]]], [[0.5, 0.0]])
    """
    check_layout(layout)
    layers = pytree_layers(params, "from_jax: params")
    if isinstance(activations, (str, dict)) or activations is None:
        activations = [activations] * len(layers)
    activations = list(activations) if isinstance(activations, (list, tuple)) else activations
    if not isinstance(activations, list) or len(activations) != len(layers):
        got = len(activations) if isinstance(activations, list) else \
            validate.describe(activations)
        raise NodenetError(f"from_jax: activations must list one per layer: expected "
                           f"{len(layers)}, got {got}")
    specs = [_activation(a, i, "from_jax") for i, a in enumerate(activations)]
    return network_of([(w, b) for _, w, b in layers], specs, loss, layout)


def out_in(w, layout):
    """A kernel in nodenet's out_in layout: ``w.T`` for an array, transposed lists else."""
    if layout == "out_in":
        return w
    if hasattr(w, "T") and not isinstance(w, (list, tuple)):
        return w.T
    return transpose(reading.plain(w))


def pytree_grads(tree, layout="in_out"):
    """``(dW, db)`` out_in from a gradient pytree; db holds None for a layer without bias."""
    check_layout(layout)
    layers = pytree_layers(tree, "grads_of")
    return [out_in(w, layout) for _, w, _ in layers], [b for _, _, b in layers]
