"""fixture(): hand-checked values, a JSON round trip, and ``nodenet fixture`` on the command line."""

import json
import os
import subprocess
import sys

import pytest

from nodenet import Network, NodenetError
from nodenet.cli import main
from nodenet.modelfile import from_dict
from nodenet.oracle import fixture
from nodenet.oracle.fixture import dumps


def identity_net():
    return Network.from_matrices([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0]]],
                                 activations="identity", loss="sse")


def test_hand_checked_values():
    # x = [1, 2], y = [0]: ŷ = 3, loss 9, δ2 = −6, δ1 = [−6, −6]
    fx = fixture(identity_net(), [[1, 2]], [[0]])
    assert fx["format"] == "nodenet-fixture" and fx["version"] == 1
    assert fx["sizes"] == [2, 2, 1]
    assert fx["loss"] == 9.0 and fx["sample_losses"] == [9.0]
    assert fx["outputs"] == [[3.0]]
    assert fx["layers"][0] == {"layer": 1, "activation": "identity", "z": [[1.0, 2.0]],
                               "a": [[1.0, 2.0]], "delta": [[-6.0, -6.0]],
                               "dL_dz": [[6.0, 6.0]]}
    assert fx["layers"][1]["delta"] == [[-6.0]]
    assert fx["gradients"] == {
        "weights": {"out_in": [[[6.0, 12.0], [6.0, 12.0]], [[6.0, 12.0]]],
                    "in_out": [[[6.0, 6.0], [12.0, 12.0]], [[6.0], [12.0]]]},
        "biases": [[6.0, 6.0], [6.0]]}
    assert fx["weights"]["in_out"] == [[[1.0, 0.0], [0.0, 1.0]], [[1.0], [1.0]]]


def test_mean_loss_scales_dl_dz_by_one_over_n():
    net = Network([2, 3, 2], activation="tanh", output_activation="softmax",
                  loss="cross_entropy", seed=5)
    X, Y = [[0.1, 0.2], [1.0, -1.0], [0.5, 0.5]], [[1, 0], [0, 1], [0.5, 0.5]]
    fx = fixture(net, X, Y)
    for layer in fx["layers"]:
        for drow, grow in zip(layer["delta"], layer["dL_dz"]):
            assert grow == [-(1.0 / 3) * d for d in drow]
    # the batch gradient is Σ_samples dL_dz·a_belowᵀ, as the conventions say
    a1 = fx["layers"][0]["a"]
    top = fx["layers"][1]["dL_dz"]
    for j in range(2):
        for i in range(3):
            want = sum(top[s][j] * a1[s][i] for s in range(3))
            assert fx["gradients"]["weights"]["out_in"][1][j][i] == pytest.approx(want, rel=1e-14)
    assert fx["loss"] == pytest.approx(net.loss(X, Y), rel=0, abs=0)


def test_json_round_trip_is_exact_and_rebuilds_the_network():
    net = Network([3, 4, 2], activation="relu", output_activation="sigmoid", loss="bce", seed=9)
    X = [[0.3, -1.2, 2.0], [1.0, 0.0, -0.5]]
    Y = [[1, 0], [0.25, 1]]
    fx = fixture(net, X, Y)
    for text in (dumps(fx), json.dumps(fx)):
        back = json.loads(text)
        assert back == fx
    rebuilt = from_dict(json.loads(dumps(fx))["model"])
    assert rebuilt.gradients(back["inputs"], back["targets"]) == (
        back["gradients"]["weights"]["out_in"], back["gradients"]["biases"])
    assert rebuilt.loss(back["inputs"], back["targets"]) == back["loss"]


def test_fixture_agrees_with_numpy_reference():
    np = pytest.importorskip("numpy")
    from numpy_mlp import backward, forward, random_problem
    rng = np.random.default_rng(21)
    Ws, bs, X, Y = random_problem(rng, [3, 5, 2], "mse", n=4)
    net = Network.from_matrices(Ws, bs, ["tanh", "identity"], loss="mse")
    fx = json.loads(dumps(fixture(net, X, Y)))
    Zs, As = forward(X, Ws, bs, ["tanh", "identity"])
    loss, dW, db = backward(X, Y, Ws, bs, ["tanh", "identity"], "mse")
    for l in range(2):
        assert np.allclose(fx["layers"][l]["z"], Zs[l], rtol=1e-13, atol=0)
        assert np.allclose(fx["layers"][l]["a"], As[l], rtol=1e-13, atol=0)
        assert np.allclose(fx["gradients"]["weights"]["out_in"][l], dW[l], rtol=1e-12, atol=1e-15)
        assert np.allclose(fx["gradients"]["weights"]["in_out"][l], dW[l].T, rtol=1e-12, atol=1e-15)
        assert np.allclose(fx["gradients"]["biases"][l], db[l], rtol=1e-12, atol=1e-15)
    assert fx["loss"] == pytest.approx(loss, rel=1e-13)


def test_fixture_accepts_columns_and_refuses_bad_batches():
    net = identity_net()
    fx = fixture(net, [[1], [2]], [[0]], samples="columns")
    assert fx["inputs"] == [[1.0, 2.0]]
    with pytest.raises(NodenetError, match="fixture: targets: expected 1×1"):
        fixture(net, [[1, 2]], [[0], [1]])


# -- the command line -----------------------------------------------------------

@pytest.fixture
def model(tmp_path):
    net = Network([2, 2, 1], seed=3)
    path = tmp_path / "xor.json"
    net.save(path)
    return net, str(path)


XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [[0.0], [1.0], [1.0], [0.0]]


def cli_args():
    args = []
    for x, y in zip(XOR_X, XOR_Y):
        args += ["--input", *map(str, x), "--target", *map(str, y)]
    return args


def test_cli_repeated_input_target_to_stdout(model, capsys):
    net, path = model
    assert main(["fixture", path, *cli_args()]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == json.loads(dumps(fixture(net, XOR_X, XOR_Y)))


def test_cli_output_file_and_data_files(model, tmp_path, capsys):
    net, path = model
    want = json.loads(dumps(fixture(net, XOR_X, XOR_Y)))
    out = tmp_path / "fx.json"
    assert main(["fixture", path, *cli_args(), "-o", str(out)]) == 0
    assert capsys.readouterr().out == (f"wrote {out}: Network([2, 2, 1], sigmoid → sigmoid, "
                                       f"loss=sse), 4 samples\n")
    assert json.loads(out.read_text(encoding="utf-8")) == want
    data = tmp_path / "batch.json"
    data.write_text(json.dumps({"inputs": XOR_X, "targets": XOR_Y}))
    assert main(["fixture", path, "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out) == want
    csv = tmp_path / "batch.csv"
    csv.write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    assert main(["fixture", path, "--data", str(csv), "--target-columns", "y"]) == 0
    assert json.loads(capsys.readouterr().out) == want


@pytest.mark.parametrize("argv, message", [
    (["--input", "0", "1"], "every --input needs a --target: got 1 --input and 0 --target"),
    ([], "no samples: give --input X… --target Y… (repeat per sample) or --data FILE"),
    (["--input", "0", "1", "2", "--target", "1"], "sample 0: --input has 3 numbers, the model needs 2"),
])
def test_cli_errors_are_one_line(model, capsys, argv, message):
    _, path = model
    assert main(["fixture", path, *argv]) == 2          # bad option values: exit status 2
    err = capsys.readouterr().err
    assert err == f"nodenet fixture: error: {message}\n"


@pytest.mark.parametrize("text, message", [
    ("x1,x2,y\n0,0,0\n0,1\n", "bad.csv line 3: expected 3 cells, one per column (x1, x2, y), got 2"),
    ("0,0,0\n0,1,1\n", "bad.csv line 1: the first row should name the columns, but it holds "
                       "numbers (0, 0, 0); add a header row"),
    ("x1,x2\n0,0\n", "bad.csv has no target column named 'y'; its columns are: x1, x2"),
])
def test_cli_bad_csv(model, tmp_path, capsys, text, message):
    _, path = model
    csv = tmp_path / "bad.csv"
    csv.write_text(text)
    assert main(["fixture", path, "--data", str(csv), "--target-columns", "y"]) == 1
    assert message in capsys.readouterr().err


def test_cli_as_a_subprocess(model, tmp_path):
    net, path = model
    out = tmp_path / "fx.json"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-m", "nodenet", "fixture", path, *cli_args(),
                           "-o", str(out)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(
        dumps(fixture(net, XOR_X, XOR_Y)))
    helped = subprocess.run([sys.executable, "-m", "nodenet", "fixture", "--help"],
                            capture_output=True, text=True, env=env)
    assert helped.returncode == 0
    assert "repeat --input/--target, one pair per sample" in helped.stdout
    failed = subprocess.run([sys.executable, "-m", "nodenet", "fixture", path, "--input", "1", "2"],
                            capture_output=True, text=True, env=env)
    assert failed.returncode == 2 and failed.stderr.count("\n") == 1
