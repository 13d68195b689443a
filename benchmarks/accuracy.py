"""nodenet's float64 gradients measured against the exact reference (nodenet.exact).

For every output activation × loss pairing (with the hidden activations in
turn), on ordinary random networks and on saturated ones (net inputs up to
|z| ≈ 40 for sigmoid and tanh, logits up to ≈ 60 for softmax), this computes
``net.gradients`` in float64 and the true gradient at 40 digits, and reports
the error of each layer's weight-and-bias gradient relative to the largest
entry of that layer's gradient — a measure that stays honest where an entry
is near zero.  The worst error over all layers, networks and seeds is what
the README's accuracy table states.

Run:  python benchmarks/accuracy.py            (a minute or two; needs mpmath)
      python benchmarks/accuracy.py --quick
"""

import argparse
import platform
import random
import sys
import warnings

from tabulate import tabulate

import nodenet
from nodenet import LOSSES, Network, exact

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "gelu", "gelu_tanh", "silu", "softplus",
          "elu", "selu", "identity"]
# the output activations each loss is meant for (and a few it is not, for squared losses)
OUTPUTS = {
    "sse": ["identity", "sigmoid", "tanh", "softmax", "gelu", "softplus", "log_softmax"],
    "half_sse": ["identity", "sigmoid", "tanh"],
    "mse": ["identity", "sigmoid", "tanh", "softmax", "silu", "elu"],
    "bce": ["sigmoid", "softmax"],
    "cross_entropy": ["softmax"],
    "bce_with_logits": ["identity"],
    "cross_entropy_with_logits": ["identity"],
    "nll": ["log_softmax"],
    "l1": ["identity", "tanh"],
    "huber": ["identity", "sigmoid"],
    "smooth_l1": ["identity", "selu"],
}


def targets(loss, rng, n, k):
    kind = LOSSES[loss].kind
    if kind.targets == "classes" or (kind.targets == "either" and rng.random() < 0.5):
        return [rng.randrange(k) for _ in range(n)]
    if kind.check is not None:              # [0, 1] or a distribution
        if loss in ("cross_entropy", "cross_entropy_with_logits"):
            rows = []
            for _ in range(n):
                w = [rng.random() for _ in range(k)]
                rows.append([v / sum(w) for v in w])
            return rows
        return [[rng.choice([0.0, 1.0, rng.random()]) for _ in range(k)] for _ in range(n)]
    return [[rng.uniform(-1.0, 1.0) for _ in range(k)] for _ in range(n)]


def network(hidden, out, loss, rng, scale):
    """A 3-4-3 network; ``scale`` multiplies the weights (large: saturated nodes)."""
    sizes = [3, 4, 3]
    weights = [[[scale * rng.uniform(-1, 1) for _ in range(a)] for _ in range(b)]
               for a, b in zip(sizes, sizes[1:])]
    biases = [[scale * rng.uniform(-0.5, 0.5) for _ in range(b)] for b in sizes[1:]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Network.from_matrices(weights, biases, [hidden, out], loss=loss)


def layer_errors(net, X, Y, digits=40):
    """Per layer: max |float − true| over weights and biases / max |true|."""
    dW, db = net.gradients(X, Y)
    true = exact.gradients(net, X, Y, digits=digits)
    errors = []
    for l in range(len(dW)):
        got = [v for row in dW[l] for v in row] + list(db[l])
        want = [float(v) for row in true.dW[l] for v in row] + [float(v) for v in true.db[l]]
        top = max(map(abs, want))
        if top == 0.0:
            errors.append(max(map(abs, got)))
            continue
        errors.append(max(abs(g - w) for g, w in zip(got, want)) / top)
    return errors


def measure(seeds, scales):
    """{(loss, output): {scale: worst error}} over hidden activations and seeds."""
    table = {}
    for loss, outputs in OUTPUTS.items():
        for out in outputs:
            worst = {}
            for scale in scales:
                for seed in range(seeds):
                    rng = random.Random(f"{loss} {out} {scale} {seed}")
                    hidden = HIDDEN[seed % len(HIDDEN)]
                    net = network(hidden, out, loss, rng, scale)
                    X = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(4)]
                    Y = targets(loss, rng, 4, 3)
                    try:
                        err = max(layer_errors(net, X, Y))
                    except nodenet.NodenetError:        # an overflow nodenet refuses
                        continue
                    worst[scale] = max(worst.get(scale, 0.0), err)
            table[(loss, out)] = worst
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 seeds instead of 12")
    args = parser.parse_args(argv)
    seeds = 3 if args.quick else 12
    scales = (1.0, 12.0)
    table = measure(seeds, scales)
    rows = [[loss, out] + [f"{worst.get(s, float('nan')):.1e}" for s in scales]
            for (loss, out), worst in table.items()]
    print(f"nodenet {nodenet.__version__}, Python {platform.python_version()} "
          f"({platform.python_implementation()}), {seeds} seeds per cell, hidden activations "
          f"in turn: {', '.join(HIDDEN)}")
    print(tabulate(rows, headers=["loss", "output", "random (|w| ≤ 1)",
                                  "saturated (|w| ≤ 12)"], tablefmt="github"))
    overall = max(v for worst in table.values() for v in worst.values())
    print(f"\nworst error relative to the largest entry of its layer's gradient: {overall:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
