"""Seed 001's training pitfalls and their remedies, each shown in numbers.

Seed 001 ("Common Pitfalls and Debugging Neural Networks") lists four
symptoms — vanishing gradients, overfitting, dead neurons, exploding
gradients — with a cure for each, and its FAQ explains why weights must not
start at zero.  The CogSci handout (seed 003) notes that δ shrinks on its
way back through sigmoid layers ("vanishing gradients"), that ReLU resists
this, and that training stops after some epochs or at a stopping criterion.
This script makes every one of those claims visible with nodenet's
diagnostics (``train(..., diagnostics=True)``) and remedies (``clip_norm``,
``l2``, ``dropout``, ``patience``, leaky ReLU, random initialization).

Run it with ``python walkthroughs/pitfalls.py`` (about ten seconds).
"""

import math
import random

from tabulate import tabulate

from nodenet import Network, NodenetError
from nodenet.diagnostics import gradient_health
from nodenet.tables import dead_table, health_table

XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]]
XOR_Y = [[0], [1], [1], [0]]


def vanishing():
    """Mean |δ| per layer of a 9-layer network at its start: sigmoid vs ReLU.

    Returns ``{activation: [LayerHealth, …]}`` for one full-batch step
    (η = 0.1) on 32 random 4-input points labelled by the sign of their sum.
    """
    rng = random.Random(0)
    X = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(32)]
    Y = [[1.0 if sum(x) > 0 else 0.0] for x in X]
    out = {}
    for act, init in (("sigmoid", "xavier"), ("relu", "he")):
        net = Network([4] + [8] * 8 + [1], activation=act, output_activation="sigmoid",
                      loss="bce", init=init, seed=1)
        out[act] = gradient_health(net, X, Y, eta=0.1)
    return out


def dead_relu():
    """ReLU vs leaky ReLU (α = 0.1) after 100 online epochs with a too-large η = 0.3.

    Returns ``{name: (net, history)}``; the data are 40 points (x1, x2) with
    target x1² + x2.  With η = 0.01 the same ReLU network keeps every node.
    """
    rng = random.Random(3)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(40)]
    Y = [[x[0] * x[0] + x[1]] for x in X]
    out = {}
    for name, act, eta in (("relu, eta 0.01", "relu", 0.01), ("relu, eta 0.3", "relu", 0.3),
                           ("leaky_relu(0.1), eta 0.3", {"name": "leaky_relu", "alpha": 0.1}, 0.3)):
        net = Network([2, 10, 1], activation=act, output_activation="identity", loss="mse",
                      init="he", seed=4)
        out[name] = (net, net.train(X, Y, 100, eta, diagnostics=True))
    return out


def exploding():
    """A deep linear network started with large weights, full batch, η = 0.1.

    Returns ``(error, clipped_history)``: without clipping training fails with
    a NodenetError whose ``.history`` shows the gradient norm per epoch; with
    ``clip_norm=1`` it converges.
    """
    rng = random.Random(5)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(20)]
    Y = [[0.5 * x[0] - x[1] + 0.25 * x[2]] for x in X]

    def fresh():
        return Network([3, 8, 8, 8, 8, 1], activation="identity", loss="mse",
                       init="uniform", init_bound=0.8, seed=1)
    try:
        fresh().train(X, Y, 60, 0.1, batch_size=20, diagnostics=True)
        error = None
    except NodenetError as err:
        error = err
    clipped = fresh().train(X, Y, 60, 0.1, batch_size=20, diagnostics=True, clip_norm=1.0)
    return error, clipped


def overfitting():
    """12 noisy samples of sin(πx) (noise σ = 0.3), a 16-node tanh layer, 800 epochs.

    Returns ``{remedy: (history, train loss, validation loss)}``, the losses
    those of the network as training left it (early stopping restores its
    best epoch's weights), for
    no remedy, early stopping (patience 100), L2 (λ = 0.03) and dropout
    (p = 0.2); 20 more noisy samples are the validation data.
    """
    rng = random.Random(7)

    def sample(n):
        X = [[rng.uniform(-1, 1)] for _ in range(n)]
        return X, [[math.sin(math.pi * x[0]) + rng.gauss(0, 0.3)] for x in X]
    X, Y = sample(12)
    Xv, Yv = sample(20)
    out = {}
    for name, options in (("none", {}), ("early stopping", {"patience": 100}),
                          ("L2 0.03", {"l2": 0.03}), ("dropout 0.2", {"dropout": 0.2})):
        net = Network([1, 16, 1], activation="tanh", output_activation="identity", loss="mse",
                      init="uniform", init_bound=2, seed=3)
        history = net.train(X, Y, 800, 0.1, batch_size=4, validation_data=(Xv, Yv), **options)
        out[name] = (history, net.loss(X, Y), net.loss(Xv, Yv))
    return out


def symmetry():
    """XOR with a [2, 3, 1] sigmoid network from zero and from Xavier weights.

    Returns ``{init: (net, history, distinct hidden nodes)}``.
    """
    out = {}
    for init in ("zeros", "xavier"):
        net = Network([2, 3, 1], init=init, seed=2)
        history = net.train(XOR_X, XOR_Y, 2000, 0.5, batch_size=4)
        hidden = {tuple(node.weights) + (node.bias,) for node in net.layers[0]}
        out[init] = (net, history, len(hidden))
    return out


def main():
    print("1. Vanishing gradients: mean |δ| per layer, 9 layers, at the start")
    health = vanishing()
    rows = [[s.layer, s.mean_abs_delta, r.mean_abs_delta]
            for s, r in zip(health["sigmoid"], health["relu"])]
    print(tabulate(rows, headers=["layer", "sigmoid", "relu (He init)"], floatfmt=".3g"))
    first_s, first_r = health["sigmoid"][0].mean_abs_delta, health["relu"][0].mean_abs_delta
    print(f"first layer: sigmoid {first_s:.3g}, relu {first_r:.3g}, "
          f"ratio {first_r / first_s:.3g}")
    print("sigmoid, one step with eta 0.1:")
    print(health_table(health["sigmoid"]))

    print("\n2. Dead ReLUs after a too-large learning rate; leaky ReLU keeps learning")
    runs = dead_relu()
    rows = []
    for name, (net, history) in runs.items():
        rows.append([name, len(history.diagnostics[-1].dead), history[-1]])
    print(tabulate(rows, headers=["network", "dead nodes", "final loss"], floatfmt=".4g"))
    net, history = runs["relu, eta 0.3"]
    print("dead nodes of the relu network trained with eta 0.3:")
    print(dead_table(history.diagnostics[-1].dead, net))

    print("\n3. Exploding gradients and clipping (deep linear net, full batch)")
    error, clipped = exploding()
    norms = [e.grad_norm for e in error.history.diagnostics]
    print("gradient norm per epoch without clipping: " + ", ".join(f"{g:.3g}" for g in norms))
    print(f"error: {error}")
    print(f"with clip_norm=1: loss {clipped[0]:.4g} -> {clipped[-1]:.4g} "
          f"after {len(clipped)} epochs, {sum(e.clipped for e in clipped.diagnostics)} "
          "updates clipped")

    print("\n4. Overfitting 12 noisy points; validation loss with each remedy")
    rows = []
    for name, (history, train, val) in overfitting().items():
        rows.append([name, len(history), history.best_epoch, train, val])
    print(tabulate(rows, headers=["remedy", "epochs run", "best epoch", "train loss",
                                  "validation loss"], floatfmt=".4g"))
    print("(the network at the end of training; early stopping restored its best epoch)")

    print("\n5. Zero initialization: every hidden node stays the same (seed 001's FAQ)")
    for init, (net, history, distinct) in symmetry().items():
        print(f"{init}: distinct hidden nodes {distinct}, final loss {history[-1]:.4g}, "
              f"accuracy {history.accuracy[-1]:.2f}")


if __name__ == "__main__":
    main()
