"""nodenet.oracle against real PyTorch: from_torch, grads_of and capture (skipped without torch)."""

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from nodenet import Network, NodenetError                                    # noqa: E402
from nodenet.oracle import (assert_forward_match, assert_gradients_match, capture,  # noqa: E402
                            compare_gradients, from_torch, grads_of)


def batch(n=7, d=3, k=2, seed=0, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(n, d, generator=gen, dtype=dtype),
            torch.randn(n, k, generator=gen, dtype=dtype))


def backward(model, loss, X, Y):
    model.zero_grad()
    loss(model(X), Y).backward()


def test_a_sequential_mlp_is_three_lines():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(),
                          nn.Sequential(nn.Linear(5, 4), nn.ReLU()), nn.Linear(4, 2)).double()
    X, Y = batch()
    loss = nn.MSELoss()
    backward(model, loss, X, Y)

    net = from_torch(model, loss=loss)
    report = assert_gradients_match(net, X, Y, *grads_of(model))

    assert repr(net) == "Network([3, 5, 4, 2], tanh, relu → identity, loss=mse)"
    assert report.max_rel_error < 1e-12
    assert net.loss(X, Y) == pytest.approx(loss(model(X), Y).item(), rel=1e-14)


ACTIVATIONS = [
    (nn.Sigmoid(), "sigmoid"), (nn.Tanh(), "tanh"), (nn.ReLU(), "relu"),
    (nn.LeakyReLU(0.2), "leaky_relu(alpha=0.2)"), (nn.GELU(), "gelu"),
    (nn.GELU(approximate="tanh"), "gelu_tanh"), (nn.SiLU(), "silu"),
    (nn.Softplus(beta=2.0, threshold=5.0), "softplus(beta=2.0, threshold=5.0)"),
    (nn.ELU(alpha=0.7), "elu(alpha=0.7)"), (nn.SELU(), "selu"), (nn.Softmax(dim=-1), "softmax"),
]


@pytest.mark.parametrize("module, name", ACTIVATIONS, ids=[n for _, n in ACTIVATIONS])
def test_every_activation_module_agrees_to_float64_rounding(module, name):
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 4), module, nn.Linear(4, 2)).double()
    X, Y = batch(seed=2)
    X = 3.0 * X                      # spread the net inputs over both sides of every kink
    loss = nn.MSELoss(reduction="sum")
    with capture(model) as seen:
        out = model(X)
    loss(out, Y).backward()
    net = from_torch(model, loss=loss)
    assert repr(net.layers[0].activation) == name
    assert_forward_match(net, X, seen.outputs, seen.nets, rtol=1e-12, atol=1e-14)
    report = assert_gradients_match(net, X, Y, *grads_of(model), rtol=1e-10, atol=1e-13)
    assert report.max_abs_error < 1e-12


LOSSES = [
    (lambda: nn.MSELoss(), "identity", "values"),
    (lambda: nn.MSELoss(reduction="sum"), "identity", "values"),
    (lambda: nn.L1Loss(), "identity", "values"),
    (lambda: nn.HuberLoss(delta=0.5), "identity", "values"),
    (lambda: nn.SmoothL1Loss(beta=0.3), "identity", "values"),
    (lambda: nn.BCELoss(), "sigmoid", "unit"),
    (lambda: nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0, 0.5], dtype=torch.float64)),
     "identity", "unit"),
    (lambda: nn.CrossEntropyLoss(), "identity", "classes"),
    (lambda: nn.CrossEntropyLoss(label_smoothing=0.1), "identity", "classes"),
    (lambda: nn.CrossEntropyLoss(reduction="sum"), "identity", "probabilities"),
    (lambda: nn.NLLLoss(), "log_softmax", "classes"),
]


@pytest.mark.parametrize("make, out, targets", LOSSES)
def test_every_loss_module_agrees_to_float64_rounding(make, out, targets):
    loss = make()
    torch.manual_seed(3)
    last = {"identity": [], "sigmoid": [nn.Sigmoid()], "log_softmax": [nn.LogSoftmax(dim=1)]}
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), *last[out]).double()
    X, Y = batch(seed=4)
    if targets == "unit":
        Y = torch.rand(7, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    elif targets == "classes":
        Y = torch.tensor([0, 1, 1, 0, 1, 0, 0])
    elif targets == "probabilities":
        Y = torch.softmax(Y, dim=1)
    backward(model, loss, X, Y)
    net = from_torch(model, loss=loss)
    assert net.loss(X, Y) == pytest.approx(loss(model(X), Y).item(), rel=1e-13)
    report = assert_gradients_match(net, X, Y, *grads_of(model), rtol=1e-10, atol=1e-13)
    assert report.max_rel_error < 1e-11


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_a_low_precision_model_passes_with_its_preset(dtype):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(),
                          nn.Linear(16, 3)).to(dtype)
    X = torch.randn(64, 20).to(dtype)
    labels = torch.randint(0, 3, (64,))
    loss = nn.CrossEntropyLoss()
    with capture(model) as seen:
        out = model(X)
    loss(out, labels).backward()
    net = from_torch(model, loss=loss)
    assert_forward_match(net, X, seen.outputs, seen.nets, dtype=dtype)
    report = assert_gradients_match(net, X, labels, *grads_of(model), dtype=dtype)
    assert str(dtype).split(".")[1] + ": rtol=" in str(report)
    # with float64's tolerances the rounding shows
    assert not compare_gradients(net, X, labels, *grads_of(model)).ok
    # and a planted bug (the mean forgotten) is caught in this precision too
    dW, db = grads_of(model)
    text = str(compare_gradients(net, X, labels, [64 * w for w in dW], [64 * b for b in db],
                                 dtype=dtype))
    assert "every gradient is 64× nodenet's, a factor of N = 64 samples" in text


def test_linear_without_bias_and_eval_dropout():
    torch.manual_seed(2)
    model = nn.Sequential(nn.Linear(3, 4, bias=False), nn.Dropout(0.5), nn.Sigmoid(),
                          nn.Linear(4, 2), nn.Identity()).double()
    model.eval()
    X, Y = batch(seed=6)
    backward(model, nn.MSELoss(), X, Y)
    net = from_torch(model, loss=nn.MSELoss())
    assert [layer.use_bias for layer in net.layers] == [False, True]
    dW, db = grads_of(model)
    assert db[0] is None
    report = assert_gradients_match(net, X, Y, dW, db)
    assert "layer 1: all 12 weights match (biases not compared)" in str(report)
    model.train()
    with pytest.raises(NodenetError, match=r"^from_torch: module '1' \(Dropout\) is in training "
                                           r"mode \(p=0.5\): its random mask is not nodenet's"):
        from_torch(model, loss="mse")


SHARED = nn.Linear(3, 3)


@pytest.mark.parametrize("modules, message", [
    (lambda: [nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1)],
     r"from_torch: module '1' \(BatchNorm1d\) cannot be read; nodenet reads torch.nn.Sequential"),
    (lambda: [nn.Linear(3, 4), nn.Softmax(dim=0)],
     r"from_torch: module '1' \(Softmax\): Softmax\(dim=0\) normalizes across the samples"),
    (lambda: [nn.Linear(3, 4), nn.ReLU(), nn.Tanh()],
     r"from_torch: module '2' \(Tanh\) is a second activation after module '0' \(Linear\)"),
    (lambda: [nn.ReLU(), nn.Linear(3, 4)],
     r"from_torch: module '0' \(ReLU\) comes before any Linear layer"),
    (lambda: [nn.Linear(3, 4), nn.Hardtanh()],
     r"from_torch: module '1' \(Hardtanh\) cannot be read"),
    (lambda: [nn.Sequential(nn.Linear(3, 4), nn.Conv1d(1, 1, 1))],
     r"from_torch: module '0.1' \(Conv1d\) cannot be read"),
    (lambda: [SHARED, nn.Tanh(), SHARED],
     r"from_torch: module '2' \(Linear\) is the same Linear as module '0' \(Linear\)"),
])
def test_unreadable_modules_are_named_with_their_position(modules, message):
    with pytest.raises(NodenetError, match="^" + message):
        from_torch(nn.Sequential(*modules()), loss="mse")


class MLP(nn.Module):
    """A model whose forward() is code: read through its state_dict."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        return self.out(torch.nn.functional.silu(self.hidden(x)))


def test_a_custom_module_through_its_state_dict_and_named_activations():
    torch.manual_seed(4)
    model = MLP().double()
    X, Y = batch(seed=7)
    backward(model, nn.MSELoss(), X, Y)
    with pytest.raises(NodenetError, match=r"^from_torch: MLP is not a torch.nn.Sequential; its "
                                           r"forward\(\) is code nodenet cannot read — pass "
                                           r"activations="):
        from_torch(model, loss="mse")
    for source in (model, model.state_dict()):
        for acts in (["silu", "identity"], [nn.SiLU(), None]):
            net = from_torch(source, activations=acts, loss=nn.MSELoss())
            assert_gradients_match(net, X, Y, *grads_of(model), rtol=1e-12)
    with pytest.raises(NodenetError, match=r"activations must list one per Linear layer: "
                                           r"expected 2, got 1"):
        from_torch(model, activations=["silu"], loss="mse")
    bn = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    with pytest.raises(NodenetError, match=r"state_dict entry '1.weight' \(shape \[4\]\) is not a "
                                           r"Linear layer's weight or bias"):
        from_torch(bn.state_dict(), activations=["relu", "relu"], loss="mse")


def test_grads_of_needs_backward_first():
    model = nn.Sequential(nn.Linear(3, 2))
    with pytest.raises(NodenetError, match=r"^grads_of: layer 1's weight has no \.grad: call "
                                           r"loss.backward\(\) first"):
        grads_of(model)


def test_capture_removes_its_hooks_and_copies_in_place_values():
    torch.manual_seed(5)
    act = nn.ReLU(inplace=True)                   # one module at two positions, in place
    model = nn.Sequential(nn.Linear(3, 4), act, nn.Linear(4, 4), act, nn.Linear(4, 1)).double()
    X, _ = batch(seed=8)
    with capture(model) as seen:
        model(X)
    assert all(not m._forward_hooks for m in model.modules())
    net = from_torch(model, loss="mse")
    assert_forward_match(net, X, seen.outputs, seen.nets, rtol=1e-13, atol=1e-15)
    assert min(min(row) for row in seen.nets[0]) < 0.0        # z kept, not the ReLU'd values
    with pytest.raises(RuntimeError, match="boom"):
        with capture(model):
            raise RuntimeError("boom")
    assert all(not m._forward_hooks for m in model.modules())
    with pytest.raises(NodenetError, match="capture: no net inputs for layer 1: call the model "
                                           "inside the with block"):
        with capture(model) as unused:
            pass
        unused.nets


def test_biases_as_rows_or_columns_are_read_by_from_matrices():
    # numpy-ml keeps biases as 1×n rows; from_matrices reads them as compare_gradients does
    W = [[[0.5, -0.2], [0.1, 0.3]]]
    for b in ([[[0.1, 0.2]]], [[[0.1], [0.2]]], [[0.1, 0.2]]):
        assert Network.from_matrices(W, b).to_matrices()[1] == [[0.1, 0.2]]
    with pytest.raises(NodenetError, match=r"^layer 1 biases: expected 2 values \(a vector, 2×1 "
                                           r"or 1×2\), got 1×3$"):
        Network.from_matrices(W, [[[0.1, 0.2, 0.3]]])
