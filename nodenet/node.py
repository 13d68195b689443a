"""A Node and a Layer: the handout's unit of computation and a list of them."""

import warnings
from math import isfinite
from operator import mul

from . import validate
from .activations import get_activation
from .errors import NodenetError
from .validate import PYPY

# PyPy compiles plain loops well, but not zip(*rows), and its one compiled loop
# for the builtin sum() is shared by every caller in a process: once a sum()
# over other data has run hot, sum(map(mul, w, a)) runs about 5× slower.  So on
# PyPy the two sums of the node loops are written as plain loops; on CPython
# the C-level sum(map(mul, …)) is the quicker.  Both add the same terms in the
# same order: the same numbers, bit for bit.  (PYPY comes from nodenet.validate.)


def net_input(weights, inputs, bias):
    """z = b + w_1·a_1 + w_2·a_2 + …, left to right, as ``sum(map(mul, w, a), b)``.

    >>> net_input([0.5, 1.2, -0.3], [1.0, 3.0, 5.0], 0.0) == 0.5 + 3.6 - 1.5
    True
    """
    z = bias
    for i in range(len(weights)):
        z += weights[i] * inputs[i]
    return z


class Node:
    """One neuron: its incoming ``weights``, ``bias`` and shared ``activation``.

    After a forward pass it holds ``net`` (z = Σ w·a + b) and ``output``
    (a = f(z)); after a backward pass, ``delta`` (δ = −∂L/∂z).  The weights
    are checked (finite real numbers, at least one) and kept as a fresh
    list of floats.

    >>> from nodenet.activations import get_activation
    >>> node = Node([0.5, 1.2, -0.3], 0.0, get_activation("sigmoid"))
    >>> round(node.feed([1, 3, 5]), 7)
    2.6
    """

    __slots__ = ("weights", "bias", "activation", "net", "output", "delta")

    def __init__(self, weights, bias=0.0, activation="sigmoid"):
        seq = validate.as_sequence(weights)
        if isinstance(seq, (str, bytes)) or not isinstance(seq, (list, tuple)) or not seq:
            raise NodenetError(f"Node expects a non-empty list of weights, got "
                               f"{validate.describe(weights)}")
        self.weights = validate.vector(seq, len(seq), "Node", "weights")
        self.bias = validate.number(bias, "Node bias")
        self.activation = get_activation(activation)
        self.net = None
        self.output = None
        self.delta = None

    @classmethod
    def of_floats(cls, weights, bias, activation):
        """A Node that keeps ``weights`` (a fresh list of finite floats), ``bias`` (a
        finite float) and ``activation`` (an Activation) as they are, unchecked.

        Contributor API, for a caller that has checked them already (``Node(…)``
        checks and copies).
        """
        node = cls.__new__(cls)
        node.weights, node.bias, node.activation = weights, bias, activation
        node.net = node.output = node.delta = None
        return node

    def feed(self, inputs):
        """Store and return the net input Σ w·a + b (the sum starts at b)."""
        self.net = sum(map(mul, self.weights, inputs), self.bias)
        return self.net

    def __repr__(self):
        ws = ", ".join(f"{w:.4g}" for w in self.weights[:6])
        if len(self.weights) > 6:
            ws += f", … ({len(self.weights)} in all)"
        text = f"Node(weights=[{ws}], bias={self.bias:.4g}, {self.activation!r}"
        if self.output is not None:
            text += f", output={self.output:.4g}"
        return text + ")"


def bias_option(bias, use_bias=None):
    """The ``bias=`` flag, also accepted under its old name ``use_bias=`` (deprecated)."""
    if use_bias is not None:
        warnings.warn("use_bias= is now called bias=", DeprecationWarning, stacklevel=3)
        bias = use_bias
    if not isinstance(bias, bool):
        raise NodenetError(f"bias must be True or False, got {validate.describe(bias)}")
    return bias


class Layer:
    """A list of nodes sharing one activation (softmax needs the whole layer).

    ``bias=False`` makes a layer without biases (seed 001's XOR network,
    PyTorch's ``Linear(bias=False)``): every node's bias must be 0, and it
    stays 0 through training; ``layer.use_bias`` says which it is.
    """

    def __init__(self, nodes, activation="sigmoid", bias=True, *, use_bias=None):
        bias = bias_option(bias, use_bias)
        self.activation = get_activation(activation)
        nodes = validate.as_sequence(nodes)
        if isinstance(nodes, (str, bytes)) or not isinstance(nodes, (list, tuple)) or not nodes:
            raise NodenetError(f"Layer expects a non-empty list of Node, got "
                               f"{validate.describe(nodes)}")
        for j, node in enumerate(nodes):
            if not isinstance(node, Node):
                raise NodenetError(f"Layer expects Node objects, got {validate.describe(node)} "
                                   f"as node {j}")
        if not bias:
            for j, node in enumerate(nodes):
                if node.bias != 0.0:
                    raise NodenetError(f"bias=False makes a layer without biases, but node {j} has "
                                       f"bias {validate.brief(node.bias)}; give zero biases or "
                                       "bias=True")
        self.nodes = list(nodes)
        for node in self.nodes:
            node.activation = self.activation
        self.use_bias = bias
        # Dropout hook: None normally; during a training step with dropout, one
        # multiplier m_j per node (0 or 1/(1−p)).  Node outputs stay UNdropped,
        # so f'(z, a) is right; what the layer passes up (feedforward,
        # ``outputs``) is a_j·m_j and its deltas are δ_j = f'(z_j)·e_j·m_j.
        self.mask = None

    def __len__(self):
        return len(self.nodes)

    def __iter__(self):
        return iter(self.nodes)

    def __getitem__(self, j):
        return self.nodes[j]

    @property
    def n_inputs(self):
        return len(self.nodes[0].weights)

    @property
    def outputs(self):
        """What the layer feeds the one above: a_j, or a_j·m_j under a dropout mask."""
        if self.mask is not None:
            return [node.output * m for node, m in zip(self.nodes, self.mask)]
        return [node.output for node in self.nodes]

    def feedforward(self, inputs):
        """Set every node's net and output from ``inputs``; return the outputs."""
        nodes = self.nodes
        act = self.activation
        if act.elementwise:
            f = act.function
            outputs = []
            for node in nodes:
                # z = Σ w·a + b (the sum starts at b), then a = f(z)
                node.net = z = (net_input(node.weights, inputs, node.bias) if PYPY
                                else sum(map(mul, node.weights, inputs), node.bias))
                node.output = a = f(z)
                outputs.append(a)
        else:
            nets = []
            for node in nodes:
                node.net = z = (net_input(node.weights, inputs, node.bias) if PYPY
                                else sum(map(mul, node.weights, inputs), node.bias))
                nets.append(z)
            if isfinite(sum(nets)):
                outputs = act.forward(nets)
            else:       # an overflowed net must not hide in a share of 1: NaN for all
                outputs = [float("nan")] * len(nets)
            for node, a in zip(nodes, outputs):
                node.output = a
        if self.mask is not None:       # dropout (see __init__)
            return [a * m for a, m in zip(outputs, self.mask)]
        return outputs

    def deltas(self, upstream, outputs):
        """δ_j = f′(z_j)·e_j from e_j = −∂L/∂a_j and the nodes' outputs (not stored).

        An overflowed net input (±inf) of a sigmoid or tanh node, whose
        output is a plain ±1, gives a NaN delta, so that no update goes through.
        """
        act = self.activation
        if act.fast is not None:
            return act.fast(upstream, outputs, self.nodes)     # sigmoid, tanh: one pass
        nets = [n.net for n in self.nodes] if act.uses_net else None
        return act.backward(upstream, nets, outputs)

    def hides_overflow(self):
        """True if a bounded (sigmoid, tanh) node's output of exactly 0 or ±1 comes from a
        net input of ±inf or NaN (the output alone would hide it)."""
        if not self.activation.bounded:
            return False
        outputs = [n.output for n in self.nodes]
        if 1.0 in outputs or -1.0 in outputs or 0.0 in outputs:
            return not isfinite(sum([n.net for n in self.nodes]))
        return False

    def set_deltas(self, upstream, outputs=None):
        """Turn e_j = −∂L/∂a_j into δ_j through the activation's derivative; return them.

        ``outputs``: the nodes' own outputs, if the caller has them as a list.
        """
        nodes = self.nodes
        if outputs is None:
            outputs = [n.output for n in nodes]
        deltas = self.deltas(upstream, outputs)
        if self.mask is not None:       # dropout: δ_j = f'(z_j)·e_j·m_j
            deltas = [d * m for d, m in zip(deltas, self.mask)]
        for node, d in zip(nodes, deltas):
            node.delta = d
        return deltas

    def propagate(self, deltas=None):
        """e_j = Σ_k w_kj·δ_k for every node j of the layer below, from these deltas.

        Node k keeps w_kj at ``weights[j]``, so column j of the rows is
        (w_0j, w_1j, …); ``zip(*rows)`` walks the columns, and each sum runs
        over k in order, as ``sum(node.weights[j] * node.delta for node in layer)``.
        ``deltas``: this layer's deltas, if the caller has them as a list.
        """
        nodes = self.nodes
        if deltas is None:
            deltas = [node.delta for node in nodes]
        if len(nodes) == 1:
            # one node (a single output): each sum has one term, and sum()
            # returns 0 + w·δ, so write that and skip the column machinery
            d = deltas[0]
            return [0.0 + w * d for w in nodes[0].weights]
        if PYPY:    # the same sums, node k's term added into every e_j in turn
            e = [0.0] * len(nodes[0].weights)
            for node, d in zip(nodes, deltas):
                w = node.weights
                for j in range(len(e)):
                    e[j] += w[j] * d
            return e
        return [sum(map(mul, column, deltas))
                for column in zip(*[node.weights for node in nodes])]

    def update(self, inputs, eta):
        """Add Δw_i = η·δ·a_i to every weight and Δb = η·δ to every bias, in place.

        ``inputs`` are the activations a_i feeding this layer.
        """
        use_bias = self.use_bias
        for node in self.nodes:
            change = eta * node.delta
            w = node.weights
            for i, ai in enumerate(inputs):
                w[i] += change * ai          # Δw_i = η·δ·a_i
            if use_bias:
                node.bias += change          # a bias sees a constant input of 1

    def __repr__(self):
        bias = "" if self.use_bias else ", no bias"
        return f"Layer({len(self.nodes)}×{self.n_inputs}, {self.activation!r}{bias})"
