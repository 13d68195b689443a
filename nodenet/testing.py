"""Hypothesis strategies for differential testing against nodenet (needs ``hypothesis``).

A client's test draws a case — a network, a batch and targets valid for its
loss — runs its own code on the same weights and data, and asserts with
nodenet's oracle::

    @given(nodenet.testing.cases(hidden=["tanh", "relu"], losses=["mse"]))
    def test_my_mlp(case):
        Ws, bs = case.matrices("out_in")
        dW, db = my_gradients(Ws, bs, case.activations, case.X, case.Y)
        assert_gradients_match(case.net, case.X, case.Y, dW, db)

On a failure hypothesis shrinks the case to a minimal network (fewest
layers and nodes, weights 0 where they can be) and prints it, and the
failure message is nodenet's report.  Every number drawn is a float32
value (so a float32 client gets exactly the same weights and data) in
[−bound, bound]; randomness is hypothesis's own, as its seed controls.

``networks()`` draws a Network alone, ``batches(net)`` inputs,
``targets(net, n)`` targets valid for the network's loss.
"""

from .errors import NodenetError
from .losses import get_loss
from .network import Network

INSTALL_HINT = "pip install hypothesis"

# losses that need one output activation (the one their formula assumes)
OUTPUT_OF = {"bce": "sigmoid", "cross_entropy": "softmax", "bce_with_logits": "identity",
             "cross_entropy_with_logits": "identity", "nll": "log_softmax"}
WHOLE_LAYER = ("softmax", "log_softmax")     # need two outputs or more to mean anything
CLASS_INDEX = ("nll", "cross_entropy_with_logits")      # targets: one class index per sample


def _strategies():
    """hypothesis.strategies, imported when first needed (an optional dependency)."""
    try:
        from hypothesis import strategies
    except ImportError:
        raise NodenetError(f"nodenet.testing needs hypothesis, which is not installed; install "
                           f"it with: {INSTALL_HINT}") from None
    return strategies


def numbers(bound=2.0):
    """Finite float32-representable floats in [−bound, bound], shrinking towards 0."""
    return _strategies().floats(-bound, bound, width=32, allow_nan=False,
                                allow_infinity=False, allow_subnormal=False)


def networks(hidden=("tanh", "sigmoid", "relu"), outputs=("identity", "sigmoid"),
             losses=("mse",), max_layers=3, max_width=4, bound=2.0):
    """A Network: 1…``max_layers`` layers of 1…``max_width`` nodes, hidden activations
    from ``hidden``, the output one from ``outputs`` (or the one the loss needs:
    sigmoid for bce, softmax for cross_entropy, …), a loss from ``losses`` (names or
    dicts) and weights and biases in [−bound, bound]."""
    st = _strategies()
    return st.composite(lambda draw: _network(draw, st, hidden, outputs, losses, max_layers,
                                              max_width, bound))()


def _network(draw, st, hidden, outputs, losses, max_layers, max_width, bound):
    loss = draw(st.sampled_from(list(losses)))
    name = get_loss(loss).name
    n_layers = draw(st.integers(1, max_layers))
    sizes = [draw(st.integers(1, max_width)) for _ in range(n_layers + 1)]
    out = OUTPUT_OF.get(name) or draw(st.sampled_from(list(outputs)))
    if out in WHOLE_LAYER or name in CLASS_INDEX:
        sizes[-1] = max(2, sizes[-1])
    acts = [draw(st.sampled_from(list(hidden))) for _ in range(n_layers - 1)] + [out]
    weights = [[[draw(numbers(bound)) for _ in range(n_in)] for _ in range(n_out)]
               for n_in, n_out in zip(sizes, sizes[1:])]
    biases = [[draw(numbers(bound)) for _ in range(n_out)] for n_out in sizes[1:]]
    return Network.from_matrices(weights, biases, acts, loss=loss)


def batches(net, n, bound=2.0):
    """``n`` input rows for ``net``."""
    st = _strategies()
    row = st.lists(numbers(bound), min_size=net.sizes[0], max_size=net.sizes[0])
    return st.lists(row, min_size=n, max_size=n)


def targets(net, n, bound=2.0):
    """``n`` targets valid for the network's loss: values in [0, 1] for the bce losses,
    probability rows for cross_entropy, one class index per sample (a flat list of
    ints) for nll and cross_entropy_with_logits, numbers in [−bound, bound] else."""
    st = _strategies()
    return st.composite(lambda draw: _targets(draw, st, net, n, bound))()


def _targets(draw, st, net, n, bound):
    loss = net.loss_function
    k = net.sizes[-1]
    if loss.name in CLASS_INDEX:
        return draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    if loss.name in ("bce", "bce_with_logits"):
        unit = st.floats(0.0, 1.0, width=32)
        return draw(st.lists(st.lists(unit, min_size=k, max_size=k), min_size=n, max_size=n))
    if loss.name == "cross_entropy":
        rows = []
        for _ in range(n):
            if draw(st.booleans()):
                c = draw(st.integers(0, k - 1))
                rows.append([1.0 if j == c else 0.0 for j in range(k)])
            else:
                w = [draw(st.integers(1, 8)) for _ in range(k)]
                rows.append([v / sum(w) for v in w])
        return rows
    row = st.lists(numbers(bound), min_size=k, max_size=k)
    return draw(st.lists(row, min_size=n, max_size=n))


class Case:
    """A drawn network with a batch: ``net``, inputs ``X`` and targets ``Y`` (lists).

    ``matrices(layout)`` gives the weights and biases as lists, ``activations``
    and ``loss`` their specs.  ``repr`` shows every number, so a shrunk
    failing case can be rebuilt from what hypothesis prints.

    >>> net = Network.from_matrices([[[0.5]]], activations="tanh", loss="mse")
    >>> Case(net, [[1.0]], [[0.0]])
    Case(sizes=[1, 1], activations=['tanh'], loss='mse', weights=[[[0.5]]], biases=[[0.0]], \
X=[[1.0]], Y=[[0.0]])
    """

    __slots__ = ("net", "X", "Y")

    def __init__(self, net, X, Y):
        self.net, self.X, self.Y = net, X, Y

    @property
    def sizes(self):
        return self.net.sizes

    @property
    def activations(self):
        return [layer.activation.to_spec() for layer in self.net.layers]

    @property
    def loss(self):
        return self.net.loss_function.to_spec()

    def matrices(self, layout="out_in"):
        """``(weights, biases)`` as fresh lists, weights in ``layout``."""
        return self.net.to_matrices(layout)

    def __repr__(self):
        weights, biases = self.matrices("out_in")
        return (f"Case(sizes={self.sizes}, activations={self.activations}, loss={self.loss!r}, "
                f"weights={weights}, biases={biases}, X={self.X}, Y={self.Y})")


def cases(hidden=("tanh", "sigmoid", "relu"), outputs=("identity", "sigmoid"),
          losses=("mse",), max_layers=3, max_width=4, max_batch=4, bound=2.0):
    """A Case: a network from ``networks(…)`` with the same arguments, 1…``max_batch``
    input rows and targets valid for its loss."""
    st = _strategies()
    nets = networks(hidden, outputs, losses, max_layers, max_width, bound)

    def draw_case(draw):
        net = draw(nets)
        n = draw(st.integers(1, max_batch))
        return Case(net, draw(batches(net, n, bound)), draw(targets(net, n, bound)))

    return st.composite(draw_case)()
