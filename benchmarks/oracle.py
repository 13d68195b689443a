"""Time the oracle against nodenet's own gradients: does checking cost what computing costs?

For each network (tanh hidden layers, a sigmoid output, ``mse``, one sample,
float64) the contenders, in turns within every round:

``gradients``        ``net.gradients(X, Y)``: the reference, 1.0 by definition;
``compare``          ``compare_gradients`` on a float64 client's gradients as nested
                     lists (nodenet's own, each entry moved by about 1e-16 relative,
                     so nothing is bit-identical);
``compare numpy``    the same as NumPy float64 arrays (if NumPy is installed);
``compare torch32``  the float32 rounding of the same as torch tensors, with
                     ``dtype="float32"`` (if PyTorch is installed);
``from_matrices``    ``Network.from_matrices`` from nested lists of the weights;
``from_torch``       ``from_torch`` on a float32 ``nn.Sequential`` (if PyTorch is installed).

Each measurement runs its call in 5 batches of at least 0.04 s of CPU time
each (``time.process_time``, so other jobs on a busy machine count only
through the caches and memory they share) and keeps the fastest batch's
time per call; the report gives, per contender, the median over rounds of
that time and of its ratio to ``gradients`` in the same round.

The targets (issue 12): ``compare`` at most 1.5× ``gradients`` at both sizes,
and ``from_matrices`` / ``from_torch`` for [3072, 256, 256, 10] at most 1×.

Run:  python benchmarks/oracle.py            (about half a minute on CPython)
      python benchmarks/oracle.py --quick    (a short, noisier run)
      pypy3 benchmarks/oracle.py             (lists only: no NumPy or torch there)
"""

import argparse
import random
import statistics
import sys
import time

from tabulate import tabulate

import step as step_benchmark      # this folder's step.py (the script's folder is on sys.path)
from nodenet import Network
from nodenet.oracle import compare_gradients, from_torch

try:
    import numpy
except ImportError:
    numpy = None
try:
    import torch
except ImportError:
    torch = None

SIZES = ([784, 100, 10], [3072, 256, 256, 10])
TARGETS = {"compare": 1.5, "compare numpy": 1.5, "compare torch32": 1.5,
           "from_matrices": 1.0, "from_torch": 1.0}


def case(sizes, seed=1):
    """A network, one sample, and a client's gradients in every form the contenders read."""
    rng = random.Random(seed)
    net = Network(sizes, activation="tanh", output_activation="sigmoid", loss="mse",
                  seed=seed)
    X = [[rng.uniform(-1.0, 1.0) for _ in range(sizes[0])]]
    Y = [[rng.uniform(0.1, 0.9) for _ in range(sizes[-1])]]
    dW, db = net.gradients(X, Y)
    wobble = 1.0 + 2.0 ** -52            # a float64 client's last-bit differences
    dW = [[[g * wobble if i % 2 else g for i, g in enumerate(row)] for row in m] for m in dW]
    db = [[g * wobble for g in b] for b in db]
    weights, biases = net.to_matrices("out_in")
    work = {
        "gradients": lambda: net.gradients(X, Y),
        "compare": lambda: _ok(compare_gradients(net, X, Y, dW, db)),
        "from_matrices": lambda: Network.from_matrices(weights, biases, "tanh", loss="mse"),
    }
    if numpy is not None:
        dWn, dbn = [numpy.array(m) for m in dW], [numpy.array(b) for b in db]
        work["compare numpy"] = lambda: _ok(compare_gradients(net, X, Y, dWn, dbn))
    if torch is not None:
        dWt = [torch.tensor(m, dtype=torch.float32) for m in dW]
        dbt = [torch.tensor(b, dtype=torch.float32) for b in db]
        work["compare torch32"] = lambda: _ok(compare_gradients(net, X, Y, dWt, dbt,
                                                                dtype="float32"))
        model = torch.nn.Sequential(*[m for a, b in zip(sizes, sizes[1:])
                                      for m in (torch.nn.Linear(a, b), torch.nn.Tanh())])
        work["from_torch"] = lambda: from_torch(model, loss="mse")
    return work


def _ok(report):
    if not report.ok:                   # a benchmark of a failing comparison measures nothing
        raise AssertionError(str(report))
    return report


def timed(f, least=0.2, batches=5):
    """CPU seconds per call: the fastest of ``batches`` batches, each of as many calls as
    take ``least``/``batches`` seconds (the fastest is the least disturbed by other work)."""
    f()                                 # warm up
    best = float("inf")
    for _ in range(batches):
        calls, start = 0, time.process_time()
        while True:
            f()
            calls += 1
            spent = time.process_time() - start
            if spent >= least / batches:
                break
        best = min(best, spent / calls)
    return best


def machine():
    """The CPU, the interpreter and nodenet (as benchmarks/step.py says them), then NumPy and torch."""
    versions = [step_benchmark.machine()]
    if numpy is not None:
        versions.append(f"NumPy {numpy.__version__}")
    if torch is not None:
        versions.append(f"torch {torch.__version__}")
    return ", ".join(versions)


def measure(rounds, least):
    """{sizes: {contender: ([seconds per round], [ratio per round])}}."""
    results = {}
    for sizes in SIZES:
        work = case(sizes)
        runs = {name: ([], []) for name in work}
        for _ in range(rounds):
            base = timed(work["gradients"], least)
            runs["gradients"][0].append(base)
            runs["gradients"][1].append(1.0)
            for name, f in work.items():
                if name != "gradients":
                    t = timed(f, least)
                    runs[name][0].append(t)
                    runs[name][1].append(t / base)
        results[tuple(sizes)] = runs
    return results


def report(results, rounds):
    names = list(next(iter(results.values())))
    rows = []
    for sizes, runs in results.items():
        row = [str(list(sizes)), sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))]
        for name in names:
            seconds, ratios = runs.get(name, ([], []))
            if not seconds:
                row.append("—")
                continue
            ms = statistics.median(seconds) * 1e3
            text = f"{ms:.1f}" if name == "gradients" else \
                f"{ms:.1f} ({statistics.median(ratios):.2f})"
            row.append(text)
        rows.append(row)
    lines = [f"{machine()}; {rounds} rounds; median ms (median ratio to gradients)", "",
             tabulate(rows, ["sizes", "params"] + names, disable_numparse=True), ""]
    for sizes, runs in results.items():
        for name, target in TARGETS.items():
            if name not in runs or (name.startswith("from") and sizes != tuple(SIZES[-1])):
                continue
            ratio = statistics.median(runs[name][1])
            verdict = "met" if ratio <= target else "MISSED"
            lines.append(f"{list(sizes)} {name}: {ratio:.2f}× gradients, target ≤ {target:g}×: "
                         f"{verdict}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 short rounds")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    rounds, least = (3, 0.05) if args.quick else (args.rounds, 0.2)
    print(report(measure(rounds, least), rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
