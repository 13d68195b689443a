"""Seed 000's AND gate: one step neuron, then one neuron learning AND, then XOR failing.

Seed 000 ("Neural Networks from Scratch", section "Example: The AND Gate
Problem") picks w = (1, 1) and b = −1.5 for a Heaviside-step neuron, checks
the four corners, derives the decision boundary x1 + x2 = 1.5 and classifies
(0.5, 0) and (1, 0.6).  This script does the same with a nodenet Network,
then lets a single neuron *learn* AND two ways (Rosenblatt's perceptron rule
for the step neuron, and sigmoid + gradient descent with ``net.train``), and
shows with numbers why no single neuron can learn XOR.

Run it with ``python walkthroughs/and_gate.py``.
"""

import itertools
import math

from tabulate import tabulate

from nodenet import Network

CORNERS = [[0, 0], [1, 0], [0, 1], [1, 1]]      # seed 000's order
AND = [0, 0, 0, 1]
XOR = [0, 1, 1, 0]


def seed000_neuron():
    """Seed 000's neuron: step activation, w = (1, 1), b = −1.5.

    >>> seed000_neuron().forward([1, 1])
    [1.0]
    """
    return Network.from_matrices([[[1.0, 1.0]]], biases=[[-1.5]], activations="step")


def perceptron_train(net, X, targets, eta=1.0, max_epochs=20):
    """Rosenblatt's rule on a one-node step network, in place; returns the per-epoch log.

    For each sample in order: forward, error e = y − a, then w_i += η·e·x_i
    and b += η·e.  (With the step's zero derivative, gradient descent would
    never move; this rule skips the derivative.)  Stops after the first epoch
    without a mistake.  Each log row is (epoch, mistakes, w1, w2, b) *after*
    the epoch.
    """
    node = net.layers[0][0]
    log = []
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x, y in zip(X, targets):
            a = net.forward(x)[0]
            error = y - a
            if error:
                mistakes += 1
                for i, xi in enumerate(x):
                    node.weights[i] += eta * error * xi
                node.bias += eta * error
        log.append((epoch, mistakes, *node.weights, node.bias))
        if mistakes == 0:
            break
    return log


def best_step_neuron(targets, grid):
    """The most corners any step neuron with w1, w2, b from ``grid`` gets right.

    >>> best_step_neuron(AND, [-1.5, 1.0])
    4
    """
    best = 0
    for w1, w2, b in itertools.product(grid, repeat=3):
        net = Network.from_matrices([[[w1, w2]]], biases=[[b]], activations="step")
        right = sum(net.forward(x)[0] == y for x, y in zip(CORNERS, targets))
        best = max(best, right)
    return best


def main():
    print("== Seed 000's neuron: step(w1·x1 + w2·x2 + b), w = (1, 1), b = −1.5 ==")
    net = seed000_neuron()
    node = net.layers[0][0]
    print(repr(node))
    rows = []
    for x, y in zip(CORNERS, AND):
        a = net.forward(x)[0]
        rows.append((x[0], x[1], node.net, int(a), "B" if a else "A", y))
    print(tabulate(rows, headers=["x1", "x2", "z = x1 + x2 − 1.5", "y = step(z)", "class", "AND"],
                   floatfmt="g"))
    print()
    w1, w2 = node.weights
    b = node.bias
    print(f"Decision boundary z = 0:  {w1:g}·x1 + {w2:g}·x2 + ({b:g}) = 0,  i.e.  "
          f"x1 + x2 = {-b / w1:g}")
    print(f"It crosses the axes at ({-b / w1:g}, 0) and (0, {-b / w2:g}); "
          "points on or above it are class B (output 1).")
    print()
    rows = []
    for x in ([0.5, 0], [1, 0.6]):
        a = net.forward(x)[0]
        side = "≥" if x[0] + x[1] >= 1.5 else "<"
        rows.append((f"({x[0]:g}, {x[1]:g})", f"{x[0]:g} + {x[1]:g} = {x[0] + x[1]:g} {side} 1.5",
                     round(node.net, 12), int(a), "B" if a else "A"))
    print(tabulate(rows, headers=["point", "x1 + x2", "z", "output", "class"], floatfmt="g"))
    print()

    print("== Learning AND: the perceptron rule, from w = (0, 0), b = 0, η = 1 ==")
    learner = Network.from_matrices([[[0.0, 0.0]]], biases=[[0.0]], activations="step")
    log = perceptron_train(learner, CORNERS, AND)
    print(tabulate(log, headers=["epoch", "mistakes", "w1", "w2", "b"], floatfmt="g"))
    w1, w2 = learner.layers[0][0].weights
    b = learner.layers[0][0].bias
    outputs = [learner.forward(x)[0] for x in CORNERS]
    print(f"Learned w = ({w1:g}, {w2:g}), b = {b:g}: outputs {[int(a) for a in outputs]} "
          f"on {CORNERS}; boundary {w1:g}·x1 + {w2:g}·x2 = {-b:g}.")
    print(f"A different line from seed 000's, just as correct; (1, 1) has z = "
          f"{w1 + w2 + b:g}, and step(0) = 1.")
    print()

    print("== Learning AND: one sigmoid neuron, bce, full-batch gradient descent ==")
    sig = Network([2, 1], activation="sigmoid", loss="bce", init="uniform", seed=0)
    Y = [[y] for y in AND]
    history = sig.train(CORNERS, Y, epochs=2000, eta=2.0, batch_size=4, shuffle=False)
    rows = [(e, history[e - 1]) for e in (1, 10, 100, 500, 1000, 2000)]
    print(tabulate(rows, headers=["epoch", "bce loss"], floatfmt=".6f"))
    node = sig.layers[0][0]
    rows = [(x[0], x[1], sig.predict(x)[0], sig.classify(x), y) for x, y in zip(CORNERS, AND)]
    print(tabulate(rows, headers=["x1", "x2", "output", "class (≥ 0.5)", "AND"], floatfmt=".4f"))
    w1, w2 = node.weights
    print(f"Learned w = ({w1:.4f}, {w2:.4f}), b = {node.bias:.4f}: the output is 0.5 on the "
          f"line x1 + x2 = {-node.bias / w1:.4f} (w1 ≈ w2, so the line is x1 + x2 = −b/w), "
          "close to seed 000's 1.5.")
    print()

    print("== Why one neuron cannot learn XOR ==")
    print("A step neuron would need, for the four corners:")
    print("  (0,0) → 0:  b < 0")
    print("  (1,0) → 1:  w1 + b ≥ 0")
    print("  (0,1) → 1:  w2 + b ≥ 0")
    print("  (1,1) → 0:  w1 + w2 + b < 0")
    print("Adding the middle two gives w1 + w2 + b ≥ −b > 0, against the last line: no")
    print("single line puts (0,1) and (1,0) on one side and (0,0), (1,1) on the other.")
    grid = [v / 2 for v in range(-8, 9)]
    print(f"Checked by brute force over w1, w2, b ∈ {{−4, −3.5, …, 4}} ({len(grid) ** 3} neurons): "
          f"the best gets {best_step_neuron(XOR, grid)} of 4 XOR corners right "
          f"(AND: {best_step_neuron(AND, grid)} of 4).")
    print()
    learner = Network.from_matrices([[[0.0, 0.0]]], biases=[[0.0]], activations="step")
    log = perceptron_train(learner, CORNERS, XOR, max_epochs=8)
    print("The perceptron rule on XOR never has an epoch without mistakes; from epoch 2")
    print("on it ends every epoch on the same weights, a cycle it cannot leave:")
    print(tabulate(log, headers=["epoch", "mistakes", "w1", "w2", "b"], floatfmt="g"))
    print()
    sig = Network([2, 1], activation="sigmoid", loss="bce", init="uniform", seed=0)
    history = sig.train(CORNERS, [[y] for y in XOR], epochs=2000, eta=2.0, batch_size=4,
                        shuffle=False)
    print("One sigmoid neuron trained on XOR the same way as on AND above:")
    rows = [(e, history[e - 1]) for e in (1, 10, 100, 500, 1000, 2000)]
    print(tabulate(rows, headers=["epoch", "bce loss"], floatfmt=".6f"))
    outputs = [sig.predict(x)[0] for x in CORNERS]
    node = sig.layers[0][0]
    print(f"outputs on {CORNERS}: {[round(a, 4) for a in outputs]};  "
          f"w = ({node.weights[0]:.2e}, {node.weights[1]:.2e}), b = {node.bias:.2e}")
    print(f"The loss settles at ln 2 = {math.log(2):.6f} (every output 0.5): the best a single")
    print("neuron can do on XOR is to say 'no idea'.  A hidden layer fixes this "
          "(walkthroughs/xor.py).")


if __name__ == "__main__":
    main()
