"""Model files: JSON that round-trips every float exactly, saved atomically.

The format (version 1)::

    {"format": "nodenet-model", "version": 1, "loss": "sse",
     "layers": [{"activation": "sigmoid", "use_bias": true,
                 "weights": [[...], ...], "biases": [...]}, ...]}

``weights`` is in the out_in layout: row j holds node j's incoming weights.
"""

import json
import math

from .errors import NodenetError
from .files import fspath, read_bytes, shown, write_atomic
from .validate import brief

FORMAT = "nodenet-model"
VERSION = 1


def to_dict(net):
    """The model as plain JSON-ready data."""
    weights, biases = net.to_matrices("out_in")
    return {
        "format": FORMAT,
        "version": VERSION,
        "loss": net.loss_function.to_spec(),
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
                    raise NodenetError(f"cannot save: layer {l} node {j} {name} is {brief(w)}; "
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
        raise NodenetError(f"{source}: unsupported format version {brief(data.get('version'))}; "
                           f"this nodenet reads version {VERSION}")
    unknown = set(data) - {"format", "version", "loss", "layers"}
    if unknown:
        raise NodenetError(f"{source}: unexpected keys {_keys(unknown)}")
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
            raise NodenetError(f"{source}: layer {l} keys: missing {_keys(missing)}, "
                               f"unexpected {_keys(extra)}")
        if not isinstance(layer["use_bias"], bool):
            raise NodenetError(f"{source}: layer {l} use_bias must be true or false")
    if len({layer["use_bias"] for layer in layers}) != 1:
        raise NodenetError(f"{source}: use_bias must be the same in every layer")
    try:
        net = Network.from_matrices(
            [layer["weights"] for layer in layers], [layer["biases"] for layer in layers],
            [layer["activation"] for layer in layers], data.get("loss"),
            layout="out_in", bias=layers[0]["use_bias"])
    except NodenetError as err:
        raise NodenetError(f"{source}: {err}") from None
    return net


def save(net, path):
    """Write ``net`` to ``path`` atomically (nodenet.files.write_atomic).

    A failure at any point leaves an existing file at ``path`` untouched;
    through a symbolic link the linked file is updated; a replaced file
    keeps its permissions.
    """
    path = fspath(path, "model file")
    write_atomic(path, dumps(net), "model file")


def load(path, limit=None):
    """Read and check a model file; never uses pickle or eval.

    Only a regular file is read, and at most ``limit`` bytes of it
    (default: ``nodenet.files.MAX_READ_BYTES``, 256 MiB).
    """
    path = fspath(path, "model file")
    data = read_bytes(path, "model file", limit=limit)
    path = shown(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NodenetError(f"{path}: not a text file (expected nodenet JSON)") from None
    del data
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


def _keys(keys):
    """A set of JSON keys for a message, bounded."""
    keys = sorted(keys)
    return "[" + ", ".join(brief(k) for k in keys[:6]) + (", ..." if len(keys) > 6 else "") + "]"


def _unique_keys(pairs):
    """A JSON object as a dict, refusing a key given twice (which one would win?)."""
    data = {}
    for key, value in pairs:
        if key in data:
            raise NodenetError(f"key {brief(key)} appears twice in one object")
        data[key] = value
    return data


def _refuse_constant(name):
    raise NodenetError(f"non-finite number {name} in model file")
