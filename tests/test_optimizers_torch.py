"""nodenet's optimizers and schedules against real torch.optim, in float64.

Each run trains the same network in both for 17 epochs of 11 samples in
batches of 4 (3 steps per epoch, the last one a partial batch of 3: 51 steps),
with one permutation per epoch given to both, and compares every weight and
bias after the run to 1e-12 relative.  Biases start non-zero so that weight
decay on them shows.
"""

import math
import random

import pytest

torch = pytest.importorskip("torch", reason="the comparison needs PyTorch")

from nodenet import Network                                        # noqa: E402
from nodenet import optimizers as nopt                              # noqa: E402
from nodenet import schedules as nsched                             # noqa: E402

T = torch.optim
L = torch.optim.lr_scheduler
EPOCHS, N, BATCH = 17, 11, 4
ACTS = ("tanh", "sigmoid", "identity")
TORCH_ACT = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "identity": lambda z: z}


def network(loss="mse", seed=0):
    net = Network([3, 5, 4, 2], activation=list(ACTS[:-1]), output_activation=ACTS[-1],
                  loss=loss, init="uniform", seed=seed)
    rng = random.Random(seed + 100)
    for layer in net.layers:
        for node in layer:
            node.bias = rng.uniform(-0.5, 0.5)
    return net


def problem(seed=1):
    rng = random.Random(seed)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(N)]
    Y = [[rng.uniform(-1, 1) for _ in range(2)] for _ in range(N)]
    orders = []
    for _ in range(EPOCHS):
        order = list(range(N))
        rng.shuffle(order)
        orders.append(order)
    return X, Y, orders


def torch_loss(loss, out, y):
    if loss == "mse":
        return ((out - y) ** 2).mean()
    if loss == "sse":
        return ((out - y) ** 2).sum()
    return 0.5 * ((out - y) ** 2).sum()             # half_sse


def torch_run(net, X, Y, orders, make_optimizer, make_schedule, decay_biases, batch=BATCH):
    """The same run in PyTorch; returns the weights, biases and the rate of every epoch."""
    W, b = net.to_matrices()
    Ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in W]
    bs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in b]
    biases = {"params": bs} if decay_biases else {"params": bs, "weight_decay": 0.0}
    opt = make_optimizer([{"params": Ws}, biases])
    schedule = make_schedule(opt) if make_schedule else None
    Xt, Yt = torch.tensor(X, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)
    rates = []
    for order in orders:
        rates.append(opt.param_groups[0]["lr"])
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            a = Xt[idx]
            for w, bias, act in zip(Ws, bs, ACTS):
                a = TORCH_ACT[act](a @ w.T + bias)
            torch_loss(net.loss_function.name, a, Yt[idx]).backward()
            opt.step()
        if schedule is not None:
            schedule.step()
    return [w.detach().tolist() for w in Ws], [v.detach().tolist() for v in bs], rates


def flat(weights, biases):
    return [x for m in weights for row in m for x in row] + [x for v in biases for x in v]


def assert_same_run(ours, theirs, start):
    ours, theirs = flat(*ours), flat(*theirs)
    assert len(ours) == len(theirs) == 5 * 3 + 4 * 5 + 2 * 4 + 11
    for a, b in zip(ours, theirs):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15)
    # and the run really moved every parameter
    assert min(abs(a - s) for a, s in zip(ours, flat(*start))) > 1e-6


CASES = {
    "SGD": (lambda: nopt.SGD(lr=0.1), lambda p: T.SGD(p, lr=0.1)),
    "SGD momentum, weight decay without biases": (
        lambda: nopt.SGD(lr=0.1, momentum=0.9, weight_decay=0.01, decay_biases=False),
        lambda p: T.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01)),
    "SGD nesterov, weight decay": (
        lambda: nopt.SGD(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.02),
        lambda p: T.SGD(p, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.02)),
    "SGD dampening": (
        lambda: nopt.SGD(lr=0.1, momentum=0.7, dampening=0.3),
        lambda p: T.SGD(p, lr=0.1, momentum=0.7, dampening=0.3)),
    "Adam": (lambda: nopt.Adam(lr=0.01), lambda p: T.Adam(p, lr=0.01)),
    "Adam betas, eps, L2, amsgrad": (
        lambda: nopt.Adam(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True),
        lambda p: T.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True)),
    "AdamW": (lambda: nopt.AdamW(lr=0.01), lambda p: T.AdamW(p, lr=0.01)),
    "AdamW undecayed biases, amsgrad": (
        lambda: nopt.AdamW(lr=0.02, weight_decay=0.1, amsgrad=True, decay_biases=False),
        lambda p: T.AdamW(p, lr=0.02, weight_decay=0.1, amsgrad=True)),
    "RMSprop": (lambda: nopt.RMSprop(lr=0.01), lambda p: T.RMSprop(p, lr=0.01)),
    "RMSprop centered, momentum, L2": (
        lambda: nopt.RMSprop(lr=0.01, alpha=0.9, eps=1e-7, momentum=0.5, centered=True,
                             weight_decay=0.05),
        lambda p: T.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7, momentum=0.5, centered=True,
                            weight_decay=0.05)),
    "Adagrad": (
        lambda: nopt.Adagrad(lr=0.1, lr_decay=0.01, weight_decay=0.01,
                             initial_accumulator_value=0.1, eps=1e-9),
        lambda p: T.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.01,
                            initial_accumulator_value=0.1, eps=1e-9)),
}

SCHEDULES = {
    "none": (lambda: None, None),
    "StepLR": (lambda: nsched.StepLR(3, gamma=0.7), lambda o: L.StepLR(o, 3, gamma=0.7)),
    "ExponentialLR": (lambda: nsched.ExponentialLR(0.93), lambda o: L.ExponentialLR(o, 0.93)),
    # T_max = 6 < 17 epochs: down to eta_min, then back up (PyTorch does not restart)
    "CosineAnnealingLR": (lambda: nsched.CosineAnnealingLR(6, eta_min=0.001),
                          lambda o: L.CosineAnnealingLR(o, 6, eta_min=0.001)),
    "LinearLR": (lambda: nsched.LinearLR(0.25, 0.9, total_iters=5),
                 lambda o: L.LinearLR(o, 0.25, 0.9, total_iters=5)),
}


@pytest.mark.parametrize("schedule", list(SCHEDULES))
@pytest.mark.parametrize("case", list(CASES))
def test_a_run_matches_torch_optim(case, schedule):
    make_ours, make_theirs = CASES[case]
    ours_schedule, theirs_schedule = SCHEDULES[schedule]
    X, Y, orders = problem()
    net, start = network(), network()
    optimizer = make_ours()
    decay_biases = optimizer.decay_biases
    theirs_w, theirs_b, rates = torch_run(net, X, Y, orders, make_theirs, theirs_schedule,
                                          decay_biases)
    history = net.train(X, Y, EPOCHS, optimizer=optimizer, batch_size=BATCH, order=orders,
                        schedule=ours_schedule())
    assert optimizer.steps == EPOCHS * 3 == 51
    assert history.etas == rates                        # the schedules agree to the bit
    assert history.orders == [tuple(o) for o in orders]
    assert_same_run(net.to_matrices(), (theirs_w, theirs_b), start.to_matrices())


@pytest.mark.parametrize("loss", ["sse", "half_sse"])
@pytest.mark.parametrize("batch", [1, 5])
def test_summed_losses_and_online_steps_match_torch(loss, batch):
    # a summed loss needs no 1/B; batch_size=1 with plain SGD takes the fast fused path
    X, Y, orders = problem(seed=3)
    for make_ours, make_theirs in (CASES["SGD"], CASES["Adam"]):
        net, start = network(loss, seed=2), network(loss, seed=2)
        optimizer = make_ours()
        optimizer.lr /= 10
        theirs_w, theirs_b, _ = torch_run(
            net, X, Y, orders, lambda p, f=make_theirs: _with_lr(f(p), optimizer.lr), None,
            True, batch=batch)
        net.train(X, Y, EPOCHS, optimizer=optimizer, batch_size=batch, order=orders)
        assert_same_run(net.to_matrices(), (theirs_w, theirs_b), start.to_matrices())


def _with_lr(opt, lr):
    for group in opt.param_groups:
        group["lr"] = lr
    return opt


def test_eta_momentum_and_l2_are_torch_sgd_with_a_bias_group_without_decay():
    # train(eta, momentum, l2) keeps its meaning: with a constant η the handout's
    # v ← μv − ηg is PyTorch's buffer form, and l2 leaves the biases alone
    X, Y, orders = problem(seed=4)
    net, start = network(seed=5), network(seed=5)
    theirs_w, theirs_b, _ = torch_run(
        net, X, Y, orders, lambda p: T.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01), None,
        decay_biases=False)
    net.train(X, Y, EPOCHS, 0.1, batch_size=BATCH, momentum=0.9, l2=0.01, order=orders)
    assert_same_run(net.to_matrices(), (theirs_w, theirs_b), start.to_matrices())


def test_handout_momentum_under_a_schedule_is_not_torch_sgd():
    # η inside the velocity: once η drops, the two forms part (the 1.94 relative)
    X, Y, orders = problem(seed=4)
    net = network(seed=5)
    theirs_w, theirs_b, _ = torch_run(
        net, X, Y, orders, lambda p: T.SGD(p, lr=0.1, momentum=0.9),
        lambda o: L.StepLR(o, 2, gamma=0.1), True)
    handout = net.copy()
    handout.train(X, Y, EPOCHS, optimizer=nopt.HandoutMomentum(0.1, momentum=0.9),
                  batch_size=BATCH, order=orders, schedule=nsched.StepLR(2, 0.1))
    differ = max(abs(a - b) / abs(b) for a, b in zip(flat(*handout.to_matrices()),
                                                      flat(theirs_w, theirs_b)))
    assert f"{differ:.2f}" == "0.70"                    # the README's number
    torch_form = net.copy()
    torch_form.train(X, Y, EPOCHS, optimizer=nopt.SGD(0.1, momentum=0.9), batch_size=BATCH,
                     order=orders, schedule=nsched.StepLR(2, 0.1))
    assert_same_run(torch_form.to_matrices(), (theirs_w, theirs_b), net.to_matrices())


def test_l2_leaves_the_biases_alone_where_torch_weight_decay_does_not():
    X, Y, orders = problem(seed=4)
    net = network(seed=5)
    theirs_w, theirs_b, _ = torch_run(net, X, Y, orders,
                                      lambda p: T.SGD(p, lr=0.1, weight_decay=0.1), None, True)
    ours = net.copy()
    ours.train(X, Y, EPOCHS, 0.1, batch_size=BATCH, l2=0.1, order=orders)
    differ = max(abs(a - b) / abs(b) for a, b in zip(flat(*ours.to_matrices()),
                                                      flat(theirs_w, theirs_b)))
    assert f"{differ:.2f}" == "0.77"                    # the README's number
    ours = net.copy()
    ours.train(X, Y, EPOCHS, 0.1, batch_size=BATCH, l2=0.1, l2_bias=True, order=orders)
    assert_same_run(ours.to_matrices(), (theirs_w, theirs_b), net.to_matrices())


@pytest.mark.parametrize("name", list(SCHEDULES)[1:])
def test_schedule_rates_equal_torch_get_last_lr_bit_for_bit(name):
    ours, theirs = SCHEDULES[name]
    param = torch.zeros(1, requires_grad=True)
    opt = T.SGD([param], lr=0.3)
    schedule = theirs(opt)
    expected = []
    for _ in range(40):
        expected.append(schedule.get_last_lr()[0])
        opt.step()
        schedule.step()
    assert ours().rates(0.3, 40) == expected
    assert all(math.isfinite(r) and r >= 0 for r in expected)
