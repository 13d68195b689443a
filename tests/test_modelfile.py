"""Model files (issue 5): atomic saves, strict loads, exact round trips.

A corrupted-file suite (every truncation, flipped values, wrong types,
NaN/Infinity tokens, huge nesting, binary junk), an interrupted-save test and
a save → load → save byte-identity test.
"""

import ast
import json
import os
import pathlib
import random
import stat

import pytest

import nodenet
from nodenet import Network, NodenetError
from nodenet.modelfile import dumps, from_dict, load, save


@pytest.fixture
def model_text():
    net = Network([2, 2, 1], activation="tanh", output_activation="sigmoid", seed=7)
    net.layers[0][1].bias = -0.0
    return dumps(net)


def write(tmp_path, text, name="m.json"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path, text, match):
    path = write(tmp_path, text)
    with pytest.raises(NodenetError, match=match) as info:
        load(path)
    assert "\n" not in str(info.value)
    return str(info.value)


# -- round trips -----------------------------------------------------------

def test_save_load_save_is_byte_identical_even_for_awkward_floats(tmp_path):
    net = Network.from_matrices(
        [[[5e-324, -0.0, 0.1 + 0.2], [1e308, -1e-308, 1 / 3]], [[2.0 ** -1074 * 3, -7.25]]],
        [[-0.0, 1e-300], [123456789.123456789]],
        activations=[{"name": "leaky_relu", "alpha": 0.2}, "identity"], loss="half_sse",
        bias=True)
    first = tmp_path / "a.json"
    net.save(first)
    again = Network.load(first)
    second = tmp_path / "b.json"
    again.save(second)
    assert first.read_bytes() == second.read_bytes()
    assert again.to_matrices() == net.to_matrices()
    assert repr(again.layers[0].activation) == "leaky_relu(alpha=0.2)"
    w, b = again.to_matrices()
    assert str(w[0][0][1]) == "-0.0" and w[0][0][0] == 5e-324
    assert dumps(net.copy()) == dumps(net)


def test_file_is_plain_json_never_pickle_or_eval():
    for path in pathlib.Path(nodenet.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not {"pickle", "marshal", "shelve", "dill"} & set(names), path
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec", "compile"), (path, node.lineno)


# -- interrupted saves -----------------------------------------------------

def leftovers(folder):
    return sorted(p.name for p in pathlib.Path(folder).iterdir())


def test_failed_rename_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    old = Network([2, 1], seed=1)
    old.save(path)
    original = path.read_bytes()

    def boom(src, dst):
        assert pathlib.Path(src).read_text(encoding="utf-8") == dumps(new)   # fully written
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", boom)
    new = Network([2, 1], seed=2)
    with pytest.raises(NodenetError, match=r"^cannot write model file .*model.json: No space "
                                           r"left on device; any previous file there is unchanged$"):
        new.save(path)
    assert path.read_bytes() == original
    assert leftovers(tmp_path) == ["model.json"]


@pytest.mark.parametrize("failure", [OSError, KeyboardInterrupt])
def test_a_crash_in_the_middle_of_writing_keeps_the_old_file(tmp_path, monkeypatch, failure):
    path = tmp_path / "model.json"
    Network([3, 2], seed=1).save(path)
    original = path.read_bytes()
    real_write = os.write

    if failure is OSError:
        def half_then_full(fd, data):          # half the text lands, then the disk is full
            real_write(fd, bytes(data[:len(data) // 2]))
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(os, "write", half_then_full)
        expected = NodenetError
    else:
        def interrupted_fsync(fd):
            raise KeyboardInterrupt
        monkeypatch.setattr(os, "fsync", interrupted_fsync)
        expected = KeyboardInterrupt
    with pytest.raises(expected):
        save(Network([3, 2], seed=99), path)
    assert path.read_bytes() == original
    assert leftovers(tmp_path) == ["model.json"]
    monkeypatch.undo()
    assert load(path).to_matrices() == Network([3, 2], seed=1).to_matrices()


def test_saving_a_network_with_nan_weights_is_refused_before_writing(tmp_path):
    path = tmp_path / "model.json"
    net = Network([2, 2, 1], seed=1)
    net.save(path)
    original = path.read_bytes()
    net.layers[1][0].weights[1] = float("nan")
    with pytest.raises(NodenetError, match=r"^cannot save: layer 2 node 0 weight 1 is nan; "):
        net.save(path)
    net.layers[1][0].weights[1] = 0.5
    net.layers[0][1].bias = float("-inf")
    with pytest.raises(NodenetError, match=r"^cannot save: layer 1 node 1 bias is -inf"):
        net.save(path)
    assert path.read_bytes() == original and leftovers(tmp_path) == ["model.json"]


def test_bad_paths(tmp_path):
    net = Network([2, 1])
    with pytest.raises(NodenetError, match=r"^cannot write model file .*no/such/dir/m.json: "
                                           r"the folder .*no/such/dir does not exist$"):
        net.save(tmp_path / "no" / "such" / "dir" / "m.json")
    with pytest.raises(NodenetError, match=r"a model file path must be a str or os.PathLike, got int"):
        net.save(3)
    with pytest.raises(NodenetError, match=r"a model file path must be a str or os.PathLike, got NoneType"):
        Network.load(None)
    with pytest.raises(NodenetError, match=r"^cannot read model file .*missing.json: No such file"):
        Network.load(tmp_path / "missing.json")
    with pytest.raises(NodenetError, match=r"^cannot read model file .*: Is a directory"):
        Network.load(tmp_path)


# -- the corrupted-file suite ---------------------------------------------------

def test_every_truncation_is_refused(tmp_path, model_text):
    body = model_text.rstrip()
    assert len(body) > 300
    for cut in range(len(body)):
        path = write(tmp_path, body[:cut])
        with pytest.raises(NodenetError) as info:
            load(path)
        message = str(info.value)
        assert message.startswith(str(path) + ": "), (cut, message)
        assert "not valid JSON" in message and "truncated" in message, (cut, message)
    assert load(write(tmp_path, body)).to_matrices() == from_dict(json.loads(model_text)).to_matrices()


def edited(text, change):
    data = json.loads(text)
    change(data)
    return json.dumps(data, indent=1)


@pytest.mark.parametrize("change, match", [
    (lambda d: d.update(format="keras"), r"not a nodenet model \(format is 'keras', expected 'nodenet-model'\)"),
    (lambda d: d.pop("format"), r"not a nodenet model \(format is None"),
    (lambda d: d.update(version=2), r"unsupported format version 2; this nodenet reads version 1"),
    (lambda d: d.update(version="1"), r"unsupported format version '1'"),
    (lambda d: d.update(version=True), r"unsupported format version True"),
    (lambda d: d.update(version=1.0), r"unsupported format version 1.0"),
    (lambda d: d.update(extra=1), r"unexpected keys \['extra'\]"),
    (lambda d: d.pop("loss"), r"missing keys \['loss'\]"),
    (lambda d: d.pop("layers"), r"missing keys \['layers'\]"),
    (lambda d: d.update(loss="hinge"), r"unknown loss 'hinge'; expected one of: sse, "),
    (lambda d: d.update(loss=["sse"]), r"unknown loss \['sse'\]"),
    (lambda d: d.update(layers=[]), r"'layers' must be a non-empty list"),
    (lambda d: d.update(layers={"0": 1}), r"'layers' must be a non-empty list"),
    (lambda d: d["layers"].__setitem__(1, [1, 2]), r"layer 2 must be an object, got list"),
    (lambda d: d["layers"][0].pop("biases"), r"layer 1 keys: missing \['biases'\], unexpected \[\]"),
    (lambda d: d["layers"][0].update(dropout=0.5), r"layer 1 keys: missing \[\], unexpected \['dropout'\]"),
    (lambda d: d["layers"][1].update(use_bias=1), r"layer 2 use_bias must be true or false"),
    (lambda d: d["layers"][1].update(use_bias=False), r"use_bias must be the same in every layer"),
    (lambda d: d["layers"][0].update(activation="swish"), r"layer 1.*unknown activation 'swish'"),
    (lambda d: d["layers"][0].update(activation={"name": "leaky_relu", "alpha": "x"}),
     r"leaky_relu alpha must be a number, got str 'x'"),
    (lambda d: d["layers"][0].update(activation={"name": "leaky_relu", "beta": 1}),
     r"beta"),                           # the unknown parameter is named
    (lambda d: d["layers"][0]["weights"][1].pop(), r"layer 1 weights must be rectangular: row 0 has 2 entries, row 1 has 1"),
    (lambda d: d["layers"][0]["weights"].append([1.0, 2.0]), r"layer 1 biases expects 3 biases, got 2"),
    (lambda d: (d["layers"][0]["weights"].append([1.0, 2.0]), d["layers"][0]["biases"].append(0.0)),
     r"layer 2 weights: expected 3 columns"),
    (lambda d: d["layers"][1]["weights"][0].append(1.0), r"layer 2 weights: expected 2 columns"),
    (lambda d: d["layers"][0]["biases"].pop(), r"layer 1 biases expects 2 biases, got 1"),
    (lambda d: d["layers"][1].update(biases=0.5), r"layer 2 biases expects a list of 1 biases, got float"),
    (lambda d: d["layers"][0]["weights"][0].__setitem__(1, "0.5"), r"layer 1 weights\[0\]\[1\] must be a number, got str '0.5'"),
    (lambda d: d["layers"][0]["weights"][1].__setitem__(0, True), r"layer 1 weights\[1\]\[0\] must be a number, got bool True"),
    (lambda d: d["layers"][0]["weights"][1].__setitem__(0, None), r"layer 1 weights\[1\]\[0\] must be a number, got NoneType"),
    (lambda d: d["layers"][1]["weights"][0].__setitem__(0, [0.5]), r"layer 2 weights\[0\]\[0\] must be a number, got list"),
    (lambda d: d["layers"][1]["weights"].__setitem__(0, {}), r"layer 2 weights must be a list of non-empty rows"),
    (lambda d: d["layers"][1]["biases"].__setitem__(0, 10 ** 400), r"layer 2 biases: bias 0 must be a finite number, got int"),
])
def test_inconsistent_or_mistyped_files_are_refused_by_name(tmp_path, model_text, change, match):
    message = refused(tmp_path, edited(model_text, change), match)
    assert message.startswith(str(tmp_path / "m.json") + ": ")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_tokens_are_refused(tmp_path, model_text, token):
    data = json.loads(model_text)
    first = repr(data["layers"][0]["weights"][0][0])
    text = model_text.replace(first, token, 1)
    refused(tmp_path, text, rf": non-finite number {token} in model file$")


@pytest.mark.parametrize("number", ["1e999", "-1e400"])
def test_numbers_beyond_the_float_range_are_refused(tmp_path, model_text, number):
    text = edited(model_text, lambda d: d["layers"][1]["biases"].__setitem__(0, 12345.5))
    text = text.replace("12345.5", number)
    refused(tmp_path, text, r"layer 2 biases: bias 0 must be finite, got -?inf")


@pytest.mark.parametrize("text, match", [
    ("", r"not valid JSON \(Expecting value at line 1, column 1\)"),
    ("[]", r"expected a JSON object, got list"),
    ("null", r"expected a JSON object, got NoneType"),
    ('"nodenet-model"', r"expected a JSON object, got str"),
    ("[" * 100000 + "]" * 100000, r"JSON nested too deeply"),
    ('{"a": ' * 50000 + "1" + "}" * 50000, r"JSON nested too deeply"),
    ("9" * 5000, r"unreadable number in JSON"),
    ('{"format": "nodenet-model", "format": "x"}', r"key 'format' appears twice in one object"),
    ("\ufeff{}", r"not valid JSON"),
    ("{'format': 'nodenet-model'}", r"not valid JSON"),
])
def test_malformed_text_is_refused(tmp_path, text, match):
    refused(tmp_path, text, match)


def test_binary_junk_is_refused(tmp_path, model_text):
    rng = random.Random(4)
    for trial in range(50):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        path = write(tmp_path, junk)
        with pytest.raises(NodenetError):
            load(path)
    refused(tmp_path, b"\x80\x81\xfe", r"not a text file \(expected nodenet JSON\)")
    refused(tmp_path, model_text.encode("utf-16"), r"not a text file|not valid JSON")
    # a model file with one byte flipped anywhere: refused or still a sound model
    raw = model_text.encode("utf-8")
    for trial in range(300):
        i = rng.randrange(len(raw))
        flipped = raw[:i] + bytes([raw[i] ^ (1 << rng.randrange(8))]) + raw[i + 1:]
        path = write(tmp_path, flipped)
        try:
            net = load(path)
        except NodenetError:
            continue
        assert net.sizes == [2, 2, 1]          # a digit changed: still the same shape


def test_random_junk_values_anywhere_give_nodeneterror(tmp_path, model_text):
    """Replace a random node of the JSON tree by random junk, many times."""
    rng = random.Random(2026)
    junk_values = [None, True, False, "x", "", 0, -1, 1.5, 1e308, [], {}, [[]], [None],
                   {"name": "tanh"}, "sigmoid", [1.0, 2.0], {"a": []}]
    base = json.loads(model_text)

    def places(value, path=()):
        yield path
        if isinstance(value, dict):
            for k, v in value.items():
                yield from places(v, path + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from places(v, path + (i,))

    all_places = list(places(base))
    for trial in range(400):
        data = json.loads(model_text)
        where = rng.choice(all_places)
        value = rng.choice(junk_values)
        if not where:
            data = value
        else:
            parent = data
            for key in where[:-1]:
                parent = parent[key]
            parent[where[-1]] = value
        path = write(tmp_path, json.dumps(data))
        try:
            load(path)
        except NodenetError:
            pass                      # refused by name: fine; anything else fails the test


def test_saved_files_get_the_usual_permissions_not_mkstemps_private_ones(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "model.json"
        Network([2, 2, 1], seed=1).save(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    finally:
        os.umask(old)
