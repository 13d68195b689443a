"""Diagnostics for the seeds' pitfalls, as data first and tables second.

Seed 001's debugging checklist names four symptoms; each has a number here:

* vanishing gradients — per layer, the mean |δ| over the epoch's samples
  and nodes and the largest |Δw| applied to its weights (``LayerHealth``);
  a deep sigmoid network's first layer sits orders of magnitude below its
  last, as the handout's footnote on δ warns;
* dead ReLUs — nodes whose output is exactly 0 for every training example
  (``dead_nodes``), named by layer (1 = first hidden) and index (from 0);
* exploding gradients — ‖g‖₂ of the largest update in the epoch and its
  growth factor over the previous epoch (``EpochHealth.grad_norm/growth``);
* overfitting — validation loss beside training loss, in ``History``.

``train(..., diagnostics=True)`` fills ``history.diagnostics`` with one
``EpochHealth`` per epoch; the functions below also work on a network
outside training.

>>> from nodenet import Network
>>> net = Network.from_matrices([[[1.0], [-1.0]], [[1.0, 1.0]]],
...                             [[0.0, -5.0], [0.0]], activations="relu")
>>> dead_nodes(net, [[1.0], [2.0]])                  # node 1: −x − 5 < 0 always
[(1, 1)]
"""

from collections import namedtuple

from . import validate
from .errors import NodenetError

LayerHealth = namedtuple("LayerHealth", "layer mean_abs_delta max_abs_change")
LayerHealth.__doc__ = """One layer in one epoch: mean |δ| and largest |Δw| (layer 1 = first hidden)."""

EpochHealth = namedtuple("EpochHealth", "epoch layers grad_norm growth dead clipped")
EpochHealth.__doc__ = """One epoch's diagnostics.

``layers``: a LayerHealth per layer; ``grad_norm``: ‖g‖₂ (all weights and
biases, before clipping) of the epoch's largest update; ``growth``: that
over the previous epoch's (None in the first); ``dead``: (layer, index) of
every node whose output was 0 for all training examples at the epoch's end;
``clipped``: how many updates clipping changed."""


def no_nodes_alive(net):
    """Flags for ``mark_alive``: one False per node, per layer."""
    return [[False] * len(layer) for layer in net.layers]


def mark_alive(net, flags):
    """Set ``flags[l][j]`` for every node whose output in the last forward pass is not 0."""
    for row, layer in zip(flags, net.layers):
        for j, node in enumerate(layer):
            if node.output != 0.0:
                row[j] = True


def dead_in(flags):
    """``[(layer, index), …]`` of the nodes ``mark_alive`` never marked (layers from 1)."""
    return [(l, j) for l, row in enumerate(flags, start=1) for j, ok in enumerate(row) if not ok]


def dead_nodes(net, X):
    """``[(layer, index), …]`` of the nodes whose output is 0 for every input in X.

    Layers count from 1 (the first hidden layer), indices from 0, as in
    nodenet's messages.  Sigmoid and tanh nodes are never exactly 0, and a
    leaky ReLU only at z = 0, so in practice this finds dead (leaky-free) ReLUs.
    """
    X = validate.batch(X, net.sizes[0], "dead_nodes")
    flags = no_nodes_alive(net)
    for x in X:
        net.feedforward(x)
        mark_alive(net, flags)
    return dead_in(flags)


class EpochMonitor:
    """Collects what ``train(diagnostics=True)`` records while an epoch runs.

    Per sample ``deltas(net)`` (the pass's |δ|), per update ``update(norm,
    changes, clipped)`` (‖g‖ before clipping, the largest |Δw| per layer,
    whether clipping changed g); ``alive`` is filled by the epoch's
    evaluation (``mark_alive``); ``finish`` makes the EpochHealth.
    """

    def __init__(self, net):
        self.net = net
        self.previous_norm = None
        self.start()

    def start(self):
        n = len(self.net.layers)
        self.delta_sums, self.max_change = [0.0] * n, [0.0] * n
        self.top_norm, self.clipped = 0.0, 0
        self.alive = no_nodes_alive(self.net)

    def deltas(self, net):
        for l, layer in enumerate(net.layers):
            self.delta_sums[l] += sum(abs(node.delta) for node in layer)

    def update(self, norm, changes, clipped=False):
        self.top_norm = max(self.top_norm, norm)
        self.max_change = [max(a, b) for a, b in zip(self.max_change, changes)]
        self.clipped += bool(clipped)

    def finish(self, epoch, n_samples):
        """The epoch's EpochHealth; the next epoch's growth is measured against it."""
        layers = [LayerHealth(l, self.delta_sums[l - 1] / (n_samples * len(layer)),
                              self.max_change[l - 1])
                  for l, layer in enumerate(self.net.layers, start=1)]
        growth = self.top_norm / self.previous_norm if self.previous_norm else None
        health = EpochHealth(epoch, layers, self.top_norm, growth, dead_in(self.alive),
                             self.clipped)
        self.previous_norm = self.top_norm
        self.start()
        return health


def gradient_health(net, X, Y, eta=1.0):
    """Per-layer health of one full-batch step with ``eta``, without taking it.

    Returns a LayerHealth per layer: mean |δ| over samples and nodes, and
    the largest |Δw| = η·|∂L/∂w| that the step would apply to a weight.
    """
    X, Y = net.check_batch(X, Y, "gradient_health")
    eta = validate.number(eta, "eta")
    if eta < 0.0:
        raise NodenetError(f"eta must be ≥ 0, got {eta!r}")
    gw, _ = net.gradients(X, Y)
    sums = [0.0] * len(net.layers)
    for x, y in zip(X, Y):
        net.feedforward(x)
        net.backprop(y)
        for l, layer in enumerate(net.layers):
            sums[l] += sum(abs(node.delta) for node in layer)
    return [LayerHealth(l, sums[l - 1] / (len(X) * len(layer)),
                        eta * max(abs(g) for row in gw[l - 1] for g in row))
            for l, layer in enumerate(net.layers, start=1)]
