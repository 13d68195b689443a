"""Seed 002's multiclass recipe: a 4-layer network with softmax and cross-entropy.

Seed 002 ("Neural Networks from scratch", Aayushmaan Jain) trains a 4-layer
network (input, two hidden layers, output) with ReLU / tanh / leaky ReLU in
the hidden layers, a softmax output layer and one-hot encoded targets.  Its
weight matrices have shape (n[l], n[l−1]), one row per node: nodenet's
"out_in" layout, where node j keeps its incoming weights in a list.

Here a 2-8-8-3 network (ReLU, then tanh, then softmax) learns three
interleaved spirals generated with ``random.Random(seed)``, by mini-batch
gradient descent on the mean categorical cross-entropy
−(1/N)·Σ_n Σ_k y_k·log ŷ_k.  For softmax + cross-entropy the output delta is
simply δ_k = y_k − ŷ_k.

Run it with ``python walkthroughs/multiclass.py`` (a few seconds).
"""

import math
import random

from tabulate import tabulate

from nodenet import Network

CLASSES = 3
HIDDEN = ["relu", "tanh"]          # one activation per hidden layer
EPOCHS = 200
ETA = 0.05
BATCH = 10
MOMENTUM = 0.9


def spirals(n_per_class, n_classes=CLASSES, noise=0.2, seed=0):
    """``(X, labels)``: ``n_classes`` interleaved spiral arms in the unit disc.

    Point i of arm k lies at radius r = i/n and angle 4k + 4r (+ Gaussian
    noise), all drawn from ``random.Random(seed)`` alone.

    >>> X, labels = spirals(2, seed=1)
    >>> len(X), labels
    (6, [0, 0, 1, 1, 2, 2])
    """
    rng = random.Random(seed)
    X, labels = [], []
    for k in range(n_classes):
        for i in range(n_per_class):
            r = i / n_per_class
            t = 4.0 * k + 4.0 * r + rng.gauss(0.0, noise)
            X.append([r * math.sin(t), r * math.cos(t)])
            labels.append(k)
    return X, labels


def one_hot(labels, n_classes=CLASSES):
    """Each label k as a vector with 1 at position k, e.g. 2 → [0, 0, 1]."""
    return [[1.0 if k == label else 0.0 for k in range(n_classes)] for label in labels]


def confusion(net, X, labels, n_classes=CLASSES):
    """counts[true][predicted] over the samples."""
    counts = [[0] * n_classes for _ in range(n_classes)]
    for x, label in zip(X, labels):
        counts[label][net.classify(x)] += 1
    return counts


def accuracy(counts):
    return sum(counts[k][k] for k in range(len(counts))) / sum(map(sum, counts))


def confusion_table(counts, tablefmt="simple"):
    """The confusion matrix as a table string: one row per true class."""
    n = len(counts)
    rows = [[f"true {k}"] + counts[k] + [sum(counts[k])] for k in range(n)]
    return tabulate(rows, headers=[""] + [f"pred {k}" for k in range(n)] + ["total"],
                    tablefmt=tablefmt)


def build(hidden=HIDDEN, seed=0):
    """A 2-8-8-3 network: ``hidden`` lists the two hidden layers' activations."""
    return Network([2, 8, 8, CLASSES], activation=list(hidden), output_activation="softmax",
                   loss="cross_entropy", init="xavier", seed=seed)


def fit(net, X, labels):
    """Seed 002's training loop in nodenet: one-hot targets, mini-batches, momentum."""
    return net.train(X, one_hot(labels), EPOCHS, ETA, batch_size=BATCH, momentum=MOMENTUM)


def main():
    X, labels = spirals(40, seed=1)
    X_test, labels_test = spirals(40, seed=2)
    Y = one_hot(labels)
    net = build(seed=0)
    print(f"{net!r}: {net.n_params} parameters; {len(X)} training points "
          f"(spirals, random.Random(1)), {len(X_test)} test points (random.Random(2))")
    print(f"one-hot targets, e.g. label {labels[0]} → {Y[0]}, label {labels[-1]} → {Y[-1]}")
    print(f"training: {EPOCHS} epochs, batches of {BATCH} shuffled by net.rng, "
          f"η = {ETA}, momentum {MOMENTUM}")
    print()
    history = fit(net, X, labels)
    rows = [(e, history[e - 1]) for e in (1, 10, 50, 100, 150, 200) if e <= len(history)]
    print(tabulate(rows, headers=["epoch", "cross-entropy"], floatfmt=".6f"))
    print()
    x = X_test[7]
    probs = net.predict(x)
    print(f"test point {[round(v, 4) for v in x]} (class {labels_test[7]}): softmax outputs "
          f"{[round(p, 4) for p in probs]} (sum {sum(probs):.6f}) → class {net.classify(x)}")
    print()
    for name, data, truth in (("training", X, labels), ("test", X_test, labels_test)):
        counts = confusion(net, data, truth)
        print(f"{name} accuracy: {accuracy(counts):.4f}")
        print(confusion_table(counts))
        print()

    print("Other hidden activations, same data, seed, epochs and η:")
    rows = []
    for hidden in (["leaky_relu", "leaky_relu"], ["tanh", "tanh"]):
        other = build(hidden)
        history = fit(other, X, labels)
        rows.append((" → ".join(hidden), history[-1],
                     accuracy(confusion(other, X, labels)),
                     accuracy(confusion(other, X_test, labels_test))))
    print(tabulate(rows, headers=["hidden layers", "final loss", "train acc", "test acc"],
                   floatfmt=".4f"))


if __name__ == "__main__":
    main()
