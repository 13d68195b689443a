"""compare_training catches the bugs of a training loop, each at its first step, with its cause.

The client is an independent NumPy training loop (gradients from
tests/numpy_mlp.py, the optimizers written here from their formulas), run
correctly and then with one planted bug at a time.
"""

import math

import pytest

np = pytest.importorskip("numpy", reason="the client training loops use NumPy")

from nodenet import Network, NodenetError                                # noqa: E402
from nodenet.optimizers import SGD, Adam, AdamW, HandoutMomentum, RMSprop  # noqa: E402
from nodenet.oracle import compare_parameters, compare_training          # noqa: E402
from nodenet.schedules import StepLR                                     # noqa: E402

from numpy_mlp import backward, random_problem                           # noqa: E402

SIZES, ACTS, LOSS = [3, 4, 2], ["tanh", "sigmoid"], "mse"
N, BATCH, EPOCHS = 10, 4, 3                     # batches of 4, 4, 2: 3 steps per epoch


def problem(seed=7):
    rng = np.random.default_rng(seed)
    Ws, bs, X, Y = random_problem(rng, SIZES, LOSS, n=N)
    Y = rng.uniform(size=Y.shape)
    orders = [list(rng.permutation(N)) for _ in range(EPOCHS)]
    net = Network.from_matrices(Ws, bs, ACTS, loss=LOSS)
    return net, X, Y, [[int(s) for s in o] for o in orders]


def numpy_run(net, X, Y, orders, kind, lr, *, momentum=0.0, weight_decay=0.0,
              decay_biases=True, betas=(0.9, 0.999), eps=1e-8, alpha=0.99, gamma=None,
              bug=None, with_grads=False):
    """A NumPy training loop; yields (weights, biases) after every step (out_in)."""
    W, b = net.to_matrices()
    params = [np.array(w) for w in W] + [np.array(v) for v in b]
    decays = [True] * len(W) + [decay_biases or bug == "decay_biases"] * len(b)
    state = [dict(m=np.zeros_like(p), v=np.zeros_like(p), buf=None) for p in params]
    accumulated = [np.zeros_like(p) for p in params]
    t = 0
    for epoch, order in enumerate(orders):
        for start in range(0, N, BATCH):
            t += 1
            idx = order[start:start + BATCH]
            if bug == "order_shift":
                idx = [order[(i + 1) % N] for i in range(start, start + len(idx))]
            _, dW, db = backward(X[idx], Y[idx], params[:len(W)], params[len(W):], ACTS, LOSS)
            grads = list(dW) + list(db)
            if bug == "no_zero_grad":
                accumulated = [a + g for a, g in zip(accumulated, grads)]
                grads = accumulated
            rate = lr
            if gamma is not None:
                rate = lr * gamma ** ((t - 1) if bug == "schedule_per_batch" else epoch)
            for p, g, s, decay in zip(params, grads, state, decays):
                _update(kind, p, g, s, decay, rate, t, momentum, weight_decay, betas, eps,
                        alpha, bug)
            out = ([p.copy() for p in params[:len(W)]], [p.copy() for p in params[len(W):]])
            yield out + ((list(dW), list(db)) if with_grads else ())


def _update(kind, p, g, s, decay, lr, t, momentum, weight_decay, betas, eps, alpha, bug):
    """One parameter's update, in place, from the textbook formulas."""
    if weight_decay and decay:
        if kind == "adamw":
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    if kind == "sgd":
        if not momentum:
            p -= lr * g
        elif bug == "eta_in_buffer":                     # v ← μv − ηg, w ← w + v
            s["buf"] = -lr * g if s["buf"] is None else momentum * s["buf"] - lr * g
            p += s["buf"]
        else:                                            # buf ← μ·buf + g, w ← w − η·buf
            s["buf"] = g.copy() if s["buf"] is None else momentum * s["buf"] + g
            p -= lr * s["buf"]
    elif kind in ("adam", "adamw"):
        b1, b2 = betas
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = b2 * s["v"] + (1 - b2) * g * g
        m_hat, v_hat = s["m"] / (1 - b1 ** t), s["v"] / (1 - b2 ** t)
        if bug == "no_bias_correction":
            m_hat, v_hat = s["m"], s["v"]
        p -= lr * m_hat / (np.sqrt(v_hat) + eps)
    elif kind == "rmsprop":
        s["v"] = alpha * s["v"] + (1 - alpha) * g * g
        p -= lr * g / (np.sqrt(s["v"]) + eps)


RUNS = {   # the client's optimizer, nodenet's twin, and the options of the run
    "sgd": (dict(kind="sgd", lr=0.3), SGD(0.3), None),
    "sgd momentum, L2 without biases, StepLR": (
        dict(kind="sgd", lr=0.3, momentum=0.9, weight_decay=0.05, decay_biases=False, gamma=0.5),
        SGD(0.3, momentum=0.9, weight_decay=0.05, decay_biases=False), StepLR(1, 0.5)),
    "adam": (dict(kind="adam", lr=0.05), Adam(lr=0.05), None),
    "adamw, StepLR": (dict(kind="adamw", lr=0.05, weight_decay=0.1, gamma=0.5),
                      AdamW(lr=0.05, weight_decay=0.1), StepLR(1, 0.5)),
    "rmsprop": (dict(kind="rmsprop", lr=0.01), RMSprop(lr=0.01), None),
}


def run(name, bug=None, **extra):
    options, optimizer, schedule = RUNS[name]
    net, X, Y, orders = problem()
    client = numpy_run(net, X, Y, orders, bug=bug, **dict(options, **extra))
    return compare_training(net, X, Y, client, optimizer=optimizer, epochs=EPOCHS,
                            batch_size=BATCH, order=orders, schedule=schedule), net


@pytest.mark.parametrize("name", list(RUNS))
def test_a_correct_loop_matches_every_step(name):
    report, net = run(name)
    assert report.ok and report.steps == 9, str(report)
    assert str(report) == "training matches nodenet's step by step: all 9 steps"


def test_adam_without_bias_correction_at_step_1():
    report, _ = run("adam", "no_bias_correction")
    assert (report.step, report.epoch, report.cause, report.category) == \
        (1, 1, "bias correction", "update")
    assert "neither m nor v is divided by its bias correction" in report.explanation
    text = str(report)
    assert text.startswith("training parts from nodenet's at step 1 (epoch 1, batch [")
    assert "nodenet's Adam step for that parameter: g = " in text and ", m_hat = " in text


def test_weight_decay_on_the_biases_at_step_1():
    report, _ = run("sgd momentum, L2 without biases, StepLR", "decay_biases")
    assert (report.step, report.cause) == (1, "weight decay")
    assert report.parameters.where().endswith(", bias")
    assert all(m.source == len(report.net.layers[m.layer - 1][0].weights)
               for m in report.parameters.mismatches)                 # only biases differ
    assert "the client decays the biases too" in report.explanation


def test_momentum_with_eta_in_the_buffer_parts_when_eta_first_changes():
    report, _ = run("sgd momentum, L2 without biases, StepLR", "eta_in_buffer")
    assert (report.step, report.epoch, report.cause) == (4, 2, "momentum buffer")
    assert report.lr == 0.15
    assert "keeps η inside the velocity" in report.explanation


def test_gradients_never_zeroed_at_step_2_with_the_gradient_report():
    report, _ = run("adam", "no_zero_grad")
    assert (report.step, report.cause, report.category) == \
        (2, "gradient accumulation", "gradient")
    assert "sum of this step's and all 1 earlier steps' gradients" in report.explanation
    assert report.gradients is not None and not report.gradients.ok
    assert "The gradient the client used, against the batch's:" in str(report)
    assert "gradients differ from nodenet's" in str(report)


def test_a_schedule_stepped_per_batch_at_step_2():
    report, _ = run("adamw, StepLR", "schedule_per_batch")
    assert (report.step, report.cause, report.category) == (2, "learning rate", "update")
    assert "steps its schedule after every batch" in report.explanation
    assert "lr = 0.025 in step 2" in report.explanation


def test_a_batch_order_shifted_by_one_at_step_1():
    report, _ = run("sgd", "order_shift")
    assert (report.step, report.cause, report.category) == (1, "batch order", "gradient")
    assert "one place later in the epoch's order" in report.explanation
    assert not report.gradients.ok


def test_an_unknown_gradient_bug_is_named_as_the_gradient_for_sgd():
    # the loss's 1/N forgotten inside the client's backward pass: no known update
    # mistake reproduces it; SGD's step can be undone, so the gradient is shown wrong
    net, X, Y, orders = problem()

    def client():
        W, b = net.to_matrices()
        W, b = [np.array(w) for w in W], [np.array(v) for v in b]
        for order in orders:
            for start in range(0, N, BATCH):
                idx = order[start:start + BATCH]
                _, dW, db = backward(X[idx], Y[idx], W, b, ACTS, LOSS, broken="no_mean")
                W = [w - 0.3 * g for w, g in zip(W, dW)]
                b = [v - 0.3 * g for v, g in zip(b, db)]
                yield W, b
    report = compare_training(net, X, Y, client(), optimizer=SGD(0.3), epochs=EPOCHS,
                              batch_size=BATCH, order=orders)
    assert (report.step, report.cause, report.category) == (1, "gradient", "gradient")
    assert "a factor of N = 4 samples" in str(report.gradients)


def test_adam_with_a_right_gradient_and_a_wrong_update_needs_the_gradients():
    # eps inside the square root: no known cause; with the client's gradients the
    # report can say the gradient is right and the update is not
    net, X, Y, orders = problem()

    def client(with_grads):
        W, b = net.to_matrices()
        params = [np.array(w) for w in W] + [np.array(v) for v in b]
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        for t, start in enumerate(range(0, N, BATCH), start=1):
            idx = orders[0][start:start + BATCH]
            _, dW, db = backward(X[idx], Y[idx], params[:2], params[2:], ACTS, LOSS)
            for p, g, mi, vi in zip(params, list(dW) + list(db), m, v):
                mi[:] = 0.9 * mi + 0.1 * g
                vi[:] = 0.999 * vi + 0.001 * g * g
                p -= 0.05 * (mi / (1 - 0.9 ** t)) / np.sqrt(vi / (1 - 0.999 ** t) + 1e-8)
            yield (params[:2], params[2:]) + ((dW, db) if with_grads else ())
    without = compare_training(net, X, Y, client(False), optimizer=Adam(lr=0.05),
                               batch_size=BATCH, order=orders[0])
    assert (without.step, without.cause, without.category) == (1, "unknown", None)
    assert "return (weights, biases, dW, db)" in without.explanation
    report = compare_training(net, X, Y, client(True), optimizer=Adam(lr=0.05),
                              batch_size=BATCH, order=orders[0])
    assert (report.step, report.cause, report.category) == (1, "update", "update")
    assert report.gradients.ok and "v_hat = " in str(report)


def test_a_callable_client_and_compare_parameters():
    net, X, Y, orders = problem()
    steps = numpy_run(net, X, Y, orders, "adam", 0.05)
    calls = []

    def client(step):
        calls.append(step)
        return next(steps)
    report = compare_training(net, X, Y, client, optimizer=Adam(lr=0.05), epochs=EPOCHS,
                              batch_size=BATCH, order=orders)
    assert report.ok and calls == list(range(1, 10))
    W, b = net.to_matrices()
    assert compare_parameters(net, (W, b)).ok
    b[1][0] += 1e-6
    report = compare_parameters(net, (W, b))
    assert not report.ok and report.where() == "layer 2, node 0, bias"
    assert str(report).startswith("1 of 26 parameters differ from nodenet's")


def test_in_out_layout_and_argument_errors():
    net, X, Y, orders = problem()
    client = [([np.array(w).T for w in W], b) for W, b in numpy_run(net, X, Y, orders, "sgd", 0.3)]
    assert compare_training(net, X, Y, client, optimizer=SGD(0.3), epochs=EPOCHS,
                            batch_size=BATCH, order=orders, layout="in_out").ok
    with pytest.raises(NodenetError, match="client lists 9 parameter sets, but the run has 3"):
        compare_training(net, X, Y, client, optimizer=SGD(0.3), batch_size=BATCH)
    with pytest.raises(NodenetError, match="optimizer must be a nodenet.optimizers optimizer"):
        compare_training(net, X, Y, client, optimizer="sgd")
    with pytest.raises(NodenetError, match="client stopped after 9 steps; the run has 12"):
        compare_training(net, X, Y, iter(client), optimizer=SGD(0.3), epochs=4,
                         batch_size=BATCH, order=orders + orders[:1], layout="in_out")
    before = net.snapshot()
    compare_training(net, X, Y, client, optimizer=SGD(0.3), epochs=EPOCHS, batch_size=BATCH,
                     order=orders, layout="in_out")
    assert net.snapshot() == before                      # the replay ran on a copy


def test_handout_momentum_client_against_pytorch_form():
    # the reverse direction: nodenet told HandoutMomentum, the client runs PyTorch's form
    net, X, Y, orders = problem()
    client = numpy_run(net, X, Y, orders, "sgd", 0.3, momentum=0.9, gamma=0.5)
    report = compare_training(net, X, Y, client, optimizer=HandoutMomentum(0.3, 0.9),
                              epochs=EPOCHS, batch_size=BATCH, order=orders,
                              schedule=StepLR(1, 0.5))
    assert (report.step, report.cause) == (4, "momentum buffer")
    assert "keeps η out of its buffer" in report.explanation
    assert math.isclose(report.lr, 0.15)


def test_the_walkthrough_names_both_bugs_and_passes_the_fixed_loop():
    import pathlib
    import subprocess
    import sys
    script = pathlib.Path(__file__).resolve().parents[1] / "walkthroughs" / "training_oracle.py"
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    out = result.stdout
    first, second, third, fourth = out.split("\n\n")[:4]
    assert "at step 1 (epoch 1" in first and "cause (update): bias correction" in first
    assert "at step 2 (epoch 1" in second and "cause (update): learning rate" in second
    assert third.endswith("training matches nodenet's step by step: all 9 steps")
    rows = [line for line in fourth.splitlines() if line.startswith("|       2 |")]
    assert len(rows) == 10
    assert all(row.split("|")[9].strip() in ("0.05", "-0.05") for row in rows)   # Δw ≈ ±η
