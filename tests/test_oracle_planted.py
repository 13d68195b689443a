"""Every planted bug of issue 12 is caught, in float64 and in float32, with a hint that
points at the right place (and none that misleads).

The buggy client is tests/numpy_mlp.py, run as NumPy float64 and float32 and — where they
are installed — as torch and JAX float32 code (the same formulas, computed by each
library in its own float32 kernels); nodenet gets the client's own arrays."""

import pytest

np = pytest.importorskip("numpy")

from nodenet import Network, NodenetError                                # noqa: E402
from nodenet.oracle import compare_forward, compare_gradients             # noqa: E402

from numpy_mlp import backward, dropout_masks, forward, random_problem    # noqa: E402

SIZES = [3, 4, 4, 2]          # layer 2's weight matrix is square (4×4)
N = 6

DTYPES = {"float64": np.float64, "float32": np.float32, "float16": np.float16}
CLIENTS = ["numpy-float64", "numpy-float32", "torch-float32", "jax-float32", "numpy-float16",
           "torch-bfloat16"]


def library(client):
    """A function turning NumPy arrays (and lists of them) into the client's arrays."""
    lib = client.split("-")[0]
    if lib == "torch":
        torch = pytest.importorskip("torch")
        dtype = getattr(torch, precision(client))
        return lambda a: None if a is None else torch.from_numpy(np.ascontiguousarray(a)).to(dtype)
    if lib == "jax":
        jnp = pytest.importorskip("jax.numpy")
        return lambda a: None if a is None else jnp.asarray(a)
    return lambda a: a


@pytest.fixture(params=CLIENTS)
def client(request):
    """The client: its library and precision (the preset named by the precision)."""
    library(request.param)          # skips where the library is missing
    return request.param


def precision(client):
    return client.split("-")[1]


def problem(client, acts=("tanh", "tanh", "sigmoid"), loss="mse", seed=5, one_hot=False):
    rng = np.random.default_rng(seed)
    convert = library(client)
    Ws, bs, X, Y = random_problem(rng, SIZES, loss, n=N, dtype=DTYPES.get(precision(client),
                                                                         np.float64))
    if one_hot:
        Y = np.eye(Y.shape[1], dtype=Y.dtype)[Y.argmax(axis=1)]
    Ws, bs = [convert(W) for W in Ws], [convert(b) for b in bs]
    X, Y = convert(X), convert(Y)
    net = Network.from_matrices(Ws, bs, list(acts), loss=loss)
    return net, Ws, bs, X, Y, list(acts)


def report_of(client, broken, masks=None, **kw):
    """The report on a client with one bug; the same client without it must pass."""
    net, Ws, bs, X, Y, acts = problem(client, **kw)
    if masks is not None:
        masks = [library(client)(m) for m in masks]
    loss, prec = net.loss_function.name, precision(client)
    _, dW, db = backward(X, Y, Ws, bs, acts, loss, masks=masks)
    assert compare_gradients(net, X, Y, dW, db, dtype=prec, masks=masks).ok
    _, dW, db = backward(X, Y, Ws, bs, acts, loss, broken=broken, masks=masks)
    report = compare_gradients(net, X, Y, dW, db, dtype=prec, masks=masks)
    assert not report.ok
    return report, str(report)


def misleads(text):
    """Hints that must not appear unless they are the cause."""
    return [h for h in ("check the loss's normalization", "did you mean", "opposite sign",
                        "factor of N") if h in text]


@pytest.mark.parametrize("client", CLIENTS[1:])
def test_correct_low_precision_code_passes_with_its_preset_and_not_with_float64s(client):
    library(client)
    net, Ws, bs, X, Y, acts = problem(client)
    _, dW, db = backward(X, Y, Ws, bs, acts, "mse")
    assert precision(client) in str(dW[0].dtype)
    report = compare_gradients(net, X, Y, dW, db, dtype=precision(client))
    assert report.ok and f"{precision(client)}: rtol=" in str(report)
    assert not compare_gradients(net, X, Y, dW, db).ok          # float64's tolerances


def test_softmax_over_the_wrong_axis(client):
    # one-hot targets (probability rows do not sum to 1 in float16)
    acts = ("tanh", "tanh", "softmax")
    net, Ws, bs, X, Y, _ = problem(client, acts=acts, loss="cross_entropy", one_hot=True)
    Zs, As = forward(X, Ws, bs, list(acts), broken=("softmax_axis0", 3))
    fwd = compare_forward(net, X, As, Zs, dtype=precision(client))
    assert (fwd.first_layer, fwd.first_value) == (3, "a")
    assert ("layer 3's softmax is normalized over the samples: each node's outputs sum to 1 "
            "across the batch instead of each sample's outputs across the nodes (in your N×n "
            "arrays: axis=1, not axis=0; in PyTorch dim=-1)") in str(fwd)
    report, text = report_of(client, ("softmax_axis0", 3), acts=acts, loss="cross_entropy",
                             one_hot=True)
    assert report.first_layer == 3
    assert "start with layer 3" in text and not misleads(text)


def test_dZ_at_W_transposed_when_sending_deltas_down(client):
    report, text = report_of(client, ("transposed_backprop", 2))
    assert report.first_layer == 1
    assert ("layer 1's deltas come through layer 2's weight matrix transposed: e_j = Σ_k "
            "w_kj·δ_k sums down column j (in your out_in layout dA = dZ @ W, not dZ @ W.T)") \
        in text
    assert text.endswith("layers 2–3 match, so the error enters at layer 1")
    # the same numbers given in the in_out layout: the hint speaks that layout's code
    net, Ws, bs, X, Y, acts = problem(client)
    _, dW, db = backward(X, Y, Ws, bs, acts, "mse", broken=("transposed_backprop", 2))
    text = str(compare_gradients(net, X, Y, [m.T for m in dW], db, layout="in_out",
                                 dtype=precision(client)))
    assert "(in your in_out layout dA = dZ @ W.T, not dZ @ W)" in text


def test_dW_transposed(client):
    report, text = report_of(client, ("dW_transposed", 2))
    assert [s.layer for s in report.layers if not s.ok] == [2]
    assert ("layer 2: the biases match, so its deltas are right (their sums over the samples), "
            "but the weights match nodenet's transposed: the outer product is the wrong way "
            "round") in text
    assert "did you mean" not in text and "check how the deltas reach it" not in text
    assert text.endswith("layer 3 matches, so the error enters at layer 2")


def test_db_not_summed_over_the_batch(client):
    net, Ws, bs, X, Y, acts = problem(client)
    _, dW, db = backward(X, Y, Ws, bs, acts, "mse", broken=("db_not_summed", 2))
    with pytest.raises(NodenetError) as info:
        compare_gradients(net, X, Y, dW, db, dtype=precision(client))
    assert str(info.value) == ("layer 2 biases: expected 4 values (a vector, 4×1 or 1×4), got "
                               "6×4 — one per sample? sum (or average, as the loss does) over "
                               "the samples")


def test_db_averaged_twice(client):
    report, text = report_of(client, "db_averaged")
    assert all(s.weights_differ == 0 for s in report.layers)
    for l in (3, 2, 1):
        assert (f"layer {l}: the weights match but the biases are 1/6 of nodenet's: the bias "
                f"gradient is divided by N = 6 once too often") in text
    assert not misleads(text)


def test_tanh_derivative_from_z_instead_of_a(client):
    report, text = report_of(client, ("derivative_of_z", 2))
    assert report.first_layer == 2
    assert ("layer 2's tanh derivative is evaluated at the net input z: written in the output "
            "a it is 1 − a², and fed z it gives 1 − z² — pass the activations a, not z") in text
    assert text.endswith("layer 3 matches, so the error enters at layer 2")


def test_every_derivative_from_z_as_seed_001_has_it(client):
    report, text = report_of(client, "derivative_of_z")
    assert report.first_layer == 3
    assert ("the derivatives of layers 3 (sigmoid), 2 (tanh) and 1 (tanh) are evaluated at the "
            "net inputs z: each is written in the output a (sigmoid′ = a·(1 − a), tanh′ = "
            "1 − a²) — pass the activations a, not z") in text
    assert "start with layer 3" not in text


def test_missing_one_over_n(client):
    report, text = report_of(client, "no_mean")
    assert ("every gradient is 6× nodenet's, a factor of N = 6 samples: nodenet's mse loss "
            "averages over samples") in text


def test_derivative_from_the_wrong_layer(client):
    report, text = report_of(client, ("wrong_layer_derivative", 1))
    assert report.first_layer == 1
    assert ("layer 1's activation derivative is evaluated at layer 2's values: f′ must use "
            "layer 1's own net inputs z and outputs a") in text
    assert text.endswith("layers 2–3 match, so the error enters at layer 1")


def test_wrong_sign(client):
    report, text = report_of(client, "sign")
    assert "every gradient has the opposite sign: nodenet reports ∂L/∂w" in text


def test_softmax_with_mse_treated_as_fused(client):
    acts = ("tanh", "tanh", "softmax")
    report, text = report_of(client, ("fused", 3), acts=acts, loss="mse")
    assert report.first_layer == 3
    assert ("layer 3's gradients are exactly what the fused output δ = y − a gives: that shortcut "
            "holds only where the loss and the output activation are made for each other") \
        in text
    assert "with softmax + mse the output δ is the loss's derivative taken through softmax's "\
           "derivative (softmax: through its Jacobian)" in text
    assert "start with layer 3" not in text and not misleads(text)


def test_dropout_mask_missing_in_backward(client):
    masks = dropout_masks(np.random.default_rng(9), SIZES, N,
                          dtype=DTYPES.get(precision(client), np.float64))
    report, text = report_of(client, ("no_mask_backward", 2), masks=masks)
    assert report.first_layer == 2
    assert ("layer 2's dropout mask is applied in the forward pass but not in backward: δ_j "
            "must be f′(z_j)·e_j·m_j with the same mask m (0 or 1/(1 − p)) as forward") in text
    assert "0.5×" not in text and not misleads(text)
    assert text.endswith("layer 3 matches, so the error enters at layer 2")


def test_a_single_shared_mask_still_gets_no_misleading_ratio():
    # issue 12: with one mask for the batch, the kept nodes' gradients are exactly 0.5×
    # nodenet's and the dropped ones are 0 in nodenet's — not a normalization problem
    masks = dropout_masks(np.random.default_rng(2), SIZES, 1)
    shared = [None if m is None else np.repeat(m, N, axis=0) for m in masks]
    report, text = report_of("numpy-float64", ("no_mask_backward", 2), masks=shared)
    assert "layer 2's dropout mask is applied in the forward pass but not in backward" in text
    assert "×" not in text and "normalization" not in text


def test_masks_are_checked_and_put_back():
    net, Ws, bs, X, Y, acts = problem("numpy-float64")
    _, dW, db = backward(X, Y, Ws, bs, acts, "mse")
    with pytest.raises(NodenetError, match="masks: layer 3 is the output layer"):
        compare_gradients(net, X, Y, dW, db, masks=[None, None, np.ones((N, 2))])
    with pytest.raises(NodenetError, match=r"layer 1 mask: expected 6×4 \(samples × nodes\), "
                                           r"got 6×3"):
        compare_gradients(net, X, Y, dW, db, masks=[np.ones((N, 3)), None, None])
    masks = dropout_masks(np.random.default_rng(1), SIZES, N)
    _, dW, db = backward(X, Y, Ws, bs, acts, "mse", masks=masks)
    assert compare_gradients(net, X, Y, dW, db, masks=masks).ok
    assert all(layer.mask is None for layer in net.layers)
