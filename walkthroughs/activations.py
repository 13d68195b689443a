"""Activation functions and their derivatives as tables; δ near 0 and 1; zero-init symmetry.

Seed 000 and seed 002 define step, sigmoid, tanh, ReLU, leaky ReLU and
softmax; the CogSci handout (seed 003) plots the output delta
δ = 2·(label − a)·a·(1 − a) against the output activation a for label 1
(its Figure 5) and asks why δ is small near 0 and 1.  Seed 001 warns that
all-zero weights keep every hidden node identical (the symmetry problem).
This script prints all three as numbers.

Run it with ``python walkthroughs/activations.py``.
"""

import math

from tabulate import tabulate

from nodenet import ACTIVATIONS, LOSSES, Network
from nodenet.losses import output_deltas

ELEMENTWISE = ["step", "identity", "sigmoid", "tanh", "relu", "leaky_relu"]
Z_VALUES = [float(z) for z in range(-5, 6)]
XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]]
XOR_Y = [[0], [1], [1], [0]]


def activation_table(kind):
    """Rows [z, f(z) or f'(z) for each elementwise activation] over z = −5 … 5.

    >>> activation_table("derivative")[5][1:]        # z = 0: step relu leaky_relu give 0, 0, 0.01
    [0.0, 1.0, 0.25, 1.0, 0.0, 0.01]
    """
    rows = []
    for z in Z_VALUES:
        row = [z]
        for name in ELEMENTWISE:
            act = ACTIVATIONS[name]
            a = act.function(z)
            row.append(a if kind == "function" else act.derivative(z, a))
        rows.append(row)
    return rows


def delta_table(label=1.0, steps=10):
    """Rows (a, 2(label − a), a(1 − a), δ) for a = 0, 1/steps, …, 1 (handout Figure 5).

    δ comes from nodenet's own output-delta code for an sse loss and a
    sigmoid output node.
    """
    sse, sigmoid = LOSSES["sse"], ACTIVATIONS["sigmoid"]
    rows = []
    for i in range(steps + 1):
        a = i / steps
        # the net input with σ(z) = a; at the ends one far enough out that σ rounds to 1 or 0
        z = math.log(a / (1 - a)) if 0 < a < 1 else (800.0 if a == 1 else -800.0)
        delta = output_deltas(sse, sigmoid, [label], [z], [a])[0]
        rows.append((a, 2 * (label - a), a * (1 - a), delta))
    return rows


def constant(value):
    """An initializer giving every weight ``value`` (nodenet calls init(rng, n_in, n_out))."""
    def init(rng, n_in, n_out):
        return value
    return init


def symmetry_run(init, epochs=2000, eta=0.5, seed=0):
    """Train a 2-3-1 sigmoid network on XOR from ``init``; return (net, history)."""
    net = Network([2, 3, 1], activation="sigmoid", loss="half_sse", init=init, seed=seed)
    history = net.train(XOR_X, XOR_Y, epochs, eta, batch_size=4, shuffle=False)
    return net, history


def hidden_rows(net):
    """(node, w from x1, w from x2, bias, output-layer weight) for each hidden node."""
    out_weights = net.layers[1][0].weights
    return [(f"h{j + 1}", node.weights[0], node.weights[1], node.bias, out_weights[j])
            for j, node in enumerate(net.layers[0])]


def main():
    print("== Each activation f(z) over z = −5 … 5 ==")
    fmt = [".0f"] + [".6f"] * len(ELEMENTWISE)
    print(tabulate(activation_table("function"), headers=["z"] + ELEMENTWISE, floatfmt=fmt))
    print()
    print("== Their derivatives f'(z) (leaky_relu slope 0.01; step, relu: 0 at z = 0) ==")
    print(tabulate(activation_table("derivative"), headers=["z"] + ELEMENTWISE, floatfmt=fmt))
    print("sigmoid' peaks at 0.25 (z = 0) and is 0.006648 at |z| = 5: the vanishing gradient.")
    print()
    softmax = ACTIVATIONS["softmax"]
    zs = [-1.0, 0.0, 1.0, 2.0]
    print(f"== softmax acts on a whole layer: z = {zs} ==")
    a = softmax.forward(zs)
    print(tabulate([zs, a], floatfmt=".6f", showindex=["z", "softmax(z)"]))
    print(f"sum = {sum(a):.6f}; adding 5 to every z gives the same outputs: "
          f"{[round(v, 6) for v in softmax.forward([z + 5 for z in zs])]}")
    print()

    print("== Handout Figure 5: output δ = 2(1 − a)·a(1 − a) for label 1 ==")
    rows = delta_table()
    print(tabulate(rows, headers=["a", "2(label − a)", "a(1 − a)", "δ"],
                   floatfmt=[".1f", ".6f", ".6f", ".6f"]))
    best = max(rows, key=lambda r: r[3])
    print(f"δ peaks at a = 1/3 (δ = 8/27 = {8 / 27:.6f}; the table's largest is {best[3]:.6f} "
          f"at a = {best[0]:g})")
    print("and falls to 0 at both ends: at a = 0 the loss slope 2(1 − a) is largest, but the")
    print("sigmoid's slope a(1 − a) is 0, so a confidently wrong node learns slowly.")
    print()

    print("== The symmetry problem: 2-3-1 sigmoid on XOR, 2000 full-batch epochs, η = 0.5 ==")
    runs = (("zeros", 'init="zeros"'), (constant(0.5), "every weight 0.5"),
            ("uniform", 'init="uniform" (U(−1, 1)), seed=0'))
    for init, label in runs:
        net, history = symmetry_run(init)
        print(f"-- {label}: loss {history[0]:.6f} after epoch 1 → {history[-1]:.6f} "
              f"after epoch {len(history)}")
        print(tabulate(hidden_rows(net), headers=["hidden", "w from x1", "w from x2", "bias",
                                                  "w to output"], floatfmt=".6f"))
        outputs = [net.predict(x)[0] for x in XOR_X]
        print(f"outputs on {XOR_X}: {[round(v, 4) for v in outputs]}")
        print()
    print("From zeros nothing moves at all: every output is 0.5 and XOR's four errors")
    print("cancel in the batch sum.  From any constant, every hidden node gets the same")
    print("delta and the same update, so the rows change but stay equal: the network is")
    print("no better than one hidden node.  Random starting weights break the tie.")


if __name__ == "__main__":
    main()
