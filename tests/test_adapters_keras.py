"""nodenet.oracle against real Keras 3 (JAX backend): from_keras, and grads_of on the
gradient list of the trainable variables (skipped without Keras)."""

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")
np = pytest.importorskip("numpy")

from nodenet import NodenetError                                          # noqa: E402
from nodenet.oracle import (assert_forward_match, assert_gradients_match,  # noqa: E402
                            from_keras, grads_of)

pytestmark = pytest.mark.skipif(keras.backend.backend() != "jax",
                                reason="these tests take gradients with the JAX backend")


def gradients(model, loss, X, Y):
    """What GradientTape.gradient(loss, model.trainable_variables) gives: one array per
    variable (kernel, bias, kernel, …), here with jax.grad over a stateless call."""
    trainable = [v.value for v in model.trainable_variables]
    fixed = [v.value for v in model.non_trainable_variables]

    def value(trainable):
        out, _ = model.stateless_call(trainable, fixed, X, training=False)
        return loss(Y, out)

    return jax.grad(value)(trainable)


def data(n=12, d=4, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype(np.float32), rng.normal(size=(n, k)).astype(np.float32)


def test_a_keras_sequential_is_three_lines():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="tanh"),
                              keras.layers.Dropout(0.3),
                              keras.layers.Dense(5, activation="gelu"),
                              keras.layers.Dense(3)])
    X, Y = data()
    loss = keras.losses.MeanSquaredError()
    grads = gradients(model, loss, X, Y)

    net = from_keras(model, loss=loss)
    assert_gradients_match(net, X, Y, *grads_of(grads), dtype="float32")

    assert repr(net) == "Network([4, 6, 5, 3], tanh, gelu → identity, loss=mse)"
    assert net.loss(X, Y) == pytest.approx(float(loss(Y, model(X))), rel=1e-5)


def test_activation_layers_and_the_compiled_loss():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Flatten(),
                              keras.layers.Dense(5), keras.layers.LeakyReLU(negative_slope=0.1),
                              keras.layers.Dense(4, use_bias=False),
                              keras.layers.Activation("sigmoid"),
                              keras.layers.Dense(3), keras.layers.Softmax()])
    model.compile(loss="categorical_crossentropy")
    X, _ = data(seed=2)
    Y = np.eye(3, dtype=np.float32)[np.arange(12) % 3]
    net = from_keras(model)
    assert repr(net) == ("Network([4, 5, 4, 3], leaky_relu(alpha=0.1), sigmoid → softmax, "
                         "loss=cross_entropy)")
    assert [layer.use_bias for layer in net.layers] == [True, False, True]
    grads = gradients(model, keras.losses.CategoricalCrossentropy(), X, Y)
    dW, db = grads_of(grads)
    assert db[1] is None
    assert_gradients_match(net, X, Y, dW, db, dtype="float32")
    a = X
    outputs = []
    for layer in model.layers[1:]:
        a = layer(a)
        if not layer.name.startswith("dense"):
            outputs.append(np.asarray(a))
    assert_forward_match(net, X, outputs, dtype="float32")


def test_logit_losses_and_class_indices():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(3)])
    X, _ = data(seed=4)
    labels = np.arange(12) % 3
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    net = from_keras(model, loss=loss)
    assert net.loss_function.name == "cross_entropy_with_logits"
    assert_gradients_match(net, X, labels, *grads_of(gradients(model, loss, X, labels)),
                           dtype="float32")


def test_what_from_keras_cannot_read_is_named():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5),
                              keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    with pytest.raises(NodenetError, match=r"^from_keras: layer 1 \(BatchNormalization "
                                           r"'batch_normalization\w*'\) cannot be read"):
        from_keras(model, loss="mse")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation=lambda z: z)])
    with pytest.raises(NodenetError, match=r"^from_keras: layer 0 \(Dense 'dense\w*'\) has the "
                                           r"activation <function .*which nodenet cannot read"):
        from_keras(model, loss="mse")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Activation("tanh")])
    with pytest.raises(NodenetError, match=r"follows layer 0 \(Dense 'dense\w*'\), which already "
                                           r"has the activation 'relu'"):
        from_keras(model, loss="mse")
    with pytest.raises(NodenetError, match=r"^from_keras: the model is not compiled with a "
                                           r"loss: pass loss=…"):
        from_keras(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]))
    with pytest.raises(NodenetError, match=r"Keras MeanSquaredError\(reduction='sum'\) sums each "
                                           r"sample's mean over its 2 outputs"):
        from_keras(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]),
                   loss=keras.losses.MeanSquaredError(reduction="sum"))
