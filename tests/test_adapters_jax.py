"""nodenet.oracle against real JAX: from_jax and grads_of on parameter pytrees (skipped
without JAX).  JAX computes in float32 here (its default), so the float32 preset is used."""

import pytest

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
np = pytest.importorskip("numpy")

from nodenet import NodenetError                                           # noqa: E402
from nodenet.oracle import (assert_forward_match, assert_gradients_match,  # noqa: E402
                            compare_gradients, from_jax, grads_of)


def dense(key, n_in, n_out):
    k1, k2 = jax.random.split(key)
    return {"kernel": jax.random.normal(k1, (n_in, n_out)) / np.sqrt(n_in),
            "bias": 0.1 * jax.random.normal(k2, (n_out,))}


def flax_params(sizes, seed=0):
    """What flax.linen's MLP of Dense layers holds: {"params": {"Dense_0": …, …}}."""
    keys = jax.random.split(jax.random.PRNGKey(seed), len(sizes) - 1)
    return {"params": {f"Dense_{i}": dense(k, a, b)
                       for i, (k, a, b) in enumerate(zip(keys, sizes, sizes[1:]))}}


def apply(params, X, acts):
    layers = params["params"]
    a = X
    for i, act in enumerate(acts):
        p = layers[f"Dense_{i}"]
        a = act(a @ p["kernel"] + p["bias"])
    return a


def data(n=16, d=4, k=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype(np.float32), rng.normal(size=(n, k)).astype(np.float32)


def test_a_flax_mlp_is_three_lines():
    acts = [jax.nn.relu, jnp.tanh, lambda z: z]
    params = flax_params([4, 8, 6, 3])
    X, Y = data()

    def loss(p):
        return jnp.mean((apply(p, X, acts) - Y) ** 2)

    grads = jax.grad(loss)(params)
    net = from_jax(params, [jax.nn.relu, jnp.tanh, None], loss="mse")
    assert_gradients_match(net, X, Y, *grads_of(grads), dtype="float32")

    assert repr(net) == "Network([4, 8, 6, 3], relu, tanh → identity, loss=mse)"
    assert net.loss(X, Y) == pytest.approx(float(loss(params)), rel=1e-5)
    assert not compare_gradients(net, X, Y, *grads_of(grads)).ok       # float64 tolerances


def test_dict_layers_come_in_natural_order():
    sizes = [3] + [2] * 11                  # Dense_0 … Dense_10: "Dense_10" sorts after "Dense_2"
    params = flax_params(sizes, seed=3)
    X, Y = data(d=3, k=2)
    acts = [jnp.tanh] * 10 + [lambda z: z]

    def loss(p):
        return 0.5 * jnp.sum((apply(p, X, acts) - Y) ** 2)

    grads = jax.grad(loss)(params)
    assert list(grads["params"])[:3] == ["Dense_0", "Dense_1", "Dense_10"]    # JAX sorts keys
    net = from_jax(params, ["tanh"] * 10 + ["identity"], loss="half_sse")
    assert_forward_match(net, X, [np.asarray(apply({"params": {
        f"Dense_{j}": params["params"][f"Dense_{j}"] for j in range(i + 1)}}, X, acts[:i + 1]))
        for i in range(11)], dtype="float32")
    assert_gradients_match(net, X, Y, *grads_of(grads), dtype="float32")


def test_lists_of_pairs_dicts_and_flat_arrays():
    p = flax_params([4, 5, 3], seed=5)["params"]
    pairs = [(p["Dense_0"]["kernel"], p["Dense_0"]["bias"]),
             (p["Dense_1"]["kernel"], p["Dense_1"]["bias"])]
    X, Y = data()

    def loss(pairs):
        (W1, b1), (W2, b2) = pairs
        return jnp.mean((jax.nn.sigmoid(X @ W1 + b1) @ W2 + b2 - Y) ** 2)

    grads = jax.grad(loss)(pairs)
    for params, g in ((pairs, grads),
                      ([{"w": W, "b": b} for W, b in pairs], [{"w": W, "b": b} for W, b in grads]),
                      ([a for pair in pairs for a in pair], [a for pair in grads for a in pair])):
        net = from_jax(params, [jax.nn.sigmoid, None], loss="mse")
        assert_gradients_match(net, X, Y, *grads_of(g), dtype="float32")


def test_out_in_kernels_and_a_layer_without_bias():
    rng = np.random.default_rng(6)
    W1 = jnp.asarray(rng.normal(size=(5, 4)), dtype=jnp.float32)         # W @ x: out_in
    W2 = jnp.asarray(rng.normal(size=(3, 5)), dtype=jnp.float32)
    b2 = jnp.asarray(rng.normal(size=3), dtype=jnp.float32)
    X, Y = data()

    def loss(params):
        W1, (W2, b2) = params
        return jnp.mean((jnp.tanh(X @ W1.T) @ W2.T + b2 - Y) ** 2)

    grads = jax.grad(loss)([W1, (W2, b2)])
    net = from_jax([W1, (W2, b2)], ["tanh", "identity"], loss="mse", layout="out_in")
    assert [layer.use_bias for layer in net.layers] == [False, True]
    dW, db = grads_of(grads, layout="out_in")
    assert db[0] is None
    report = assert_gradients_match(net, X, Y, dW, db, dtype="float32")
    assert "layer 1: all 20 weights match (biases not compared)" in str(report)


def test_jax_activation_functions_and_their_defaults():
    params = flax_params([3, 4, 2], seed=7)
    X, _ = data(d=3, k=2)
    for fn, name in ((jax.nn.gelu, "gelu_tanh"), (jax.nn.leaky_relu, "leaky_relu"),
                     (jax.nn.silu, "silu"), (jax.nn.softplus, "softplus"),
                     (jax.nn.elu, "elu"), (jax.nn.selu, "selu")):
        net = from_jax(params, [fn, None], loss="mse")
        assert net.layers[0].activation.name == name
        hidden = fn(X @ params["params"]["Dense_0"]["kernel"] + params["params"]["Dense_0"]["bias"])
        assert_forward_match(net, X, [hidden, apply(params, X, [fn, lambda z: z])],
                             dtype="float32")


def test_what_from_jax_cannot_read_is_named():
    params = flax_params([3, 4, 2])
    with pytest.raises(NodenetError, match=r"^from_jax: activations\[0\]: the function "
                                           r"test_what_from_jax_cannot_read_is_named.<locals>."
                                           r"<lambda> \(from test_adapters_jax\) is not a jax.nn "
                                           r"or flax activation nodenet knows"):
        from_jax(params, [lambda z: z, None], loss="mse")
    with pytest.raises(NodenetError, match=r"^from_jax: activations must list one per layer: "
                                           r"expected 2, got 3"):
        from_jax(params, ["relu"] * 3, loss="mse")
    bad = {"params": {"Dense_0": {"kernel": np.ones((3, 4)), "scale": np.ones(4)}}}
    with pytest.raises(NodenetError, match=r"^from_jax: params\['params'\]\['Dense_0'\]: expected "
                                           r"a layer's kernel \(kernel/w/W/weight/weights\) and "
                                           r"optionally its bias \(bias/b\), got the keys"):
        from_jax(bad, ["relu"], loss="mse")
    with pytest.raises(NodenetError, match=r"^layer 2 weights: expected 4 rows in in_out layout, "
                                           r"one per output of layer 1, got 3×2"):
        from_jax([np.ones((3, 4)), np.ones((3, 2))], ["relu", None], loss="mse")
