"""compare_training against real PyTorch and JAX training loops, run one step at a time.

The PyTorch client is torch.optim with a scheduler (float64), driven through
a callable ``client(step)``; the JAX client takes jax.grad's gradients and an
Adam written in jax.numpy.  Each runs correctly, then with one planted bug.
"""

import random

import pytest

from nodenet import Network
from nodenet.optimizers import SGD, Adam, AdamW, RMSprop
from nodenet.oracle import compare_training
from nodenet.schedules import CosineAnnealingLR, StepLR

N, BATCH, EPOCHS = 9, 4, 4                      # batches of 4, 4, 1: 12 steps


def problem(seed=3):
    rng = random.Random(seed)
    net = Network([3, 5, 2], activation="tanh", output_activation="identity", loss="mse",
                  init="uniform", seed=seed)
    for layer in net.layers:
        for node in layer:
            node.bias = rng.uniform(-0.5, 0.5)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(N)]
    Y = [[rng.uniform(-1, 1) for _ in range(2)] for _ in range(N)]
    orders = []
    for _ in range(EPOCHS):
        order = list(range(N))
        rng.shuffle(order)
        orders.append(order)
    return net, X, Y, orders


# -- PyTorch ---------------------------------------------------------------------------

def torch_client(net, X, Y, orders, make_optimizer, make_schedule, bug=None):
    """A callable client(step): one torch.optim step per call, returning (weights, biases)."""
    torch = pytest.importorskip("torch", reason="the client is a PyTorch loop")
    W, b = net.to_matrices()
    Ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in W]
    bs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in b]
    opt = make_optimizer(Ws + bs)
    schedule = make_schedule(opt) if make_schedule else None
    Xt, Yt = torch.tensor(X, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)

    def steps():
        for order in orders:
            for start in range(0, N, BATCH):
                idx = order[start:start + BATCH]
                opt.zero_grad()
                h = torch.tanh(Xt[idx] @ Ws[0].T + bs[0])
                out = h @ Ws[1].T + bs[1]
                ((out - Yt[idx]) ** 2).mean().backward()
                opt.step()
                if schedule is not None and bug == "schedule_per_batch":
                    schedule.step()
                yield [w.detach() for w in Ws], [v.detach() for v in bs]
            if schedule is not None and bug != "schedule_per_batch":
                schedule.step()
    running = steps()
    return lambda step: next(running)


def torch_cases():
    torch = pytest.importorskip("torch", reason="the client is a PyTorch loop")
    T, L = torch.optim, torch.optim.lr_scheduler
    return {
        "SGD nesterov, StepLR": (
            lambda p: T.SGD(p, lr=0.2, momentum=0.9, nesterov=True, weight_decay=0.01),
            lambda o: L.StepLR(o, 2, gamma=0.5),
            SGD(0.2, momentum=0.9, nesterov=True, weight_decay=0.01), StepLR(2, 0.5)),
        "Adam, cosine": (lambda p: T.Adam(p, lr=0.05, amsgrad=True),
                         lambda o: L.CosineAnnealingLR(o, 3),
                         Adam(lr=0.05, amsgrad=True), CosineAnnealingLR(3)),
        "AdamW": (lambda p: T.AdamW(p, lr=0.05), None, AdamW(lr=0.05), None),
        "RMSprop centered": (lambda p: T.RMSprop(p, lr=0.01, centered=True, momentum=0.3),
                             None, RMSprop(lr=0.01, centered=True, momentum=0.3), None),
    }


@pytest.mark.parametrize("name", ["SGD nesterov, StepLR", "Adam, cosine", "AdamW",
                                  "RMSprop centered"])
def test_a_pytorch_loop_matches_step_by_step(name):
    make_opt, make_schedule, ours, schedule = torch_cases()[name]
    net, X, Y, orders = problem()
    report = compare_training(net, X, Y, torch_client(net, X, Y, orders, make_opt, make_schedule),
                              optimizer=ours, epochs=EPOCHS, batch_size=BATCH, order=orders,
                              schedule=schedule)
    assert report.ok and report.steps == 12, str(report)


def test_a_pytorch_scheduler_stepped_per_batch_is_named():
    make_opt, make_schedule, ours, schedule = torch_cases()["SGD nesterov, StepLR"]
    net, X, Y, orders = problem()
    client = torch_client(net, X, Y, orders, make_opt, make_schedule, bug="schedule_per_batch")
    report = compare_training(net, X, Y, client, optimizer=ours, epochs=EPOCHS,
                              batch_size=BATCH, order=orders, schedule=schedule)
    # StepLR(2): per batch the rate halves after the second step, so step 3 parts
    assert (report.step, report.cause) == (3, "learning rate"), str(report)


def test_torch_bias_group_without_decay_against_nodenet_decaying_all():
    torch = pytest.importorskip("torch", reason="the client is a PyTorch loop")
    net, X, Y, orders = problem()

    def make(params):
        return torch.optim.Adam([{"params": params[:2]}, {"params": params[2:],
                                                          "weight_decay": 0.0}],
                                lr=0.05, weight_decay=0.1)
    report = compare_training(net, X, Y, torch_client(net, X, Y, orders, make, None),
                              optimizer=Adam(lr=0.05, weight_decay=0.1), epochs=EPOCHS,
                              batch_size=BATCH, order=orders)
    assert (report.step, report.cause) == (1, "weight decay")
    assert "the client does not decay the biases" in report.explanation
    assert compare_training(net, X, Y, torch_client(net, X, Y, orders, make, None),
                            optimizer=Adam(lr=0.05, weight_decay=0.1, decay_biases=False),
                            epochs=EPOCHS, batch_size=BATCH, order=orders).ok


# -- JAX ---------------------------------------------------------------------------------

def jax_run(net, X, Y, orders, lr, bug=None):
    """Adam in jax.numpy on jax.grad's gradients, in float64; the (weights, biases) of every step."""
    jax = pytest.importorskip("jax", reason="the client is a JAX loop")
    with jax.enable_x64(True):
        jnp = jax.numpy

        def loss(params, x, y):
            h = jnp.tanh(x @ params[0].T + params[1])
            return jnp.mean((h @ params[2].T + params[3] - y) ** 2)

        @jax.jit
        def step(params, m, v, x, y, c1, c2):
            g = jax.grad(loss)(params, x, y)
            m = [0.9 * mi + 0.1 * gi for mi, gi in zip(m, g)]
            v = [0.999 * vi + 0.001 * gi * gi for vi, gi in zip(v, g)]
            return [p - lr * (mi / c1) / (jnp.sqrt(vi / c2) + 1e-8)
                    for p, mi, vi in zip(params, m, v)], m, v
        W, b = net.to_matrices()
        params = [jnp.array(W[0]), jnp.array(b[0]), jnp.array(W[1]), jnp.array(b[1])]
        m = [jnp.zeros_like(p) for p in params]
        v = [jnp.zeros_like(p) for p in params]
        Xj, Yj = jnp.array(X), jnp.array(Y)
        out, t = [], 0
        for order in orders:
            for start in range(0, N, BATCH):
                t += 1
                idx = jnp.array(order[start:start + BATCH])
                c1, c2 = (1.0, 1.0) if bug else (1 - 0.9 ** t, 1 - 0.999 ** t)
                params, m, v = step(params, m, v, Xj[idx], Yj[idx], c1, c2)
                out.append(([params[0].tolist(), params[2].tolist()],
                            [params[1].tolist(), params[3].tolist()]))
        return out


@pytest.mark.parametrize("bug", [None, "no_bias_correction"])
def test_a_jax_loop(bug):
    net, X, Y, orders = problem()
    report = compare_training(net, X, Y, jax_run(net, X, Y, orders, 0.05, bug),
                              optimizer=Adam(lr=0.05), epochs=EPOCHS, batch_size=BATCH,
                              order=orders)
    if bug is None:
        assert report.ok and report.steps == 12, str(report)
    else:
        assert (report.step, report.cause) == (1, "bias correction")
