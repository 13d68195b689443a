"""Optional: PyTorch autograd's gradients pass the oracle (skipped without torch)."""

import pytest

torch = pytest.importorskip("torch")

from nodenet import Network                                    # noqa: E402
from nodenet.oracle import assert_forward_match, assert_gradients_match   # noqa: E402


def test_torch_autograd_passes_and_a_wrong_grad_fails():
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(6, 3, generator=gen, dtype=torch.float64)
    labels = torch.tensor([0, 1, 2, 1, 0, 2])
    Y = torch.nn.functional.one_hot(labels, 3).to(torch.float64)
    W1 = torch.randn(4, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    b1 = torch.randn(4, generator=gen, dtype=torch.float64, requires_grad=True)
    W2 = torch.randn(3, 4, generator=gen, dtype=torch.float64, requires_grad=True)
    b2 = torch.randn(3, generator=gen, dtype=torch.float64, requires_grad=True)
    z1 = X @ W1.T + b1
    a1 = torch.tanh(z1)
    z2 = a1 @ W2.T + b2
    a2 = torch.softmax(z2, dim=1)
    loss = torch.nn.functional.cross_entropy(z2, labels)          # mean over samples
    loss.backward()
    net = Network.from_matrices([W1.detach(), W2.detach()], [b1.detach(), b2.detach()],
                                ["tanh", "softmax"], loss="cross_entropy")
    assert net.loss(X, Y) == pytest.approx(loss.item(), rel=1e-12)
    assert_forward_match(net, X, [a1.detach(), a2.detach()], [z1.detach(), z2.detach()])
    assert_gradients_match(net, X, Y, [W1.grad, W2.grad], [b1.grad, b2.grad])
    with pytest.raises(AssertionError, match="every gradient is 6× nodenet's"):
        assert_gradients_match(net, X, Y, [6 * W1.grad, 6 * W2.grad], [6 * b1.grad, 6 * b2.grad])
