"""Seed 001's XOR training run, node by node, and the same network with biases.

Seed 001 ("How to Build a Neural Network from Scratch in Python") trains a
2-2-1 sigmoid network with no biases on XOR::

    np.random.seed(42)
    weights_input_hidden = np.random.uniform(size=(2, 2))
    weights_hidden_output = np.random.uniform(size=(2, 1))
    for epoch in range(10000):
        ...
        d_output = (y - output) * output * (1 - output)
        weights_hidden_output += hidden_output.T.dot(d_output) * 0.1
        weights_input_hidden += X.T.dot(d_hidden) * 0.1

In nodenet terms that is ``loss="half_sse"`` (whose δ is (y − a)·a(1 − a)),
``bias=False``, η = 0.1 and one full-batch update per epoch
(``batch_size=4, shuffle=False``): the four samples' changes are summed, as
``X.T.dot(...)`` sums them.  The seed's matrices use the ``X·W`` ("in_out")
layout; the starting weights below are what ``np.random.seed(42)`` gives,
written out so that this script needs no NumPy.

Run it with ``python walkthroughs/xor.py``.
"""

from tabulate import tabulate

from nodenet import Network

X = [[0, 0], [0, 1], [1, 0], [1, 1]]
Y = [[0], [1], [1], [0]]

# np.random.seed(42); np.random.uniform(size=(2, 2)); np.random.uniform(size=(2, 1))
SEED001_W1 = [[0.37454012, 0.95071431],
              [0.73199394, 0.59865848]]      # row i = input i, column j = hidden node j
SEED001_W2 = [[0.15601864],
              [0.15599452]]                  # row j = hidden node j
ETA = 0.1
EPOCHS = 10000
CHECKPOINTS = (1, 10, 100, 1000, 2000, 5000, 10000)
BIAS_SEED = 0


def seed001_network():
    """The 2-2-1 sigmoid network of seed 001 with its starting weights, no biases.

    >>> net = seed001_network()
    >>> net.to_matrices("in_out")[0][1]
    [[0.15601864], [0.15599452]]
    """
    return Network.from_matrices([SEED001_W1, SEED001_W2], activations="sigmoid",
                                 loss="half_sse", layout="in_out", bias=False)


def train_full_batch(net, epochs=EPOCHS, eta=ETA):
    """Seed 001's loop: one summed update over all four samples per epoch."""
    return net.train(X, Y, epochs, eta, batch_size=len(X), shuffle=False)


def biased_network(seed=BIAS_SEED):
    """The same 2-2-1 shape with biases, weights drawn from U(−1, 1) by ``random.Random(seed)``."""
    return Network([2, 2, 1], activation="sigmoid", loss="half_sse", init="uniform", seed=seed)


def fmt(x):
    return f"{x:.8f}"


def report(net, history):
    """Loss at the checkpoints, then the outputs and classes for the four inputs."""
    rows = [(e, history[e - 1]) for e in CHECKPOINTS if e <= len(history)]
    print(tabulate(rows, headers=["epoch", "loss ½·Σ(y − ŷ)² after it"], floatfmt=".8f"))
    print()
    rows = []
    for x, y in zip(X, Y):
        out = net.predict(x)[0]
        hidden = net.layers[0].outputs
        rows.append((x[0], x[1], hidden[0], hidden[1], out, net.classify(x), y[0]))
    print(tabulate(rows, headers=["x1", "x2", "h1", "h2", "output", "class (≥ 0.5)", "target"],
                   floatfmt=".8f"))


def show(values):
    """A nested list of floats written with 8 decimals, e.g. [[0.1, 2.0]] → [[0.10000000, 2.00000000]]."""
    if isinstance(values, list):
        return "[" + ", ".join(show(v) for v in values) + "]"
    return fmt(values)


def print_weights(net):
    weights, biases = net.to_matrices("in_out")
    print(f"weights_input_hidden  = {show(weights[0])}")
    print(f"weights_hidden_output = {show(weights[1])}")
    if net.layers[0].use_bias:
        print(f"hidden biases         = {show(biases[0])}")
        print(f"output bias           = {show(biases[1])}")


def main():
    print("== Seed 001: 2-2-1 sigmoid, no biases, η = 0.1, 10000 full-batch epochs ==")
    net = seed001_network()
    print(f"{net!r}, starting weights (in_out layout, as seed 001 prints them):")
    print_weights(net)
    before = net.loss(X, Y)
    print(f"loss before training: {fmt(before)}")
    print()
    history = train_full_batch(net)
    report(net, history)
    print()
    print("learned weights:")
    print_weights(net)
    correct = sum(net.classify(x) == y[0] for x, y in zip(X, Y))
    outputs = [net.predict(x)[0] for x in X]
    worst = max(abs(y[0] - o) for y, o in zip(Y, outputs))
    print()
    print(f"After {len(history)} epochs the loss is {fmt(history[-1])}: {correct} of 4 inputs "
          f"land on the right side of 0.5, but the outputs are still far from 0 and 1 "
          f"(largest |y − ŷ| = {worst:.4f}).")
    v = [row[0] for row in net.to_matrices("in_out")[0][1]]
    print(f"Without biases, input (0, 0) gives both hidden nodes net 0 and output 0.5 "
          f"whatever W1 is, so its output is σ(0.5·(v1 + v2)) = σ(0.5·({v[0]:.4f} + {v[1]:.4f})) "
          f"= {outputs[0]:.4f}: only the output weights can pull it towards 0, and they "
          f"also set every other output.  Training is slow, not stuck: the loss still falls.")
    print()

    print(f"== The same shape WITH biases: weights U(−1, 1) from random.Random({BIAS_SEED}), "
          "biases starting at 0, same η and epochs ==")
    net = biased_network()
    print(f"{net!r}, starting weights:")
    print_weights(net)
    print()
    history = train_full_batch(net)
    report(net, history)
    print()
    print("learned weights:")
    print_weights(net)
    print()
    print("What the hidden nodes compute (outputs rounded to 0/1):")
    for j in range(2):
        bits = []
        for x in X:
            net.forward(x)
            bits.append(round(net.layers[0][j].output))
        print(f"  h{j + 1} on (0,0) (0,1) (1,0) (1,1): {bits} = {_name(bits)}")
    bits = [net.classify(x) for x in X]
    print(f"  output                          : {bits} = {_name(bits)}")


_GATES = {(0, 1, 1, 1): "OR", (0, 0, 0, 1): "AND", (1, 1, 1, 0): "NAND", (1, 0, 0, 0): "NOR",
          (0, 1, 1, 0): "XOR", (1, 0, 0, 1): "XNOR"}


def _name(bits):
    return _GATES.get(tuple(bits), "another function")


if __name__ == "__main__":
    main()
