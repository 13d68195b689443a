"""A batch's gradient kept as its terms, and summed one row at a time when asked.

Over a batch, the gradient of the loss for node j's weight from node i of
the layer below, and for its bias, is a sum over the samples s:

    ∂L/∂w_ji = Σ_s f·δ_sj·a_si          ∂L/∂b_j = Σ_s f·δ_sj

where δ = −∂l/∂z is the delta backprop leaves on the node, a the activation
feeding it, and f = −1 for a summed loss, −1/N for a mean one.
``GradientTerms`` keeps each sample's f·δ and a, layer by layer, and does
the sums only when asked: ``row(l, j)`` one node's weight gradients,
``biases(l)`` a layer's bias gradients, ``matrices()`` everything.

Each sum starts from 0.0 and adds the samples in order, the very additions
``Network.accumulate_gradients`` makes into zeroed buffers, so both give
the same floats, bit for bit.  nodenet.oracle reads the rows one at a time,
comparing each with the caller's and dropping it, instead of holding a
second full set of gradients.  The price is memory for the terms: about
two numbers per node and sample (the inputs are not copied).

>>> from nodenet import Network
>>> net = Network.from_matrices([[[2.0, 3.0]]], activations="identity", loss="half_sse")
>>> terms = GradientTerms(-1.0)               # half_sse sums over the samples: f = −1
>>> for x, y in [([1.0, 0.5], [3.0]), ([2.0, 0.0], [4.0])]:
...     _ = net.feedforward(x); net.backprop(y); terms.add(net)
>>> net.layers[0][0].delta                    # y − a = 4.0 − 4.0 for the second sample
0.0
>>> terms.row(0, 0), terms.biases(0)          # f·δ = −(3.0 − 3.5) = 0.5, times [1, 0.5]
([0.5, 0.25], [0.5])
"""


class GradientTerms:
    """The per-sample terms f·δ_j and a_i of a batch's gradient; see the module."""

    def __init__(self, factor):
        self.factor = factor
        self.samples = []       # per sample, per layer: (a feeding it, [f·δ_j for each node])

    def add(self, net):
        """Keep the terms of the pass stored on ``net``'s nodes (one sample)."""
        f = self.factor
        self.samples.append([(net.layer_inputs(l), [f * node.delta for node in layer])
                             for l, layer in enumerate(net.layers)])

    def __len__(self):
        return len(self.samples)

    def __repr__(self):
        n = len(self.samples)
        return f"GradientTerms({n} sample{'s' if n != 1 else ''}, factor {self.factor:g})"

    def row(self, l, j):
        """The gradients of node j's incoming weights in ``layers[l]`` (0-based, as
        ``net.layers``): Σ_s f·δ_sj·a_s, a new list."""
        (a, d), *rest = [terms[l] for terms in self.samples]
        dj = d[j]
        row = [0.0 + dj * ai for ai in a]       # 0.0 + …, as 0.0 += …: −0.0 turns 0.0
        for a, d in rest:
            dj = d[j]
            row = [r + dj * ai for r, ai in zip(row, a)]
        return row

    def rows(self, l):
        """Every node's row of ``layers[l]`` in turn (each built as it is reached)."""
        return (self.row(l, j) for j in range(len(self.samples[0][l][1])))

    def biases(self, l):
        """The gradients of the biases of ``layers[l]``: Σ_s f·δ_s, a new list."""
        (_, d), *rest = [terms[l] for terms in self.samples]
        sums = [0.0 + dj for dj in d]
        for _, d in rest:
            sums = [s + dj for s, dj in zip(sums, d)]
        return sums

    def matrices(self):
        """``(gw, gb)``: every layer's rows (out_in) and biases, as new lists."""
        layers = range(len(self.samples[0]))
        return [list(self.rows(l)) for l in layers], [self.biases(l) for l in layers]
