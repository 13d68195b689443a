"""Every activation × loss against PyTorch float64 (skipped without torch).

The same weights in nodenet and in ``torch.nn.functional``: the batch loss
and every weight and bias gradient agree to 1e-12 relative to the largest
entry of each tensor on ordinary inputs.  On saturated inputs both are
compared with the true value (mpmath, 60 digits) and nodenet must be at
least as close as PyTorch, to a few ulps.
"""

import math
import random
import warnings

import pytest

torch = pytest.importorskip("torch", reason="compares with PyTorch (pip install torch)")
F = torch.nn.functional

from nodenet import ACTIVATIONS, Network, get_activation, get_loss   # noqa: E402

TORCH_ACT = {
    "identity": lambda z: z,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
    "gelu": F.gelu,
    "gelu_tanh": lambda z: F.gelu(z, approximate="tanh"),
    "silu": F.silu,
    "softplus": F.softplus,
    "elu": F.elu,
    "selu": F.selu,
    "softmax": lambda z: F.softmax(z, dim=-1),
    "log_softmax": lambda z: F.log_softmax(z, dim=-1),
}
EXTRA_ACTS = {   # parameterized specs and their torch twins
    "leaky_relu(0.2)": ({"name": "leaky_relu", "alpha": 0.2}, lambda z: F.leaky_relu(z, 0.2)),
    "softplus(2, 3)": ({"name": "softplus", "beta": 2.0, "threshold": 3.0},
                       lambda z: F.softplus(z, beta=2.0, threshold=3.0)),
    "elu(0.5)": ({"name": "elu", "alpha": 0.5}, lambda z: F.elu(z, alpha=0.5)),
}


def clipped_ce(a, y):
    return -(y * torch.log(a.clamp(1e-12, 1 - 1e-12))).sum(dim=1)


TORCH_LOSS = {   # name → (spec, torch loss(outputs, targets), kind of targets, outputs allowed)
    "sse": ("sse", lambda a, y: ((y - a) ** 2).sum(), "values", None),
    "half_sse": ("half_sse", lambda a, y: 0.5 * ((y - a) ** 2).sum(), "values", None),
    "mse": ("mse", F.mse_loss, "values", None),
    "mse_sum": ({"name": "mse", "reduction": "sum"},
                lambda a, y: F.mse_loss(a, y, reduction="sum"), "values", None),
    "l1": ("l1", F.l1_loss, "values", None),
    "huber": ({"name": "huber", "delta": 0.7}, lambda a, y: F.huber_loss(a, y, delta=0.7),
              "values", None),
    "smooth_l1": ({"name": "smooth_l1", "beta": 0.6},
                  lambda a, y: F.smooth_l1_loss(a, y, beta=0.6), "values", None),
    "smooth_l1_sum": ({"name": "smooth_l1", "reduction": "sum"},
                      lambda a, y: F.smooth_l1_loss(a, y, reduction="sum"), "values", None),
    "bce": ("bce", F.binary_cross_entropy, "unit", ("sigmoid", "softmax")),
    "bce_sum": ({"name": "bce", "reduction": "sum"},
                lambda a, y: F.binary_cross_entropy(a, y, reduction="sum"), "unit",
                ("sigmoid",)),
    "cross_entropy": ("cross_entropy", lambda a, y: clipped_ce(a, y).mean(), "distribution",
                      ("softmax", "sigmoid")),
    "bce_with_logits": ("bce_with_logits", F.binary_cross_entropy_with_logits, "unit", None),
    "bce_with_logits_w": ({"name": "bce_with_logits", "pos_weight": [2.5, 0.5, 1.0]},
                          lambda a, y: F.binary_cross_entropy_with_logits(
                              a, y, pos_weight=torch.tensor([2.5, 0.5, 1.0], dtype=a.dtype)),
                          "unit", None),
    "ce_logits_index": ("cross_entropy_with_logits", F.cross_entropy, "index", None),
    "ce_logits_probs": ({"name": "cross_entropy_with_logits", "label_smoothing": 0.2},
                        lambda a, y: F.cross_entropy(a, y, label_smoothing=0.2),
                        "distribution", None),
    "ce_logits_smooth_index": ({"name": "cross_entropy_with_logits", "label_smoothing": 0.15,
                                "reduction": "sum"},
                               lambda a, y: F.cross_entropy(a, y, label_smoothing=0.15,
                                                            reduction="sum"), "index", None),
    "nll": ("nll", F.nll_loss, "index", None),
}


def make_targets(kind, rng, n, k):
    if kind == "index":
        return [rng.randrange(k) for _ in range(n)]
    if kind == "unit":
        return [[rng.choice([0.0, 1.0, rng.random()]) for _ in range(k)] for _ in range(n)]
    if kind == "distribution":
        rows = []
        for _ in range(n):
            w = [rng.random() for _ in range(k)]
            rows.append([v / sum(w) for v in w])
        return rows
    return [[rng.uniform(-1.5, 1.5) for _ in range(k)] for _ in range(n)]


def torch_run(weights, biases, acts, loss_fn, X, Y, kind):
    Ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in weights]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in biases]
    a = torch.tensor(X, dtype=torch.float64)
    for W, b, f in zip(Ws, bs, acts):
        a = f(a @ W.T + b)
    target = torch.tensor(Y, dtype=torch.long if kind == "index" else torch.float64)
    loss = loss_fn(a, target)
    loss.backward()
    return loss.item(), [W.grad.tolist() for W in Ws], [b.grad.tolist() for b in bs]


def close_to_largest(got, want, rel=1e-12):
    flat_got = [v for row in got for v in (row if isinstance(row, list) else [row])]
    flat_want = [v for row in want for v in (row if isinstance(row, list) else [row])]
    scale = max(map(abs, flat_want)) or 1.0
    return max(abs(g - w) for g, w in zip(flat_got, flat_want)) <= rel * scale


def check_pairing(hidden, hidden_torch, out, out_torch, loss_name, seed):
    spec, loss_fn, kind, outputs = TORCH_LOSS[loss_name]
    rng = random.Random(seed)
    sizes = [3, 4, 3]
    weights = [[[rng.uniform(-1, 1) for _ in range(n_in)] for _ in range(n_out)]
               for n_in, n_out in zip(sizes, sizes[1:])]
    biases = [[rng.uniform(-0.5, 0.5) for _ in range(n)] for n in sizes[1:]]
    X = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(5)]
    Y = make_targets(kind, rng, 5, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = Network.from_matrices(weights, biases, [hidden, out], loss=spec)
    want = torch_run(weights, biases, [hidden_torch, out_torch], loss_fn, X, Y, kind)
    got_loss = net.loss(X, Y)
    dW, db = net.gradients(X, Y)
    where = (hidden, out, loss_name)
    assert got_loss == pytest.approx(want[0], rel=1e-12, abs=1e-300), where
    for l in range(2):
        assert close_to_largest(dW[l], want[1][l]), (where, l, dW[l], want[1][l])
        assert close_to_largest(db[l], want[2][l]), (where, l, db[l], want[2][l])


@pytest.mark.parametrize("loss_name", list(TORCH_LOSS))
def test_every_activation_and_loss_pairing_matches_torch_float64(loss_name):
    outputs = TORCH_LOSS[loss_name][3] or [n for n in TORCH_ACT if n != "softmax" or
                                           loss_name not in ("nll",)]
    hidden_names = list(TORCH_ACT)
    for i, out in enumerate(outputs):
        for j in range(2):                  # two hidden activations per output, in turn
            hidden = hidden_names[(i * 2 + j) % len(hidden_names)]
            check_pairing(hidden, TORCH_ACT[hidden], out, TORCH_ACT[out], loss_name, seed=i * 7 + j)


@pytest.mark.parametrize("name", list(EXTRA_ACTS))
def test_parameterized_activations_match_torch(name):
    spec, fn = EXTRA_ACTS[name]
    for loss_name in ("mse", "ce_logits_index"):
        check_pairing(spec, fn, "identity", TORCH_ACT["identity"], loss_name, seed=5)
        check_pairing("tanh", torch.tanh, spec, fn, "mse", seed=6)


def test_every_hidden_activation_under_every_loss_once():
    losses = list(TORCH_LOSS)
    for i, hidden in enumerate(TORCH_ACT):
        loss_name = losses[i % len(losses)]
        out = (TORCH_LOSS[loss_name][3] or ["identity"])[0]
        check_pairing(hidden, TORCH_ACT[hidden], out, TORCH_ACT[out], loss_name, seed=100 + i)


def test_a_gelu_mlp_with_cross_entropy_on_class_indices_checks_to_1e_12():
    # the "done when": a torch.nn.Sequential with GELU hidden layers and
    # CrossEntropyLoss on class indices, checked by nodenet in float64
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.GELU(), torch.nn.Linear(8, 8),
                                torch.nn.GELU(), torch.nn.Linear(8, 3)).double()
    X = torch.randn(10, 4, dtype=torch.float64)
    labels = torch.randint(0, 3, (10,))
    loss = torch.nn.CrossEntropyLoss()(model(X), labels)
    loss.backward()
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    net = Network.from_matrices([m.weight.detach() for m in linears],
                                [m.bias.detach() for m in linears],
                                ["gelu", "gelu", "identity"], loss="cross_entropy_with_logits")
    assert net.loss(X, labels) == pytest.approx(loss.item(), rel=1e-13)
    dW, db = net.gradients(X, labels)
    for l, m in enumerate(linears):
        assert close_to_largest(dW[l], m.weight.grad.tolist())
        assert close_to_largest(db[l], m.bias.grad.tolist())


# -- saturated inputs: finite, and as close to the truth as PyTorch -------------

mpmath = pytest.importorskip("mpmath", reason="true values from mpmath")
MP = mpmath.mp.clone() if hasattr(mpmath.mp, "clone") else mpmath.mp

TRUE = {   # the true f and f′ at 60 digits
    "sigmoid": (lambda z: 1 / (1 + mpmath.exp(-z)),
                lambda z: mpmath.exp(-z) / (1 + mpmath.exp(-z)) ** 2),
    "tanh": (mpmath.tanh, lambda z: 1 / mpmath.cosh(z) ** 2),
    "gelu": (lambda z: z * mpmath.ncdf(z), lambda z: mpmath.ncdf(z) + z * mpmath.npdf(z)),
    "silu": (lambda z: z / (1 + mpmath.exp(-z)),
             lambda z: mpmath.diff(lambda t: t / (1 + mpmath.exp(-t)), z)),
    "softplus": (lambda z: mpmath.log1p(mpmath.exp(z)) if z <= 20 else z,
                 lambda z: 1 / (1 + mpmath.exp(-z)) if z <= 20 else mpmath.mpf(1)),
    "elu": (lambda z: z if z > 0 else mpmath.expm1(z), lambda z: 1 if z > 0 else mpmath.exp(z)),
}


def rel_err(x, true):
    true = float(true) if abs(true) > 1e-300 else 0.0
    if true == 0.0:
        return abs(x)
    return abs(x - true) / abs(true)


@pytest.mark.parametrize("name", list(TRUE))
def test_saturated_activations_are_as_close_to_the_truth_as_torch(name):
    f_true, df_true = TRUE[name]
    act = ACTIVATIONS[name]
    with mpmath.workdps(60):
        for z in [-1000.0, -300.0, -40.0, -25.0, -12.0, -6.0, 6.0, 12.0, 25.0, 40.0, 300.0, 1000.0]:
            zt = torch.tensor([z], dtype=torch.float64, requires_grad=True)
            out = TORCH_ACT[name](zt)
            out.backward()
            t_val, t_der = out.item(), zt.grad.item()
            a = act.function(z)
            d = act.derivative(z, a)
            assert math.isfinite(a) and math.isfinite(d)
            tv, td = f_true(mpmath.mpf(z)), df_true(mpmath.mpf(z))
            assert rel_err(a, tv) <= max(rel_err(t_val, tv), 4e-16), (name, z, a, t_val)
            assert rel_err(d, td) <= max(rel_err(t_der, td), 4e-15), (name, z, d, t_der, td)


def test_logits_losses_where_the_naive_formula_overflows_match_torch():
    z = [[-800.0, 750.0, 30.0], [900.0, -900.0, 0.0]]
    y = [[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]]
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(zt, torch.tensor(y, dtype=torch.float64))
    loss.backward()
    ours = get_loss("bce_with_logits")
    assert ours.value(y, z) == pytest.approx(loss.item(), rel=1e-14)
    grads = [-g / 2 for t, a in zip(y, z) for g in ours.upstream(t, a)]   # ∂L/∂z (e has the 1/K)
    # the true ∂L/∂z = (σ(z) − y)/(N·K); at z = 30, y = 1, PyTorch's σ(z) − y has lost
    # 3 digits (1.558e-14 for 1.5596e-14), nodenet's y·σ(−z) − (1 − y)·σ(z) has not
    with mpmath.workdps(50):
        true = [float((1 / (1 + mpmath.exp(-mpmath.mpf(a))) - t) / 6)
                for row_z, row_y in zip(z, y) for a, t in zip(row_z, row_y)]
    theirs = sum(zt.grad.tolist(), [])
    for ours_g, torch_g, true_g in zip(grads, theirs, true):
        assert abs(ours_g - true_g) <= max(abs(torch_g - true_g), 2e-16 * abs(true_g))
        assert ours_g == pytest.approx(true_g, rel=1e-15, abs=1e-300)
    assert abs(theirs[2] - true[2]) > 1e-4 * abs(true[2])       # PyTorch's is 1e-3 off
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(zt, torch.tensor([0, 1]))
    loss.backward()
    ours = get_loss("cross_entropy_with_logits")
    assert ours.value([[0], [1]], z) == pytest.approx(loss.item(), rel=1e-14)
    grads = [-g / 2 for t, a in zip([[0.0], [1.0]], z) for g in ours.upstream(t, a)]
    assert grads == pytest.approx(sum(zt.grad.tolist(), []), rel=1e-14, abs=1e-300)


def test_activation_specs_read_as_torch_modules_name_them():
    assert repr(get_activation({"name": "softplus", "beta": 2.0, "threshold": 3.0})) == \
        "softplus(beta=2.0, threshold=3.0)"
