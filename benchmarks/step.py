"""Time one per-sample SGD step of nodenet against the fastest pure-Python floor and peers.

One step = forward one sample, backward, update, on fully connected networks
with tanh hidden layers, a sigmoid output and the ``sse`` loss, in float64.
The contenders:

``floor*``     hand-written steps in this file on lists of lists, no object
               per node, each in one method with ``math.tanh``/``math.exp``
               inline.  Four styles are tried, and at each size the report
               measures against the fastest of them on the running
               interpreter (CPython and PyPy favour different ones):

               ``floor``        forward ``sum(map(mul, row, a), b)`` per node;
                                backward in one index loop per row that adds
                                the old weight's w·δ into e and then updates
                                it (``w = row[i]; e[i] += w*dk; row[i] = w + c*a[i]``);
               ``floor-index``  the same with plain index loops everywhere
                                (``z += row[i]*a[i]``): what PyPy's JIT likes;
               ``floor-zip``    ``for w, ai in zip(row, a)`` loops instead;
               ``floor-rows``   ``floor``, but the bottom layer (which feeds
                                no deltas) updates each row with one list
                                comprehension.
               Median µs per step measured (9 rounds, AMD EPYC, 2 CPUs; the
               fastest in brackets), CPython 3.11.7 | PyPy 7.3.11 (3.9.16):

               size             floor   -index  -zip    -rows
               [2, 4, 1]        3.6     [3.0]   3.6     4.4     | 0.5    [0.3]   0.4    0.6
               [4, 16, 16, 3]   [34.5]  34.8    37.9    36.3    | [2.9]  3.3     3.9    3.5
               [16, 32, 32, 1]  [108]   117     129     115     | 8.1    [6.6]   7.9    8.8
               [64, 64, 10]     [236]   272     284     251     | 11.7   [10.1]  11.3   36.3
               [784, 100, 10]   3924    4773    4473    [3672]  | [118]  141     135    950

               Tried and dropped (slower on both interpreters at every size
               but the smallest): e_j as ``sum(map(mul, column, δ))`` over
               ``zip(*rows)`` and then a separate update (1.03–1.5× the
               fastest on CPython, up to 3× on PyPy); every per-weight
               operation in C, ``row[:] = map(add, row, map(mul, repeat(c), a))``
               (1.15–1.8×, on PyPy up to 10×); list-comprehension updates in
               every layer (1.1–1.9×, on PyPy up to 7×).

               Before anything is timed, every floor's gradients are checked
               against finite differences and its weights after 20 steps are
               compared with nodenet's: bit for bit on CPython up to 3.11 and
               on PyPy (from CPython 3.12, ``sum()`` is compensated), as long
               as no sigmoid or tanh output saturates (|a| ≥ 0.9375, where
               nodenet takes f′ from z and the floors keep the output form:
               at [784, 100, 10] they then differ by about 3e-14).
``nodenet``    the public ``net.step(x, y, eta)`` (validates x and y, returns
               the loss before the step).
``nodenet-train``  the per-sample path ``train(batch_size=1)`` uses on data
               it has already validated (``net.sgd_step``).
``micrograd``  scalar autograd (optional, ``pip install nodenet[bench]``).
``numpy``      a per-sample NumPy step (optional).

Each measurement warms up first (PyPy compiles hot loops after a while), then
takes the median of 5 batches.  The contenders take turns within every round
(the machine's speed drifts), and the report gives the median over rounds of
each one's ratio to the floor.  On PyPy each measurement runs in a fresh
process (``--isolate``, the default there): in one shared process a
contender's time there depends on what ran before it (3× and more at
[784, 100, 10]).  PyPy 7.3.11 compiles one loop for the builtin ``sum()``,
shared by every caller: once a ``sum()`` over other data (a list of ints, or
of floats being validated) has run hot, ``sum(map(mul, w, a))`` over floats
runs about 5× slower for the rest of the process.  ``floor-index`` uses no
``sum()`` and keeps its speed.

Run:  python benchmarks/step.py             (CPython: five minutes of CPU or more)
      pypy3 benchmarks/step.py              (NumPy and micrograd optional)
      python benchmarks/step.py --quick     (a short, noisy run)
"""

import argparse
import gc
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from operator import mul

from tabulate import tabulate

import nodenet

SIZES = ([2, 4, 1], [4, 16, 16, 3], [16, 32, 32, 1], [64, 64, 10], [784, 100, 10])
BIG = [784, 100, 10]            # the oracle's big case
ETA = 0.01
PYPY = platform.python_implementation() == "PyPy"


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


# -- the floors: plain lists, one method each ----------------------------------
#
# Every floor computes nodenet's numbers with nodenet's operations in nodenet's
# order: z = b + w_1·a_1 + … (left to right), the sigmoid in the same two
# branches, δ = 2(y − a)·(a(1 − a)) at the output, e_j = 0 + w_1j·δ_1 + …
# (left to right) and δ = e·(1 − a²) below, w += (η·δ)·a.  Only the loops differ.

class Floor:
    """Weights as lists of rows W[l][k][j] (out_in), biases B[l][k]; ``step`` in subclasses."""

    def __init__(self, W, B):
        self.W = [[list(row) for row in m] for m in W]
        self.B = [list(b) for b in B]

    def loss(self, x, y):
        """The sse loss of one sample, by the plainest forward pass (for the checks)."""
        a = x
        for l, (W, B) in enumerate(zip(self.W, self.B)):
            z = [b + sum(w * ai for w, ai in zip(row, a)) for row, b in zip(W, B)]
            if l == len(self.W) - 1:
                a = [1.0 / (1.0 + math.exp(-v)) for v in z]
            else:
                a = [math.tanh(v) for v in z]
        return sum((t - o) ** 2 for t, o in zip(y, a))


class MapFloor(Floor):
    """Forward ``sum(map(mul, row, a), b)``; backward and update in one index loop."""

    rows_at_once = False

    def step(self, x, y, eta):
        W, B = self.W, self.B
        tanh, exp = math.tanh, math.exp
        last = len(W) - 1
        acts = [x]
        a = x
        for l in range(last + 1):
            Wl, Bl = W[l], B[l]
            out = []
            if l == last:
                for k in range(len(Wl)):
                    z = sum(map(mul, Wl[k], a), Bl[k])
                    if z >= 0.0:
                        out.append(1.0 / (1.0 + exp(-z)))
                    else:
                        ez = exp(z)
                        out.append(ez / (1.0 + ez))
            else:
                for k in range(len(Wl)):
                    out.append(tanh(sum(map(mul, Wl[k], a), Bl[k])))
            a = out
            acts.append(a)
        d = [2.0 * (t - o) * (o * (1.0 - o)) for t, o in zip(y, a)]
        for l in range(last, 0, -1):
            Wl, Bl, below = W[l], B[l], acts[l]
            n = len(below)
            e = [0.0] * n
            for k in range(len(Wl)):
                row, dk = Wl[k], d[k]
                c = eta * dk
                for i in range(n):
                    w = row[i]
                    e[i] += w * dk              # e_i += w_ki·δ_k from the old weight
                    row[i] = w + c * below[i]   # then Δw = η·δ·a
                Bl[k] += c
            d = [ei * (1.0 - ai * ai) for ei, ai in zip(e, below)]     # tanh'
        W0, B0 = W[0], B[0]             # the bottom layer feeds no deltas: update only
        n = len(x)
        for k in range(len(W0)):
            row = W0[k]
            c = eta * d[k]
            if self.rows_at_once:
                row[:] = [w + c * ai for w, ai in zip(row, x)]
            else:
                for i in range(n):
                    row[i] += c * x[i]
            B0[k] += c


class IndexFloor(Floor):
    """Plain index loops everywhere."""

    def step(self, x, y, eta):
        W, B = self.W, self.B
        tanh, exp = math.tanh, math.exp
        last = len(W) - 1
        acts = [x]
        a = x
        for l in range(last + 1):
            Wl, Bl = W[l], B[l]
            n = len(a)
            out = []
            for k in range(len(Wl)):
                row = Wl[k]
                z = Bl[k]
                for i in range(n):
                    z += row[i] * a[i]
                if l < last:
                    out.append(tanh(z))
                elif z >= 0.0:
                    out.append(1.0 / (1.0 + exp(-z)))
                else:
                    ez = exp(z)
                    out.append(ez / (1.0 + ez))
            a = out
            acts.append(a)
        d = []
        for k in range(len(a)):
            o = a[k]
            d.append(2.0 * (y[k] - o) * (o * (1.0 - o)))
        for l in range(last, -1, -1):
            Wl, Bl, below = W[l], B[l], acts[l]
            n = len(below)
            if l:
                e = [0.0] * n
                for k in range(len(Wl)):
                    row, dk = Wl[k], d[k]
                    c = eta * dk
                    for i in range(n):
                        w = row[i]
                        e[i] += w * dk
                        row[i] = w + c * below[i]
                    Bl[k] += c
                d = []
                for i in range(n):
                    ai = below[i]
                    d.append(e[i] * (1.0 - ai * ai))
            else:
                for k in range(len(Wl)):
                    row = Wl[k]
                    c = eta * d[k]
                    for i in range(n):
                        row[i] += c * below[i]
                    Bl[k] += c


class ZipFloor(Floor):
    """``zip``/``enumerate`` loops instead of indices."""

    def step(self, x, y, eta):
        W, B = self.W, self.B
        tanh, exp = math.tanh, math.exp
        last = len(W) - 1
        acts = [x]
        a = x
        for l in range(last + 1):
            out = []
            for row, z in zip(W[l], B[l]):
                for w, ai in zip(row, a):
                    z += w * ai
                if l < last:
                    out.append(tanh(z))
                elif z >= 0.0:
                    out.append(1.0 / (1.0 + exp(-z)))
                else:
                    ez = exp(z)
                    out.append(ez / (1.0 + ez))
            a = out
            acts.append(a)
        d = [2.0 * (t - o) * (o * (1.0 - o)) for t, o in zip(y, a)]
        for l in range(last, -1, -1):
            Wl, Bl, below = W[l], B[l], acts[l]
            if l:
                e = [0.0] * len(below)
                for k, dk in enumerate(d):
                    row = Wl[k]
                    c = eta * dk
                    for i, ai in enumerate(below):
                        w = row[i]
                        e[i] += w * dk
                        row[i] = w + c * ai
                    Bl[k] += c
                d = [ei * (1.0 - ai * ai) for ei, ai in zip(e, below)]
            else:
                for k, dk in enumerate(d):
                    row = Wl[k]
                    c = eta * dk
                    for i, ai in enumerate(below):
                        row[i] += c * ai
                    Bl[k] += c


class RowsFloor(MapFloor):
    """``MapFloor`` with the bottom layer's rows updated by one list comprehension each."""

    rows_at_once = True


FLOORS = {"floor": MapFloor, "floor-index": IndexFloor, "floor-zip": ZipFloor,
          "floor-rows": RowsFloor}


def floor_from(net, kind="floor"):
    W, B = net.to_matrices()
    return FLOORS[kind](W, B)


def check_floor(h=1e-6, tol=1e-6):
    """Finite differences vs every floor's step; returns the largest relative error."""
    worst = 0.0
    for kind in FLOORS:
        for sizes in ([2, 4, 1], [3, 5, 4, 2]):
            X, Y = data(sizes, 1, seed=7)
            x, y = X[0], Y[0]
            base = floor_from(make_nodenet(sizes, seed=3), kind)
            eta = 1e-3
            stepped = FLOORS[kind](base.W, base.B)
            stepped.step(x, y, eta)
            for l in range(len(base.W)):
                for k in range(len(base.W[l])):
                    for j in list(range(len(base.W[l][k]))) + [None]:      # None: the bias
                        def loss_at(delta):
                            probe = Floor(base.W, base.B)
                            if j is None:
                                probe.B[l][k] += delta
                            else:
                                probe.W[l][k][j] += delta
                            return probe.loss(x, y)
                        numeric = (loss_at(h) - loss_at(-h)) / (2 * h)
                        if j is None:
                            change = stepped.B[l][k] - base.B[l][k]
                        else:
                            change = stepped.W[l][k][j] - base.W[l][k][j]
                        analytic = -change / eta          # Δw = −η·∂L/∂w
                        err = abs(numeric - analytic) / max(1e-8, abs(numeric) + abs(analytic))
                        worst = max(worst, err)
    if worst > tol:
        raise AssertionError(f"floor gradients disagree with finite differences: {worst:.3g}")
    return worst


def differences(steps=20, sizes_list=SIZES):
    """{(floor, sizes): largest relative difference from nodenet's weights after ``steps`` steps}.

    0.0 where the floor's numbers are nodenet's, bit for bit: on CPython ≤ 3.11
    and PyPy, whose ``sum()`` adds floats left to right just as the floors'
    loops do.  From CPython 3.12, ``sum()`` of floats is compensated (more
    accurate), so nodenet's e_j = Σ_k w_kj·δ_k may differ in the last bits.
    """
    out = {}
    for sizes in sizes_list:
        X, Y = data(sizes)
        net = make_nodenet(sizes)
        floors = {kind: floor_from(net, kind) for kind in FLOORS}
        for s in range(steps):
            x, y = X[s % len(X)], Y[s % len(Y)]
            net.step(x, y, ETA)
            for floor in floors.values():
                floor.step(x, y, ETA)
        W, B = net.to_matrices()
        ours = [w for m in W for row in m for w in row] + [b for bs in B for b in bs]
        for kind, floor in floors.items():
            theirs = ([w for m in floor.W for row in m for w in row]
                      + [b for bs in floor.B for b in bs])
            worst = 0.0
            for a, b in zip(ours, theirs):
                if a != b:
                    worst = max(worst, abs(a - b) / max(abs(a), abs(b)))
            out[kind, tuple(sizes)] = worst
    return out


def check_same_numbers(steps=20):
    """The largest of ``differences(steps)`` at the three smallest sizes.

    There every tanh output stays below 0.9 in magnitude, so the result is
    0.0 (bit for bit) as long as nodenet takes f' from the output, 1 − a², for
    unsaturated outputs, even if it takes it from z for saturated ones (where
    the floors keep 1 − a²).  The report shows every size.
    """
    return max(differences(steps, SIZES[:3]).values())


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


def contender_names(sizes):
    """The contenders at ``sizes`` on this interpreter, in a fixed order."""
    names = list(FLOORS) + ["nodenet-train", "nodenet"]
    if list(sizes) == BIG:
        names.append("nodenet-gradients")       # the oracle's big case
    elif _patch_micrograd():                    # micrograd: minutes per step at BIG
        names.append("micrograd")
    try:
        import numpy  # noqa: F401
        names.append("numpy")
    except ImportError:
        pass
    return names


def contenders(sizes, only=None):
    """name → step(x, y, eta), each on its own copy of the same initial weights.

    ``nodenet-gradients`` is ``net.gradients([x], [y])``: the oracle's call,
    which checks the sample and leaves the weights alone.
    """
    base = make_nodenet(sizes)
    out = {}
    for name in contender_names(sizes):
        if only is not None and name not in only:
            continue
        if name in FLOORS:
            out[name] = floor_from(base, name).step
        elif name == "nodenet":
            out[name] = base.copy().step
        elif name == "nodenet-train":
            out[name] = base.copy().sgd_step
        elif name == "nodenet-gradients":
            out[name] = _gradients_step(base.copy())
        elif name == "micrograd":
            out[name] = make_micrograd(base)
        elif name == "numpy":
            out[name] = make_numpy(base)
    return out


def _gradients_step(net):
    def step(x, y, eta):
        net.gradients([x], [y])
    return step


# -- timing ----------------------------------------------------------------------

# CPU time of this process: other processes on a busy machine do not count
clock = time.process_time


def time_per_step(step, X, Y, target_s):
    """Median seconds per step over 5 batches lasting about ``target_s`` in all.

    A warm-up of about ``target_s / 2`` (and at least 3 steps) comes first:
    PyPy compiles a loop only after it has run many times.
    """
    n = len(X)
    t0 = clock()
    done = 0
    while done < 3 or clock() - t0 < target_s / 2:
        step(X[done % n], Y[done % n], ETA)
        done += 1
    once = max((clock() - t0) / done, 1e-8)
    inner = max(1, int(target_s / 5 / once))
    times = []
    for r in range(5):
        t0 = clock()
        for i in range(inner):
            step(X[i % n], Y[i % n], ETA)
        times.append((clock() - t0) / inner)
    return statistics.median(times)


def budget(name, target_s):
    return min(target_s, 0.3) if name == "micrograd" else target_s


def measure(name, sizes, target_s):
    """Seconds per step of one contender, here in this process."""
    X, Y = data(sizes)
    step = contenders(sizes, only=[name])[name]
    gc.collect()
    return time_per_step(step, X, Y, budget(name, target_s))


def measure_apart(name, sizes, target_s):
    """``measure`` in a fresh process of this interpreter (no JIT state from the others)."""
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--measure", name,
                           json.dumps(list(sizes)), repr(target_s)],
                          capture_output=True, text=True, check=True)
    return float(done.stdout)


def run_rounds(rounds, target_s, isolate=False, sizes_list=SIZES):
    """{sizes: {name: [seconds per step, one per round]}}."""
    results = {}
    for sizes in sizes_list:
        names = contender_names(sizes)
        if not isolate:
            X, Y = data(sizes)
            steps = contenders(sizes)
        per = {name: [] for name in names}
        for r in range(rounds):
            order = names[r % len(names):] + names[:r % len(names)]   # who goes first rotates
            for name in order:
                if isolate:
                    per[name].append(measure_apart(name, sizes, target_s))
                else:
                    gc.collect()
                    per[name].append(time_per_step(steps[name], X, Y, budget(name, target_s)))
        results[tuple(sizes)] = per
    return results


def fastest_floor(per):
    """The floor with the lowest median time in one size's results."""
    return min(FLOORS, key=lambda name: statistics.median(per[name]))


def ratio(per, name, floor):
    """Median over rounds of the round's time of ``name`` over the floor's."""
    return statistics.median([t / f for t, f in zip(per[name], per[floor])])


def slope(points):
    """Least-squares slope and intercept of (x, y) points."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    b = sxy / sxx
    return b, my - b * mx


# -- memory (CPython: PyPy has no tracemalloc, and no sys.getsizeof) ---------------

def step_memory(sizes, name, steps=1000):
    """(peak bytes in one step, growth over ``steps`` steps, peak over them).

    Tracing starts before the model is built, so that a weight's old float,
    freed when the update replaces it, is counted as freed; ``steps`` warm-up
    steps come first, so one-time allocations are not counted as growth.
    """
    import tracemalloc
    X, Y = data(sizes)
    n = len(X)
    gc.collect()
    tracemalloc.start()
    try:
        step = contenders(sizes, only=[name])[name]
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


_SHARED = (type, type(math), type(len), type(data), random.Random,
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
    version = platform.python_version()
    if PYPY:
        version += " (PyPy " + ".".join(map(str, sys.pypy_version_info[:3])) + ")"
    else:
        version += f" ({platform.python_implementation()})"
    return f"{cpu}, {os.cpu_count()} CPUs; Python {version}; nodenet {nodenet.__version__}"


def _us(seconds):
    us = seconds * 1e6
    return f"{us:.2f}" if us < 10 else f"{us:.1f}"


def speed_tables(results, rounds):
    """The floors' table and the contenders' table, as lines."""
    rows = []
    for sizes, per in results.items():
        best = fastest_floor(per)
        rows.append([list(sizes)] + [_us(statistics.median(per[f])) for f in FLOORS] + [best])
    lines = [f"floors: median µs per step ({rounds} rounds); the fastest is the floor below",
             tabulate(rows, ["sizes"] + [f"{f} µs" for f in FLOORS] + ["fastest"],
                      tablefmt="github"), ""]
    others = []
    for per in results.values():
        others += [n for n in per if n not in FLOORS and n not in others]
    rows = []
    for sizes, per in results.items():
        best = fastest_floor(per)
        row = [list(sizes), n_params(sizes), _us(statistics.median(per[best]))]
        for name in others:
            row.append(f"{_us(statistics.median(per[name]))} ({ratio(per, name, best):.2f})"
                       if name in per else "–")
        rows.append(row)
    lines.append("median µs per step, and (in brackets) the median per-round ratio to the "
                 "fastest floor")
    lines.append(tabulate(rows, ["sizes", "params", "floor µs"] + [f"{n} µs" for n in others],
                          tablefmt="github"))
    rows = []
    for name in ["floor"] + others:
        pts = []
        for s, per in results.items():
            if name == "floor" or name in per:
                t = per[fastest_floor(per) if name == "floor" else name]
                pts.append((n_params(s), statistics.median(t) * 1e9))
        if len(pts) < 3:
            continue
        b, a = slope(pts)
        rows.append([name, f"{b:.1f}", f"{a / 1e3:.1f}",
                     " / ".join(f"{t / p:.1f}" for p, t in pts)])
    lines += ["", "cost vs parameters: least-squares slope over the sizes",
              tabulate(rows, ["impl", "ns/param", "fixed µs", "ns/param at each size"],
                       tablefmt="github")]
    return lines


def memory_tables(mem_steps):
    rows = []
    for sizes in SIZES[:-1]:
        for name in contender_names(sizes):
            if name.startswith("floor-"):
                continue
            n_mem = mem_steps if name != "micrograd" else min(mem_steps, 50)
            one, grown, peak = step_memory(sizes, name, n_mem)
            rows.append([sizes, name, one, f"{grown} ({n_mem})", peak])
    lines = ["memory (tracemalloc bytes, after as many warm-up steps): peak in one step;"
             " growth and peak over the steps",
             tabulate(rows, ["sizes", "impl", "peak 1 step", "growth (steps)", "peak over steps"],
                      tablefmt="github"), ""]
    rows = []
    for sizes in SIZES:
        nb, fb = model_bytes(sizes)
        rows.append([sizes, f"{nb:.1f}", f"{fb:.1f}", f"{nb / fb:.2f}"])
    lines.append("model memory, bytes per parameter (deep sys.getsizeof)")
    lines.append(tabulate(rows, ["sizes", "nodenet", "floor", "ratio"], tablefmt="github"))
    return lines


def report(rounds, target_s, mem_steps, isolate):
    lines = [f"machine: {machine()}",
             "timing: " + ("each measurement in a fresh process" if isolate else
                           "all contenders in this one process")]
    worst = check_floor()
    lines.append(f"floor gradient check (every floor): max relative error vs finite "
                 f"differences {worst:.1e}")
    differ = differences()
    if max(differ.values()) == 0.0:
        lines.append("every floor's weights after 20 steps: bit-identical to nodenet's")
    else:
        lines.append("floors' weights after 20 steps vs nodenet's, max relative difference: "
                     + ", ".join(f"{k} {list(s)} {v:.1e}" for (k, s), v in differ.items() if v))
    lines.append("")
    results = run_rounds(rounds, target_s, isolate)
    lines += speed_tables(results, rounds)
    per = results[tuple(BIG)]
    best = fastest_floor(per)
    g = statistics.median(per["nodenet-gradients"])
    lines += ["", f"the oracle's big case: net.gradients(X, Y) on one sample of {BIG} "
              f"({n_params(BIG)} params) takes {g * 1e3:.2f} ms, "
              f"{ratio(per, 'nodenet-gradients', best):.2f} × one step of the fastest floor "
              f"({best}, which also updates)"]
    if PYPY:
        lines += ["", "memory: not measured on PyPy (no tracemalloc, no sys.getsizeof)"]
    elif mem_steps:
        lines += [""] + memory_tables(mem_steps)
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short, noisy run")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--isolate", action=argparse.BooleanOptionalAction, default=PYPY,
                        help="time each contender in a fresh process (default on PyPy)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory tables")
    parser.add_argument("--measure", nargs=3, metavar=("NAME", "SIZES", "SECONDS"),
                        help=argparse.SUPPRESS)      # the worker of --isolate
    args = parser.parse_args(argv)
    if args.measure:
        name, sizes, target_s = args.measure
        print(repr(measure(name, json.loads(sizes), float(target_s))))
        return 0
    if args.quick:
        rounds, target_s, mem_steps = args.rounds or 3, 0.02, 100
    else:
        rounds, target_s, mem_steps = args.rounds or 9, 0.25, 1000
    print(report(rounds, target_s, 0 if args.no_memory else mem_steps, args.isolate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
