"""The oracle catches deliberately broken vectorized implementations and names the layer."""

import pytest

np = pytest.importorskip("numpy")

from nodenet import Network                                              # noqa: E402
from nodenet.oracle import assert_gradients_match, compare_forward, compare_gradients  # noqa: E402

from numpy_mlp import backward, forward, random_problem                  # noqa: E402

SIZES = [3, 4, 5, 2]          # layers 1 and 2 hidden, layer 3 the output


def problem(acts=("tanh", "tanh", "sigmoid"), loss="mse", n=4, seed=3):
    rng = np.random.default_rng(seed)
    Ws, bs, X, Y = random_problem(rng, SIZES, loss, n=n)
    net = Network.from_matrices(Ws, bs, list(acts), loss=loss)
    return net, Ws, bs, X, Y, list(acts)


def broken_report(broken, **kw):
    net, Ws, bs, X, Y, acts = problem(**kw)
    _, dW, db = backward(X, Y, Ws, bs, acts, net.loss_function.name, broken=broken)
    report = compare_gradients(net, X, Y, dW, db)
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(net, X, Y, dW, db)
    assert str(info.value) == str(report)
    return report, str(report)


def differing(report):
    return [s.layer for s in report.layers if not s.ok]


def test_correct_code_passes_the_same_problem():
    net, Ws, bs, X, Y, acts = problem()
    _, dW, db = backward(X, Y, Ws, bs, acts, "mse")
    assert compare_gradients(net, X, Y, dW, db).ok


def test_wrong_output_derivative_seed_001_sigmoid_of_z():
    report, text = broken_report(("derivative_of_z", 3))
    assert report.first_layer == 3
    assert differing(report) == [3, 2, 1]
    assert "layer 3: 10 of 10 weights and 2 of 2 biases differ" in text
    # nodenet recomputes the gradients with σ′ fed z and finds the caller's numbers
    assert ("layer 3's sigmoid derivative is evaluated at the net input z: written in the "
            "output a it is a·(1 − a), and fed z it gives z·(1 − z)") in text
    # the table lists layer 3's rows before any of layer 2's
    table_layers = [line.split()[0] for line in text.splitlines() if line[:7].strip().isdigit()]
    assert table_layers[0] == "3" and table_layers == sorted(table_layers, reverse=True)


def test_wrong_hidden_derivative_is_placed_in_its_layer():
    report, text = broken_report(("derivative_of_z", 2))
    assert report.first_layer == 2
    assert differing(report) == [2, 1]
    assert "layer 3: all 10 weights and 2 biases match" in text
    assert "layer 2's tanh derivative is evaluated at the net input z" in text
    assert text.endswith("layer 3 matches, so the error enters at layer 2")


def test_missing_bias_gradient_in_the_output_layer():
    report, text = broken_report(("no_bias_grad", 3))
    assert differing(report) == [3]
    assert "layer 3: 0 of 10 weights and 2 of 2 biases differ" in text
    assert "layer 2: all 20 weights and 5 biases match" in text
    assert "layer 3: the biases' gradients are all 0 while the weights agree" in text
    assert {m.source for m in report.mismatches} == {"bias"}


def test_missing_bias_gradients_everywhere():
    report, text = broken_report("no_bias_grad")
    assert report.first_layer == 3
    assert differing(report) == [3, 2, 1]
    assert all(s.weights_differ == 0 and s.biases_differ == s.n_biases for s in report.layers)
    assert "layer 1: the biases' gradients are all 0" in text


def test_wrong_loss_normalization_forgot_the_mean():
    report, text = broken_report("no_mean", n=4)
    assert report.first_layer == 3
    assert ("every gradient is 4× nodenet's, a factor of N = 4 samples: nodenet's mse loss "
            "averages over samples") in text


def test_wrong_loss_normalization_averaged_a_summed_loss():
    report, text = broken_report("extra_mean", loss="sse", n=5)
    assert report.first_layer == 3
    assert "every gradient is 0.2× nodenet's, a factor of N = 5 samples: nodenet's sse loss sums" in text


def test_cross_entropy_summed_instead_of_averaged():
    report, text = broken_report("no_mean", acts=("relu", "tanh", "softmax"),
                                 loss="cross_entropy", n=6)
    assert "every gradient is 6× nodenet's, a factor of N = 6 samples" in text


def test_skipped_hidden_derivative():
    report, text = broken_report(("skip_derivative", 1))
    assert report.first_layer == 1
    assert differing(report) == [1]
    assert "layers 2–3 match, so the error enters at layer 1" in text
    assert "layer 1: 12 of 12 weights and 4 of 4 biases differ" in text


def test_sign_error_everywhere():
    report, text = broken_report("sign")
    assert report.first_layer == 3
    assert "every gradient has the opposite sign: nodenet reports ∂L/∂w" in text
    assert all(m.got == pytest.approx(-m.expected, rel=1e-12) for m in report.mismatches)


def test_sign_error_in_one_layer():
    report, text = broken_report(("sign", 2))
    assert differing(report) == [2]
    assert "layer 2's weights have the opposite sign" in text


def test_worst_entry_and_counts_are_real():
    report, _ = broken_report(("skip_derivative", 1))
    worst = report.worst
    assert worst.layer == 1
    assert worst.abs_error == max(m.abs_error for m in report.mismatches)
    assert report.max_abs_error == worst.abs_error


def test_forward_bug_is_reported_as_a_forward_bug():
    net, Ws, bs, X, Y, acts = problem()
    Zs, As = forward(X, Ws, bs, acts, broken=("relu_instead", 2))
    report = compare_forward(net, X, As, Zs)
    assert (report.first_layer, report.first_value) == (2, "a")
    text = str(report)
    assert text.startswith("forward pass differs from nodenet's from layer 2 on: its "
                           "activations a are the first values that differ")
    assert "layer 2's net inputs agree but its activations do not: check its activation " \
           "function (nodenet: tanh)" in text
    assert "layer 1" not in text.split("\n\n")[0]


def test_forgotten_bias_in_forward_points_at_net_inputs():
    net, Ws, bs, X, Y, acts = problem()
    Zs, As = forward(X, Ws, bs, acts, broken=("no_bias_forward", 1))
    report = compare_forward(net, X, As, Zs)
    assert (report.first_layer, report.first_value) == (1, "z")
    assert "the inputs agree but layer 1's net inputs do not: check its weights" in str(report)
    # without net inputs the activations still place it
    assert compare_forward(net, X, As).first_layer == 1


def test_transposed_square_weights_whose_biases_match_is_an_outer_product_bug():
    # layer 2 (1×3) fixes the layout as out_in, and layer 1's biases match, so its deltas
    # are right: the old hint "did you mean layout='in_out'?" misled here
    rng = np.random.default_rng(4)
    Ws, bs, X, Y = random_problem(rng, [3, 3, 1], "sse")
    net = Network.from_matrices(Ws, bs, ["sigmoid", "identity"], loss="sse")
    _, dW, db = backward(X, Y, Ws, bs, ["sigmoid", "identity"], "sse")
    text = str(compare_gradients(net, X, Y, [dW[0].T, dW[1]], db))
    assert ("layer 1: the biases match, so its deltas are right (their sums over the samples), "
            "but the weights match nodenet's transposed: the outer product is the wrong way "
            "round (in the out_in layout dW = dZᵀ·A") in text
    assert "did you mean" not in text and "check how the deltas reach it" not in text


def test_every_square_layer_transposed_is_the_layout():
    rng = np.random.default_rng(4)
    Ws, bs, X, Y = random_problem(rng, [3, 3, 3], "sse")
    net = Network.from_matrices(Ws, bs, ["sigmoid", "identity"], loss="sse")
    _, dW, db = backward(X, Y, Ws, bs, ["sigmoid", "identity"], "sse")
    text = str(compare_gradients(net, X, Y, [m.T for m in dW], db))
    assert text.endswith("every layer's weights match nodenet's transposed — did you mean "
                         "layout='in_out'?")
    assert compare_gradients(net, X, Y, [m.T for m in dW], db, layout="in_out").ok


def test_nan_gradient_is_a_mismatch_listed_first():
    net, Ws, bs, X, Y, acts = problem()
    _, dW, db = backward(X, Y, Ws, bs, acts, "mse")
    dW[2][0, 0] = np.nan
    report = compare_gradients(net, X, Y, dW, db)
    assert len(report.mismatches) == 1
    assert report.worst.where() == "layer 3, node 0, weight from node 0"
    assert "nan" in str(report)
