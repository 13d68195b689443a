"""nodenet.oracle against real scikit-learn: from_sklearn reads a fitted MLP, with the
loss normalized as scikit-learn normalizes it (skipped without scikit-learn)."""

import warnings

import pytest

np = pytest.importorskip("numpy")
nn = pytest.importorskip("sklearn.neural_network")
metrics = pytest.importorskip("sklearn.metrics")

from nodenet import NodenetError, NodenetWarning                     # noqa: E402
from nodenet.oracle import compare_gradients, from_sklearn           # noqa: E402


def fitted(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # ConvergenceWarning: a few steps are enough
        return estimator.fit(X, y)


def sklearn_gradients(est, X, Y):
    """scikit-learn's own backprop (a private method: the test checks the docs' claim)."""
    n_layers = len(est.coefs_) + 1
    activations = [X] + [None] * (n_layers - 1)
    deltas = [None] * (n_layers - 1)
    coef_grads = [np.empty_like(c) for c in est.coefs_]
    intercept_grads = [np.empty_like(b) for b in est.intercepts_]
    loss, cg, ig = est._backprop(X, Y, None, activations, deltas, coef_grads, intercept_grads)
    return loss, cg, ig


@pytest.mark.parametrize("k", [1, 3])
def test_regressor_forward_loss_and_gradients(k):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 4))
    Y = rng.normal(size=(20, k))
    est = fitted(nn.MLPRegressor(hidden_layer_sizes=(6, 5), activation="tanh", alpha=0.0,
                                 max_iter=30, random_state=0), X, Y if k > 1 else Y[:, 0])
    net = from_sklearn(est)
    assert net.sizes == [4, 6, 5, k]
    assert [layer.activation.name for layer in net.layers] == ["tanh", "tanh", "identity"]
    assert net.loss_function.to_spec() == {"name": "half_sse", "reduction": "mean"}
    pred = est.predict(X).reshape(20, k)
    assert np.allclose([net.predict(x) for x in X.tolist()], pred, rtol=1e-13, atol=1e-14)
    assert net.loss(X, Y) == pytest.approx(0.5 * np.mean((Y - pred) ** 2), rel=1e-13)
    loss, cg, ig = sklearn_gradients(est, X, Y)
    assert net.loss(X, Y) == pytest.approx(loss, rel=1e-13)        # alpha = 0: no L2 term
    # scikit-learn steps along (ŷ − y)/N: K times the gradient of its own loss
    report = compare_gradients(net, X, Y, [g / k for g in cg], [g / k for g in ig],
                               layout="in_out")
    assert report.ok and report.max_rel_error < 1e-10


def test_classifiers_binary_and_multiclass():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 3))
    for classes in (2, 4):
        y = np.arange(30) % classes
        est = fitted(nn.MLPClassifier(hidden_layer_sizes=(5,), activation="relu", alpha=0.0,
                                      max_iter=40, random_state=1), X, y)
        net = from_sklearn(est)
        proba = est.predict_proba(X)
        if classes == 2:
            assert net.loss_function.name == "bce" and net.layers[-1].activation.name == "sigmoid"
            Y, ours = y[:, None].astype(float), [net.predict(x) for x in X.tolist()]
            assert np.allclose(ours, proba[:, 1:], rtol=1e-13, atol=1e-15)
        else:
            assert net.loss_function.name == "cross_entropy"
            Y = np.eye(classes)[y]
            assert np.allclose([net.predict(x) for x in X.tolist()], proba, rtol=1e-13,
                               atol=1e-15)
        assert net.loss(X, Y) == pytest.approx(metrics.log_loss(y, proba), rel=1e-12)
        loss, cg, ig = sklearn_gradients(est, X, Y)
        assert net.loss(X, Y) == pytest.approx(loss, rel=1e-12)
        assert compare_gradients(net, X, Y, cg, ig, layout="in_out", rtol=1e-10).ok


def test_multilabel_warns_of_the_factor_k():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(16, 3))
    Y = (rng.uniform(size=(16, 3)) > 0.5).astype(int)
    est = fitted(nn.MLPClassifier(hidden_layer_sizes=(4,), alpha=0.0, max_iter=20,
                                  random_state=0), X, Y)
    with pytest.warns(NodenetWarning, match=r"multilabel MLPClassifier's log-loss sums over its "
                                            r"3 labels, so its loss_ \(and gradient\) is 3× "
                                            r"nodenet's bce"):
        net = from_sklearn(est)
    loss, _, _ = sklearn_gradients(est, X, Y.astype(float))
    assert loss == pytest.approx(3 * net.loss(X, Y), rel=1e-12)


def test_what_from_sklearn_refuses():
    with pytest.raises(NodenetError, match=r"^from_sklearn: the MLPRegressor is not fitted: "
                                           r"call fit\(X, y\) first$"):
        from_sklearn(nn.MLPRegressor())
    with pytest.raises(NodenetError, match=r"^from_sklearn: expected a fitted MLPClassifier or "
                                           r"MLPRegressor, got dict"):
        from_sklearn({"coefs_": []})
