"""A batch's gradient, kept as its terms while it has one sample and read row by row.

Over a batch, the gradient of the loss for node j's weight from node i of
the layer below, and for its bias, is a sum over the samples s:

    ∂L/∂w_ji = Σ_s f·δ_sj·a_si          ∂L/∂b_j = Σ_s f·δ_sj

where δ = −∂l/∂z is the delta backprop leaves on the node, a the activation
feeding it, and f = −1 for a summed loss, −1/N for a mean one.

``GradientTerms`` is that sum in the making.  After one sample it keeps
only the terms, f·δ and a of every layer (about two numbers per node), and
builds a row when asked: ``row(l, j)`` is node j's weight gradients,
``biases(l)`` a layer's bias gradients, ``matrices()`` everything.  Each
row starts from 0.0 (``[0.0 + f·δ_j·a_i …]``), so it holds the very floats
``Network.accumulate_gradients`` would add into zeroed buffers.  From the
second sample on, the rows are built once and every further sample is added
in place by ``accumulate_gradients``, sample after sample: the sums the
training loop makes, bit for bit, in memory the size of the gradients.

Why: nodenet.oracle compares a client's gradients for one sample a row at a
time, and drops each row once compared, instead of holding a second full
set of gradients.

>>> from nodenet import Network
>>> net = Network.from_matrices([[[2.0, 3.0]]], activations="identity", loss="half_sse")
>>> terms = GradientTerms(-1.0)               # half_sse sums over the samples: f = −1
>>> _ = net.feedforward([1.0, 0.5]); net.backprop([3.0]); terms.add(net)
>>> terms.row(0, 0), terms.biases(0)          # f·δ = −(3.0 − 3.5) = 0.5, times [1, 0.5]
([0.5, 0.25], [0.5])
>>> _ = net.feedforward([2.0, 0.0]); net.backprop([3.0]); terms.add(net)
>>> terms.row(0, 0), terms.biases(0)          # + (−(3.0 − 4.0))·[2, 0] and 1.0
([2.5, 0.25], [1.5])
"""


class GradientTerms:
    """One batch's gradient: the terms f·δ_j and a_i of its first sample, then the sums."""

    def __init__(self, factor):
        self.factor = factor
        self.n = 0              # samples added
        self.first = None       # one sample: per layer, (a feeding it, [f·δ_j for each node])
        self.sums = None        # two or more: (gw, gb), summed in place

    def add(self, net):
        """Add the sample whose pass is stored on ``net``'s nodes."""
        if self.n == 0:
            f = self.factor
            self.first = [(net.layer_inputs(l), [f * node.delta for node in layer])
                          for l, layer in enumerate(net.layers)]
        else:
            if self.sums is None:
                self.sums, self.first = self.matrices(), None
            net.accumulate_gradients(*self.sums, self.factor)
        self.n += 1

    def __len__(self):
        return self.n

    def __repr__(self):
        return (f"GradientTerms({self.n} sample{'s' if self.n != 1 else ''}, "
                f"factor {self.factor:g})")

    def row(self, l, j):
        """The gradients of node j's incoming weights in ``layers[l]`` (0-based, as
        ``net.layers``): Σ_s f·δ_sj·a_s.  A new list after one sample; after
        more, the sums' own list."""
        if self.sums is not None:
            return self.sums[0][l][j]
        a, d = self.first[l]
        dj = d[j]
        return [0.0 + dj * ai for ai in a]      # 0.0 + …, as 0.0 += …: −0.0 turns 0.0

    def rows(self, l):
        """Every node's row of ``layers[l]`` in turn (after one sample, each built as it
        is reached)."""
        if self.sums is not None:
            return iter(self.sums[0][l])
        return (self.row(l, j) for j in range(len(self.first[l][1])))

    def biases(self, l):
        """The gradients of the biases of ``layers[l]``: Σ_s f·δ_s."""
        if self.sums is not None:
            return self.sums[1][l]
        return [0.0 + dj for dj in self.first[l][1]]

    def matrices(self):
        """``(gw, gb)``: every layer's rows (out_in) and biases."""
        if self.sums is not None:
            return self.sums
        layers = range(len(self.first))
        return [list(self.rows(l)) for l in layers], [self.biases(l) for l in layers]
