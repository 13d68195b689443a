"""Time one per-sample SGD step of nodenet against a pure-Python floor and peers.

One step = forward one sample, backward, update, on fully connected networks
with tanh hidden layers, a sigmoid output and the ``sse`` loss, in float64.
The contenders:

``floor``      a minimal hand-written step in this file: lists of lists, no
               object per node, ``sum(map(mul, row, a), b)`` forward, tight
               index loops backward and update.  Its gradients are checked
               against finite differences before anything is timed, and its
               weights after a few steps are compared with nodenet's: bit for
               bit up to Python 3.11 (from 3.12, ``sum()`` is compensated).
``nodenet``    the public ``net.step(x, y, eta)`` (validates x and y, returns
               the loss before the step).
``nodenet-train``  the per-sample path ``train(batch_size=1)`` uses on data
               it has already validated (``net.sgd_step``).
``micrograd``  scalar autograd (optional, ``pip install nodenet[bench]``).
``numpy``      a per-sample NumPy step (optional).

The implementations take turns within every round (the machine's speed
drifts), each round's time is a median over repeats, and the report gives
the median over rounds of each one's ratio to the floor.

Run:  python benchmarks/step.py            (about two minutes)
      python benchmarks/step.py --quick    (a few seconds)
"""

import argparse
import gc
import math
import platform
import random
import statistics
import sys
import time
import tracemalloc
from operator import mul

from tabulate import tabulate

import nodenet

SIZES = ([2, 4, 1], [4, 16, 16, 3], [16, 32, 32, 1], [64, 64, 10])
ETA = 0.01


def n_params(sizes):
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))


def data(sizes, n=8, seed=1):
    """``n`` samples: inputs in [−1, 1], targets in [0.1, 0.9]."""
    rng = random.Random(seed)
    X = [[rng.uniform(-1.0, 1.0) for _ in range(sizes[0])] for _ in range(n)]
    Y = [[rng.uniform(0.1, 0.9) for _ in range(sizes[-1])] for _ in range(n)]
    return X, Y


def make_nodenet(sizes, seed=0):
    return nodenet.Network(sizes, activation="tanh", output_activation="sigmoid",
                           loss="sse", seed=seed)


# -- the floor: plain lists, tight loops -------------------------------------

def _sigmoid(z):
    # the same two-branch form as nodenet's, so the numbers can be compared
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class Floor:
    """Weights as lists of rows W[l][k][j] (out_in), biases B[l][k]."""

    def __init__(self, W, B):
        self.W = [[list(row) for row in m] for m in W]
        self.B = [list(b) for b in B]

    def forward(self, x):
        acts = [x]
        a = x
        last = len(self.W) - 1
        tanh = math.tanh
        for l, (W, B) in enumerate(zip(self.W, self.B)):
            z = [sum(map(mul, row, a), b) for row, b in zip(W, B)]
            a = [_sigmoid(v) for v in z] if l == last else [tanh(v) for v in z]
            acts.append(a)
        return acts

    def loss(self, x, y):
        out = self.forward(x)[-1]
        return sum((t - o) ** 2 for t, o in zip(y, out))

    def step(self, x, y, eta):
        acts = self.forward(x)
        out = acts[-1]
        # δ = −∂L/∂z for sse + sigmoid: 2(y − a)·a(1 − a)
        d = [2.0 * (t - o) * (o * (1.0 - o)) for t, o in zip(y, out)]
        for l in range(len(self.W) - 1, -1, -1):
            W, B, a = self.W[l], self.B[l], acts[l]
            n = len(a)
            e = [0.0] * n if l else None
            for k in range(len(W)):
                row, dk = W[k], d[k]
                c = eta * dk
                if l:
                    for j in range(n):           # e_j += w_kj·δ_k from the old weight,
                        e[j] += row[j] * dk      # then the weight's update
                        row[j] += c * a[j]
                else:
                    for j in range(n):
                        row[j] += c * a[j]
                B[k] += c
            if l:
                d = [ej * (1.0 - aj * aj) for ej, aj in zip(e, a)]     # tanh'


def floor_from(net):
    W, B = net.to_matrices()
    return Floor(W, B)


def check_floor(h=1e-6, tol=1e-6):
    """Finite differences vs the floor's step; returns the largest relative error."""
    worst = 0.0
    for sizes in ([2, 4, 1], [3, 5, 4, 2]):
        X, Y = data(sizes, 1, seed=7)
        x, y = X[0], Y[0]
        base = floor_from(make_nodenet(sizes, seed=3))
        eta = 1e-3
        stepped = Floor(base.W, base.B)
        stepped.step(x, y, eta)
        for l in range(len(base.W)):
            for k in range(len(base.W[l])):
                params = [("W", j) for j in range(len(base.W[l][k]))] + [("B", None)]
                for kind, j in params:
                    def loss_at(delta):
                        probe = Floor(base.W, base.B)
                        if kind == "W":
                            probe.W[l][k][j] += delta
                        else:
                            probe.B[l][k] += delta
                        return probe.loss(x, y)
                    numeric = (loss_at(h) - loss_at(-h)) / (2 * h)
                    if kind == "W":
                        change = stepped.W[l][k][j] - base.W[l][k][j]
                    else:
                        change = stepped.B[l][k] - base.B[l][k]
                    analytic = -change / eta          # Δw = −η·∂L/∂w
                    err = abs(numeric - analytic) / max(1e-8, abs(numeric) + abs(analytic))
                    worst = max(worst, err)
    if worst > tol:
        raise AssertionError(f"floor gradients disagree with finite differences: {worst:.3g}")
    return worst


def check_same_numbers(steps=20):
    """Largest relative difference between nodenet's and the floor's weights after ``steps`` steps.

    0.0 on CPython ≤ 3.11, where ``sum()`` adds floats left to right just as
    the floor's ``e[j] += …`` loop does: the numbers are bit-identical.  From
    3.12, ``sum()`` of floats is compensated (more accurate), so nodenet's
    e_j = Σ_k w_kj·δ_k may differ from the floor's in the last bits.
    """
    worst = 0.0
    for sizes in SIZES:
        X, Y = data(sizes)
        net = make_nodenet(sizes)
        floor = floor_from(net)
        for s in range(steps):
            x, y = X[s % len(X)], Y[s % len(Y)]
            net.step(x, y, ETA)
            floor.step(x, y, ETA)
        W, B = net.to_matrices()
        ours = [w for m in W for row in m for w in row] + [b for bs in B for b in bs]
        theirs = [w for m in floor.W for row in m for w in row] + [b for bs in floor.B for b in bs]
        for a, b in zip(ours, theirs):
            if a != b:
                worst = max(worst, abs(a - b) / max(abs(a), abs(b)))
    return worst


# -- peers ---------------------------------------------------------------------

def make_micrograd(net):
    try:
        from micrograd.engine import Value
    except ImportError:
        return None

    W, B = net.to_matrices()
    W = [[[Value(w) for w in row] for row in m] for m in W]
    B = [[Value(b) for b in bs] for bs in B]
    params = [p for m in W for row in m for p in row] + [p for bs in B for p in bs]
    last = len(W) - 1

    def step(x, y, eta):
        a = x
        for l, (m, bs) in enumerate(zip(W, B)):
            z = [sum((w * ai for w, ai in zip(row, a)), b) for row, b in zip(m, bs)]
            if l == last:
                a = [(1.0 + (-v).exp()) ** -1 for v in z]
            else:
                a = [_mg_tanh(v) for v in z]
        loss = sum(((o - t) ** 2 for o, t in zip(a, y)), Value(0.0))
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= eta * p.grad

    return step


def _mg_exp(v):
    """exp for micrograd 0.1.0's Value, which has none built in."""
    from micrograd.engine import Value
    out = Value(math.exp(v.data), (v,), "exp")

    def _backward():
        v.grad += out.data * out.grad
    out._backward = _backward
    return out


def _mg_tanh(v):
    from micrograd.engine import Value
    t = math.tanh(v.data)
    out = Value(t, (v,), "tanh")

    def _backward():
        v.grad += (1.0 - t * t) * out.grad
    out._backward = _backward
    return out


def _patch_micrograd():
    try:
        from micrograd.engine import Value
    except ImportError:
        return False
    if not hasattr(Value, "exp"):
        Value.exp = _mg_exp
    return True


def make_numpy(net):
    try:
        import numpy as np
    except ImportError:
        return None
    W, B = net.to_matrices()
    W = [np.array(m, dtype=np.float64) for m in W]
    B = [np.array(b, dtype=np.float64) for b in B]
    last = len(W) - 1

    def step(x, y, eta):
        a = np.asarray(x, dtype=np.float64)
        acts = [a]
        for l in range(len(W)):
            z = W[l] @ a + B[l]
            a = 1.0 / (1.0 + np.exp(-z)) if l == last else np.tanh(z)
            acts.append(a)
        d = 2.0 * (np.asarray(y) - a) * a * (1.0 - a)
        for l in range(last, -1, -1):
            below = acts[l]
            e = W[l].T @ d if l else None
            W[l] += eta * np.outer(d, below)
            B[l] += eta * d
            if l:
                d = e * (1.0 - below * below)

    return step


def contenders(sizes):
    """name → step(x, y, eta), each on its own copy of the same initial weights."""
    base = make_nodenet(sizes)
    out = {}
    floor = floor_from(base)
    out["floor"] = floor.step
    net = base.copy()
    out["nodenet"] = net.step
    net2 = base.copy()
    if hasattr(net2, "sgd_step"):
        out["nodenet-train"] = net2.sgd_step
    else:                       # the same work as train(batch_size=1) did before
        def internal(x, y, eta, net=net2):
            net.feedforward(x)
            net.backprop(y)
            for l in range(len(net.layers)):
                net._update_layer(l, eta)
        out["nodenet-train"] = internal
    if _patch_micrograd():
        out["micrograd"] = make_micrograd(base)
    np_step = make_numpy(base)
    if np_step is not None:
        out["numpy"] = np_step
    return out


# -- timing ----------------------------------------------------------------------

# CPU time of this process: other processes on a busy machine do not count
clock = time.process_time


def time_per_step(step, X, Y, target_s):
    """Median seconds per step over a few batches lasting about ``target_s`` in all."""
    n = len(X)
    t0 = clock()
    step(X[0], Y[0], ETA)
    once = max(clock() - t0, 1e-7)
    reps = 5
    inner = max(1, int(target_s / reps / once))
    times = []
    for r in range(reps):
        t0 = clock()
        for i in range(inner):
            step(X[i % n], Y[i % n], ETA)
        times.append((clock() - t0) / inner)
    return statistics.median(times)


def run_rounds(rounds, target_s, names=None):
    """{size: {name: [seconds per step, one per round]}}."""
    results = {}
    for sizes in SIZES:
        X, Y = data(sizes)
        steps = contenders(sizes)
        if names:
            steps = {k: v for k, v in steps.items() if k in names or k == "floor"}
        per = {name: [] for name in steps}
        order = list(steps)
        for r in range(rounds):
            order = order[1:] + order[:1]            # rotate who goes first
            for name in order:
                budget = target_s if name != "micrograd" else min(target_s, 0.3)
                gc.collect()
                per[name].append(time_per_step(steps[name], X, Y, budget))
        results[tuple(sizes)] = per
    return results


def slope(points):
    """Least-squares slope and intercept of (x, y) points."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    b = sxy / sxx
    return b, my - b * mx


# -- memory ----------------------------------------------------------------------

def step_memory(sizes, name, steps=1000):
    """(peak bytes in one step, growth over ``steps`` steps, peak over them).

    Tracing starts before the model is built, so that a weight's old float,
    freed when the update replaces it, is counted as freed; ``steps`` warm-up
    steps come first, so one-time allocations are not counted as growth.
    """
    X, Y = data(sizes)
    n = len(X)
    gc.collect()
    tracemalloc.start()
    try:
        step = contenders(sizes)[name]
        for i in range(steps):
            step(X[i % n], Y[i % n], ETA)
        gc.collect()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        step(X[0], Y[0], ETA)
        one = tracemalloc.get_traced_memory()[1] - base
        gc.collect()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        for i in range(steps):
            step(X[i % n], Y[i % n], ETA)
        gc.collect()
        now, peak = tracemalloc.get_traced_memory()
        return one, now - base, peak - base
    finally:
        tracemalloc.stop()


_SHARED = (type, type(math), type(len), type(_sigmoid), random.Random,
           nodenet.Activation, nodenet.losses.Loss)


def deep_size(obj, seen=None):
    """Bytes held by ``obj`` and everything it references (shared objects excluded)."""
    seen = set() if seen is None else seen
    if id(obj) in seen or isinstance(obj, _SHARED) or obj is None:
        return 0
    seen.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(deep_size(k, seen) + deep_size(v, seen) for k, v in obj.items())
    elif isinstance(obj, (list, tuple)):
        size += sum(deep_size(v, seen) for v in obj)
    else:
        if hasattr(obj, "__dict__"):
            size += deep_size(vars(obj), seen)
        for cls in type(obj).__mro__:
            for name in getattr(cls, "__slots__", ()):
                size += deep_size(getattr(obj, name, None), seen)
    return size


def model_bytes(sizes):
    """Bytes per parameter: nodenet (after one step, so net/output/delta are set) vs floor."""
    X, Y = data(sizes)
    net = make_nodenet(sizes)
    net.step(X[0], Y[0], ETA)
    floor = floor_from(net)
    net.inputs = None           # the last input vector is the caller's data, not the model
    p = n_params(sizes)
    return deep_size(net.layers) / p, (deep_size(floor.W) + deep_size(floor.B)) / p


# -- the oracle's big case ---------------------------------------------------------

def time_gradients(reps=5):
    sizes = [784, 100, 10]
    net = nodenet.Network(sizes, activation="tanh", output_activation="sigmoid", seed=0)
    X, Y = data(sizes, 1)
    times = []
    for _ in range(reps):
        t0 = clock()
        net.gradients(X, Y)
        times.append(clock() - t0)
    floor = floor_from(net)
    ftimes = []
    for _ in range(reps):
        t0 = clock()
        floor.step(X[0], Y[0], 0.0)
        ftimes.append(clock() - t0)
    return statistics.median(times), statistics.median(ftimes), n_params(sizes)


# -- report -------------------------------------------------------------------------

def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import os
    return (f"{cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()} "
            f"({platform.python_implementation()}); nodenet {nodenet.__version__}")


def report(rounds, target_s, mem_steps, grad_reps):
    lines = [f"machine: {machine()}"]
    worst = check_floor()
    differ = check_same_numbers()
    lines.append(f"floor gradient check: max relative error vs finite differences {worst:.1e}")
    lines.append("nodenet and floor weights after 20 steps: "
                 + ("bit-identical" if differ == 0.0 else
                    f"max relative difference {differ:.1e} (sum() is compensated from Python 3.12)"))
    results = run_rounds(rounds, target_s)
    names = list(next(iter(results.values())))
    rows = []
    for sizes, per in results.items():
        floor = per["floor"]
        row = [list(sizes), n_params(sizes)]
        for name in names:
            row.append(f"{statistics.median(per[name]) * 1e6:.1f}")
        for name in names:
            if name == "floor":
                continue
            ratios = [t / f for t, f in zip(per[name], floor)]
            row.append(f"{statistics.median(ratios):.2f}")
        rows.append(row)
    headers = (["sizes", "params"] + [f"{n} µs" for n in names]
               + [f"{n}/floor" for n in names if n != "floor"])
    lines.append("")
    lines.append(f"median µs per step ({rounds} rounds) and median per-round ratio to the floor")
    lines.append(tabulate(rows, headers, tablefmt="github"))

    rows = []
    for name in names:
        pts = [(n_params(s), statistics.median(per[name]) * 1e9) for s, per in results.items()]
        b, a = slope(pts)
        rows.append([name, f"{b:.0f}", f"{a / 1e3:.1f}",
                     " / ".join(f"{t / p:.0f}" for p, t in pts)])
    lines.append("")
    lines.append("cost vs parameters: least-squares slope over the sizes")
    lines.append(tabulate(rows, ["impl", "ns/param", "fixed µs", "ns/param at each size"],
                          tablefmt="github"))

    rows = []
    for sizes in SIZES:
        for name in contenders(sizes):
            n_mem = mem_steps if name != "micrograd" else min(mem_steps, 50)
            one, grown, peak = step_memory(sizes, name, n_mem)
            rows.append([sizes, name, one, f"{grown} ({n_mem})", peak])
    lines.append("")
    lines.append("memory (tracemalloc bytes, after as many warm-up steps): peak in one step;"
                 " growth and peak over the steps")
    lines.append(tabulate(rows, ["sizes", "impl", "peak 1 step", "growth (steps)", "peak over steps"],
                          tablefmt="github"))

    rows = []
    for sizes in SIZES:
        nb, fb = model_bytes(sizes)
        rows.append([sizes, f"{nb:.1f}", f"{fb:.1f}", f"{nb / fb:.2f}"])
    lines.append("")
    lines.append("model memory, bytes per parameter (deep sys.getsizeof)")
    lines.append(tabulate(rows, ["sizes", "nodenet", "floor", "ratio"], tablefmt="github"))

    g, f, p = time_gradients(grad_reps)
    lines.append("")
    lines.append(f"net.gradients(X, Y) on one sample, [784, 100, 10] ({p} params): "
                 f"{g * 1e3:.2f} ms (floor step {f * 1e3:.2f} ms, ratio {g / f:.2f})")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short, noisy run")
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args(argv)
    if args.quick:
        rounds, target_s, mem_steps, grad_reps = args.rounds or 3, 0.02, 100, 3
    else:
        rounds, target_s, mem_steps, grad_reps = args.rounds or 9, 0.25, 1000, 9
    print(report(rounds, target_s, mem_steps, grad_reps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
