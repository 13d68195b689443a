"""Model files: JSON that round-trips every float exactly, saved atomically.

The format (version 1)::

    {"format": "nodenet-model", "version": 1, "loss": "sse",
     "layers": [{"activation": "sigmoid", "use_bias": true,
                 "weights": [[...], ...], "biases": [...]}, ...]}

``weights`` is in the out_in layout: row j holds node j's incoming weights.
"""

import json
import math
import os

from .errors import NodenetError
from .files import write_atomic
from .validate import brief

FORMAT = "nodenet-model"
VERSION = 1


def to_dict(net):
    """The model as plain JSON-ready data."""
    weights, biases = net.to_matrices("out_in")
    return {
        "format": FORMAT,
        "version": VERSION,
        "loss": net.loss_function.name,
        "layers": [
            {"activation": layer.activation.to_spec(), "use_bias": layer.use_bias,
             "weights": w, "biases": b}
            for layer, w, b in zip(net.layers, weights, biases)
        ],
    }


def dumps(net):
    """The model file's exact text (deterministic, so saves are byte-identical)."""
    for l, layer in enumerate(net.layers, start=1):
        for j, node in enumerate(layer):
            for i, w in enumerate(list(node.weights) + [node.bias]):
                if not (isinstance(w, float) and math.isfinite(w)):
                    name = "bias" if i == len(node.weights) else f"weight {i}"
                    raise NodenetError(f"cannot save: layer {l} node {j} {name} is {w!r}; "
                                       "a model file holds finite numbers only")
    return json.dumps(to_dict(net), indent=1, allow_nan=False) + "\n"


def from_dict(data, source="model"):
    """Rebuild a Network from ``to_dict`` data, checking everything."""
    from .network import Network
    if not isinstance(data, dict):
        raise NodenetError(f"{source}: expected a JSON object, got {type(data).__name__}")
    if data.get("format") != FORMAT:
        raise NodenetError(f"{source}: not a nodenet model (format is {brief(data.get('format'))}, "
                           f"expected {FORMAT!r})")
    if type(data.get("version")) is not int or data.get("version") != VERSION:
        raise NodenetError(f"{source}: unsupported format version {data.get('version')!r}; "
                           f"this nodenet reads version {VERSION}")
    unknown = set(data) - {"format", "version", "loss", "layers"}
    if unknown:
        raise NodenetError(f"{source}: unexpected keys {sorted(unknown)}")
    if "loss" not in data or "layers" not in data:
        missing = sorted({"loss", "layers"} - set(data))
        raise NodenetError(f"{source}: missing keys {missing}")
    layers = data.get("layers")
    if not isinstance(layers, list) or not layers:
        raise NodenetError(f"{source}: 'layers' must be a non-empty list")
    for l, layer in enumerate(layers, start=1):
        if not isinstance(layer, dict):
            raise NodenetError(f"{source}: layer {l} must be an object, got {type(layer).__name__}")
        missing = {"activation", "use_bias", "weights", "biases"} - set(layer)
        extra = set(layer) - {"activation", "use_bias", "weights", "biases"}
        if missing or extra:
            raise NodenetError(f"{source}: layer {l} keys: missing {sorted(missing)}, "
                               f"unexpected {sorted(extra)}")
        if not isinstance(layer["use_bias"], bool):
            raise NodenetError(f"{source}: layer {l} use_bias must be true or false")
    if len({layer["use_bias"] for layer in layers}) != 1:
        raise NodenetError(f"{source}: use_bias must be the same in every layer")
    try:
        net = Network.from_matrices(
            [layer["weights"] for layer in layers], [layer["biases"] for layer in layers],
            [layer["activation"] for layer in layers], data.get("loss"),
            layout="out_in", use_bias=layers[0]["use_bias"])
    except NodenetError as err:
        raise NodenetError(f"{source}: {err}") from None
    return net


def save(net, path):
    """Write ``net`` to ``path`` atomically: a temporary file, then a rename.

    A failure at any point leaves an existing file at ``path`` untouched.
    """
    write_atomic(_path(path), dumps(net), "model file")

def load(path):
    """Read and check a model file; never uses pickle or eval."""
    path = _path(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as err:
        raise NodenetError(f"cannot read model file {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise NodenetError(f"{path}: not a text file (expected nodenet JSON)") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant,
                          object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        raise NodenetError(f"{path}: not valid JSON ({err.msg} at line {err.lineno}, "
                           f"column {err.colno}); the file may be truncated") from None
    except RecursionError:
        raise NodenetError(f"{path}: JSON nested too deeply") from None
    except NodenetError as err:
        raise NodenetError(f"{path}: {err}") from None
    except ValueError as err:       # e.g. an integer of more than 4300 digits
        raise NodenetError(f"{path}: unreadable number in JSON ({err})") from None
    return from_dict(data, path)


def _path(path):
    """A file path as str; anything else is refused by name."""
    try:
        return os.fspath(path)
    except TypeError:
        raise NodenetError(f"a model file path must be a str or os.PathLike, "
                           f"got {type(path).__name__}") from None


def _unique_keys(pairs):
    """A JSON object as a dict, refusing a key given twice (which one would win?)."""
    data = {}
    for key, value in pairs:
        if key in data:
            raise NodenetError(f"key {key!r} appears twice in one object")
        data[key] = value
    return data


def _refuse_constant(name):
    raise NodenetError(f"non-finite number {name} in model file")
