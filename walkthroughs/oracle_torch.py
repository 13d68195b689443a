"""nodenet as a test oracle for a PyTorch model, beside torch.autograd.gradcheck.

1. A small ``torch.nn.Sequential`` (3-4-2, tanh, MSELoss, float64): nodenet
   reads it with ``from_torch``, its per-layer values with ``capture`` and its
   gradients with ``grads_of``; forward pass and gradients agree.
2. The same model with a planted bug: a hand-written tanh whose backward
   computes 1 − z² from its input z where 1 − a² (from its output) belongs.
   nodenet names the layer and the bug; ``torch.autograd.gradcheck`` on the
   same function says "Jacobian mismatch … with respect to input 0" and
   prints the Jacobian.

Needs PyTorch.  Run ``python walkthroughs/oracle_torch.py``.
"""

try:
    import torch
except ImportError:
    raise SystemExit("oracle_torch.py needs PyTorch: pip install torch") from None

from nodenet.oracle import (assert_forward_match, assert_gradients_match, capture,
                            compare_gradients, from_torch, grads_of)

nn = torch.nn


def data():
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(5, 3, generator=gen, dtype=torch.float64)
    Y = torch.randn(5, 2, generator=gen, dtype=torch.float64)
    return X, Y


def model_of(activation):
    torch.manual_seed(1)
    return nn.Sequential(nn.Linear(3, 4), activation, nn.Linear(4, 2)).double()


def check_model():
    model = model_of(nn.Tanh())
    X, Y = data()
    loss = nn.MSELoss()
    with capture(model) as seen:
        out = model(X)
    loss(out, Y).backward()
    net = from_torch(model, loss=loss)
    assert_forward_match(net, X, seen.outputs, seen.nets)
    report = assert_gradients_match(net, X, Y, *grads_of(model))
    print(f"1. nn.Sequential(Linear(3, 4), Tanh(), Linear(4, 2)), MSELoss, 5 samples: {net}")
    print(report)


class TanhFromZ(torch.autograd.Function):
    """tanh with the planted bug: its backward uses the input z, 1 − z², not 1 − a²."""

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return torch.tanh(z)

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad * (1.0 - z * z)


class BuggyTanh(nn.Module):
    def forward(self, z):
        return TanhFromZ.apply(z)


def planted_bug():
    model = model_of(BuggyTanh())
    X, Y = data()
    loss = nn.MSELoss()
    loss(model(X), Y).backward()
    # the custom module has no nodenet name: read the weights from the state_dict
    net = from_torch(model.state_dict(), activations=["tanh", "identity"], loss=loss)
    print("\n2. The same model with a hand-written tanh whose backward uses 1 − z²:\n")
    print("nodenet:")
    print(compare_gradients(net, X, Y, *grads_of(model)))
    print("\ntorch.autograd.gradcheck on the same function:")
    W1, b1 = model[0].weight.detach(), model[0].bias.detach()
    W2, b2 = model[2].weight.detach(), model[2].bias.detach()

    def f(W1, b1, W2, b2):
        return loss(TanhFromZ.apply(X @ W1.T + b1) @ W2.T + b2, Y)

    params = tuple(p.clone().requires_grad_() for p in (W1, b1, W2, b2))
    try:
        torch.autograd.gradcheck(f, params)
        print("passed")
    except Exception as err:                 # gradcheck's GradcheckError
        print(str(err).strip())


def main():
    check_model()
    planted_bug()


if __name__ == "__main__":
    main()
