"""nodenet as a test oracle for a JAX model, beside jax.test_util.check_grads.

1. A small JAX MLP (3-4-2, tanh, mean squared error, float64) as a list of
   ``(W, b)`` pairs: ``from_jax`` and ``grads_of`` (on what ``jax.grad``
   returns) agree with it.
2. A planted forward bug: a classifier whose softmax runs over the samples
   (axis 0).  ``check_grads`` passes — JAX differentiates the wrong function
   correctly — while nodenet says which layer's activations differ and why.
3. A planted backward bug: a tanh with a custom VJP computing 1 − z² where
   1 − a² belongs.  ``check_grads`` fails with one random projection's
   numbers; nodenet names the layer and the bug.

Needs JAX.  Run ``python walkthroughs/oracle_jax.py`` (it turns on JAX's
float64 mode, so run it in its own process).
"""

try:
    import jax
except ImportError:
    raise SystemExit("oracle_jax.py needs JAX: pip install jax") from None

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp                                            # noqa: E402
import numpy as np                                                 # noqa: E402
from jax.test_util import check_grads                              # noqa: E402

from nodenet.oracle import (assert_gradients_match, compare_forward,  # noqa: E402
                            compare_gradients, from_jax, grads_of)


def params_and_data(n_out=2):
    rng = np.random.default_rng(3)
    params = [(jnp.asarray(rng.normal(size=(3, 4))), jnp.asarray(rng.normal(size=4))),
              (jnp.asarray(rng.normal(size=(4, n_out))), jnp.asarray(rng.normal(size=n_out)))]
    X = jnp.asarray(rng.normal(size=(5, 3)))
    return params, X, rng


def mse(params, X, Y, tanh=jnp.tanh):
    (W1, b1), (W2, b2) = params
    return jnp.mean((tanh(X @ W1 + b1) @ W2 + b2 - Y) ** 2)


def check_model():
    params, X, rng = params_and_data()
    Y = jnp.asarray(rng.normal(size=(5, 2)))
    grads = jax.grad(mse)(params, X, Y)
    net = from_jax(params, [jax.nn.tanh, None], loss="mse")
    report = assert_gradients_match(net, X, Y, *grads_of(grads))
    print(f"1. A JAX MLP as [(W1, b1), (W2, b2)], tanh, mean squared error: {net}")
    print(report)


def forward_with_the_wrong_axis(params, X):
    (W1, b1), (W2, b2) = params
    a1 = jnp.tanh(X @ W1 + b1)
    return a1, jax.nn.softmax(a1 @ W2 + b2, axis=0)      # the bug: axis=0, the samples


def cross_entropy(params, X, Y):
    return -jnp.mean(jnp.sum(Y * jnp.log(forward_with_the_wrong_axis(params, X)[1]), axis=1))


def planted_forward_bug():
    params, X, rng = params_and_data(n_out=3)
    Y = jnp.eye(3)[rng.integers(3, size=5)]
    print("\n2. A classifier whose softmax normalizes over axis 0, the samples:\n")
    print("jax.test_util.check_grads:")
    check_grads(lambda p: cross_entropy(p, X, Y), (params,), order=1, modes=["rev"])
    print("passed (it checks the derivative of the function as written)")
    net = from_jax(params, ["tanh", "softmax"], loss="cross_entropy")
    print("\nnodenet:")
    print(compare_forward(net, X, list(forward_with_the_wrong_axis(params, X))))


@jax.custom_vjp
def tanh_from_z(z):
    return jnp.tanh(z)


def _tanh_forward(z):
    return jnp.tanh(z), z


def _tanh_backward(z, g):
    return (g * (1.0 - z * z),)          # the bug: 1 − z², where 1 − a² belongs


tanh_from_z.defvjp(_tanh_forward, _tanh_backward)


def planted_backward_bug():
    params, X, rng = params_and_data()
    Y = jnp.asarray(rng.normal(size=(5, 2)))
    print("\n3. A tanh with a custom VJP computing 1 − z² where 1 − a² belongs:\n")
    print("jax.test_util.check_grads:")
    try:
        check_grads(lambda p: mse(p, X, Y, tanh_from_z), (params,), order=1, modes=["rev"])
        print("passed")
    except AssertionError as err:
        print(str(err).strip())
    net = from_jax(params, ["tanh", "identity"], loss="mse")
    grads = jax.grad(mse)(params, X, Y, tanh_from_z)
    print("\nnodenet:")
    print(compare_gradients(net, X, Y, *grads_of(grads)))


def main():
    check_model()
    planted_forward_bug()
    planted_backward_bug()


if __name__ == "__main__":
    main()
