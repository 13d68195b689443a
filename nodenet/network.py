"""The Network: layers of nodes, a loss, and the handout's loops.

Indexing: ``layers[0]`` is the first hidden layer (the inputs are plain
numbers, not nodes), so the math's layer l is ``layers[l - 1]``, and in every
message and table "layer 1" means the first hidden layer.  Node k of a layer
keeps the weight from node j of the layer below at ``weights[j]``: that is
w_kj, the "out_in" layout.
"""

import math
import random
import warnings

from . import validate
from .activations import get_activation
from .errors import NodenetError, NodenetWarning
from .initializers import get_initializer
from .losses import check_target, get_loss, output_deltas
from .node import Layer, Node

LAYOUTS = ("out_in", "in_out")


def _check_layout(layout):
    if layout not in LAYOUTS:
        raise NodenetError(f"unknown layout {layout!r}; expected one of: {', '.join(LAYOUTS)}")
    return layout


def _transpose(rows):
    return [list(col) for col in zip(*rows)]


class Network:
    """A feed-forward network of Node objects.

    >>> net = Network([3, 4, 1], seed=1)
    >>> net
    Network([3, 4, 1], sigmoid → sigmoid, loss=sse)
    >>> len(net.forward([1, 3, 5]))
    1

    ``activation`` is the hidden layers' activation (one name, or a list with
    one per hidden layer); ``output_activation`` defaults to the same.
    ``init`` is ``"uniform"`` (half-width ``init_bound``, default 1),
    ``"xavier"``, ``"he"``, ``"zeros"`` or a callable ``init(rng, n_in, n_out)``.
    All randomness comes from ``rng`` or, if not given, ``random.Random(seed)``;
    the global ``random`` state is never touched.  ``bias=False`` keeps all
    biases at zero.
    """

    def __init__(self, sizes, activation="sigmoid", output_activation=None, loss="sse",
                 init="xavier", seed=0, rng=None, bias=True, init_bound=None):
        sizes = validate.as_sequence(sizes)
        if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
            raise NodenetError(
                f"sizes must list at least an input and an output size, e.g. [3, 4, 1]; got {sizes!r}")
        sizes = [validate.positive_int(n, f"sizes[{i}]") for i, n in enumerate(sizes)]
        n_layers = len(sizes) - 1
        hidden = activation if isinstance(activation, (list, tuple)) else [activation] * (n_layers - 1)
        if len(hidden) != n_layers - 1:
            raise NodenetError(
                f"activation lists one per hidden layer: expected {n_layers - 1}, got {len(hidden)}")
        if output_activation is None:
            output_activation = hidden[-1] if hidden else activation
        specs = list(hidden) + [output_activation]
        if rng is None:
            rng = random.Random(seed)
        elif not isinstance(rng, random.Random):
            raise NodenetError(f"rng must be a random.Random, got {type(rng).__name__}")
        draw = get_initializer(init, init_bound)
        layers = []
        for n_in, n_out, spec in zip(sizes, sizes[1:], specs):
            nodes = [Node([float(draw(rng, n_in, n_out)) for _ in range(n_in)], 0.0)
                     for _ in range(n_out)]
            layers.append(Layer(nodes, spec, use_bias=bias))
        self._setup(layers, loss, rng)

    # -- construction ------------------------------------------------------

    def _setup(self, layers, loss, rng):
        self.layers = layers
        self.loss_function = get_loss(loss)
        self.rng = rng
        self.inputs = None
        out = layers[-1].activation.name
        if self.loss_function.name == "cross_entropy" and out != "softmax":
            warnings.warn(f"cross_entropy expects a softmax output layer, got {out}; "
                          "outputs may not be probabilities", NodenetWarning, stacklevel=3)
        if self.loss_function.name == "bce" and out not in ("sigmoid", "softmax"):
            warnings.warn(f"bce expects outputs in (0, 1) (sigmoid), got {out}, whose outputs "
                          "can leave (0, 1) and are clipped", NodenetWarning, stacklevel=3)

    @classmethod
    def from_layers(cls, layers, loss="sse", seed=0, rng=None):
        """Build a network from ready Layer objects."""
        net = cls.__new__(cls)
        net._setup(list(layers), loss, rng if rng is not None else random.Random(seed))
        return net

    @classmethod
    def from_matrices(cls, weights, biases=None, activations="sigmoid", loss="sse",
                      layout="out_in", seed=0, rng=None, use_bias=True):
        """Build a network from weight matrices, one per layer.

        Layout ``"out_in"``: row j of ``weights[l]`` holds the incoming weights
        of node j (PyTorch, seed 002); ``"in_out"`` is its transpose (seed
        001's ``X·W``).  ``biases=None`` means zeros.  NumPy arrays and
        tensors are read through ``.tolist()``.

        >>> net = Network.from_matrices([[[0.5, 1.2, -0.3]]], activations="sigmoid")
        >>> round(net.forward([1, 3, 5])[0], 7)
        0.9308616
        """
        _check_layout(layout)
        weights = validate.as_sequence(weights)
        if not isinstance(weights, (list, tuple)) or not weights:
            raise NodenetError(f"weights must list one matrix per layer, got {weights!r:.60}")
        n_layers = len(weights)
        if isinstance(activations, (list, tuple)):
            if len(activations) != n_layers:
                raise NodenetError(
                    f"activations lists one per layer: expected {n_layers}, got {len(activations)}")
            specs = list(activations)
        else:
            specs = [activations] * n_layers
        if biases is None:
            biases = [None] * n_layers
        biases = validate.as_sequence(biases)
        if not isinstance(biases, (list, tuple)) or len(biases) != n_layers:
            raise NodenetError(f"biases must list one vector per layer ({n_layers}), got {biases!r:.60}")
        layers, n_in = [], None
        for l, (matrix, b, spec) in enumerate(zip(weights, biases, specs), start=1):
            rows = _matrix(matrix, f"layer {l} weights")
            if layout == "in_out":
                rows = _transpose(rows)
            n_out, cols = len(rows), len(rows[0])
            if n_in is not None and cols != n_in:
                raise NodenetError(_chain_message(l, layout, n_in, n_out, cols))
            if b is None:
                b = [0.0] * n_out
            b = validate.vector(b, n_out, f"layer {l} biases", "biases")
            nodes = [Node(row, bias) for row, bias in zip(rows, b)]
            layers.append(Layer(nodes, spec, use_bias=use_bias))
            n_in = n_out
        return cls.from_layers(layers, loss, seed=seed, rng=rng)

    def to_matrices(self, layout="out_in"):
        """``(weights, biases)`` as fresh nested lists of floats."""
        _check_layout(layout)
        weights = [[list(node.weights) for node in layer] for layer in self.layers]
        if layout == "in_out":
            weights = [_transpose(m) for m in weights]
        return weights, [[node.bias for node in layer] for layer in self.layers]

    # -- shape -------------------------------------------------------------

    @property
    def sizes(self):
        return [self.layers[0].n_inputs] + [len(layer) for layer in self.layers]

    @property
    def n_params(self):
        return sum(len(layer) * (layer.n_inputs + 1) for layer in self.layers)

    @property
    def masked(self):
        """True while a hidden layer carries a dropout mask (``Layer.mask``).

        Only ``train(dropout=…)`` sets masks, and it clears them when it ends;
        a fast path that skips ``Layer`` must take the general route then.
        """
        return any(layer.mask is not None for layer in self.layers)

    def __repr__(self):
        acts = [repr(layer.activation) for layer in self.layers]
        hidden = ", ".join(acts[:-1])
        arrow = f"{hidden} → {acts[-1]}" if hidden else acts[-1]
        return f"Network({self.sizes}, {arrow}, loss={self.loss_function.name})"

    # -- one sample: forward, backward, update -------------------------------

    def forward(self, x):
        """Feed one input vector forward; set every node's net and output."""
        return self._feedforward(validate.vector(x, self.sizes[0], "forward"))

    def _feedforward(self, inputs):
        self.inputs = inputs
        for layer in self.layers:
            inputs = layer.feedforward(inputs)
        return inputs

    def backward(self, y):
        """Set every node's delta for target ``y``, from the stored forward pass."""
        self._backprop(self._check_target(y, "backward"))

    def _check_target(self, y, what):
        if self.inputs is None:
            raise NodenetError(f"{what} needs a forward pass first: call forward(x)")
        y = validate.vector(y, self.sizes[-1], what, "targets")
        check_target(self.loss_function, y, what)
        return y

    def _backprop(self, y, eta=None):
        """Deltas from the output layer down.

        With ``eta`` given, the handout's order: each layer's incoming weights
        are updated as soon as its deltas are known, *before* the deltas below
        are computed from them.  Without it, standard backpropagation.
        """
        layers = self.layers
        top = layers[-1]
        deltas = output_deltas(self.loss_function, top.activation, y,
                               [n.net for n in top], [n.output for n in top])
        for node, d in zip(top, deltas):
            node.delta = d
        for l in range(len(layers) - 1, 0, -1):
            above, below = layers[l], layers[l - 1]
            if eta is not None:
                self._update_layer(l, eta)
            # e_j = Σ_k w_kj·δ_k; node k above keeps w_kj at weights[j]
            below.set_deltas([sum(node.weights[j] * node.delta for node in above)
                              for j in range(len(below))])
        if eta is not None:
            self._update_layer(0, eta)

    def update(self, eta):
        """Add Δw = η·δ·a to every weight and Δb = η·δ to every bias."""
        eta = self._check_eta(eta)
        if self.inputs is None or self.layers[0].nodes[0].delta is None:
            raise NodenetError("update needs forward(x) and backward(y) first")
        for l in range(len(self.layers)):
            self._update_layer(l, eta)

    @staticmethod
    def _check_eta(eta):
        eta = validate.number(eta, "eta")
        if eta < 0.0:
            raise NodenetError(f"eta must be ≥ 0, got {eta!r}")
        return eta

    def _below(self, l):
        """The activations feeding layer l: the inputs, or layer l−1's outputs."""
        return self.inputs if l == 0 else self.layers[l - 1].outputs

    def _update_layer(self, l, eta):
        layer = self.layers[l]
        a = self._below(l)
        for node in layer:
            change = eta * node.delta
            w = node.weights
            for i, ai in enumerate(a):
                w[i] += change * ai          # Δw_i = η·δ·a_i, in place
            if layer.use_bias:
                node.bias += change          # a bias sees a constant input of 1

    def step(self, x, y, eta, order="standard"):
        """One online training step on one sample; returns its loss before the step.

        ``order="standard"``: all deltas from the current weights, then all
        updates.  ``order="handout"``: the CogSci handout's order, which
        updates the hidden→output weights before the hidden deltas use them.
        """
        if order not in ("standard", "handout"):
            raise NodenetError(f"unknown order {order!r}; expected 'standard' or 'handout'")
        eta = self._check_eta(eta)
        outputs = self.forward(x)
        y = self._check_target(y, "step")
        before = self.loss_function.sample_value(y, outputs)
        if order == "standard":
            self._backprop(y)
            for l in range(len(self.layers)):
                self._update_layer(l, eta)
        else:
            self._backprop(y, eta)
        return before

    # -- batches -----------------------------------------------------------

    def _check_batch(self, X, Y, what):
        X, Y = validate.pair(X, Y, self.sizes[0], self.sizes[-1], what)
        for s, y in enumerate(Y):
            check_target(self.loss_function, y, f"{what}: sample {s}")
        return X, Y

    def loss(self, X, Y):
        """The batch loss (see nodenet.losses for each loss's normalization)."""
        X, Y = self._check_batch(X, Y, "loss")
        return self.loss_function.value(Y, [list(self._feedforward(x)) for x in X])

    def _accumulate(self, gw, gb, factor):
        """Add factor·δ_j·a_i into gw[l][j][i] and factor·δ_j into gb[l][j]."""
        for l, layer in enumerate(self.layers):
            a = self._below(l)
            for node, row, j in zip(layer, gw[l], range(len(layer))):
                d = factor * node.delta
                for i, ai in enumerate(a):
                    row[i] += d * ai
                gb[l][j] += d

    def zero_like(self):
        """Zero buffers shaped like the weights and the biases (out_in)."""
        return ([[[0.0] * layer.n_inputs for _ in layer] for layer in self.layers],
                [[0.0] * len(layer) for layer in self.layers])

    def gradients(self, X, Y, layout="out_in"):
        """``(dW, db)``: ∂L/∂W and ∂L/∂b of the batch loss; weights untouched.

        These are plain gradients (the sign of PyTorch's ``.grad``), so
        dW = −Σ_samples scale·δ·a with scale 1 (sum losses) or 1/N (mean).
        """
        _check_layout(layout)
        X, Y = self._check_batch(X, Y, "gradients")
        scale = self.loss_function.sample_scale(len(X))
        gw, gb = self.zero_like()
        for x, y in zip(X, Y):
            self._feedforward(x)
            self._backprop(y)
            self._accumulate(gw, gb, -scale)
        if layout == "in_out":
            gw = [_transpose(m) for m in gw]
        return gw, gb

    def train(self, X, Y, epochs, eta, **options):
        """Train and return the per-epoch loss history; see nodenet.training.train."""
        from .training import train
        return train(self, X, Y, epochs, eta, **options)

    # -- using the network -------------------------------------------------

    def predict(self, x):
        """The outputs for one input vector (a forward pass)."""
        return list(self.forward(x))

    def classify(self, x):
        """The class of ``x``: output ≥ 0.5 for one output, else the argmax."""
        out = self.forward(x)
        if len(out) == 1:
            return 1 if out[0] >= 0.5 else 0
        return max(range(len(out)), key=out.__getitem__)

    def to_mermaid(self, digits=3, direction="LR"):
        """The network as a Mermaid flowchart; see nodenet.draw."""
        from .draw import to_mermaid
        return to_mermaid(self, digits, direction)

    def to_dot(self, digits=3, direction="LR"):
        """The network as a Graphviz DOT digraph; see nodenet.draw."""
        from .draw import to_dot
        return to_dot(self, digits, direction)

    # -- state -------------------------------------------------------------

    def snapshot(self):
        """A copy of every weight and bias, for ``restore``."""
        return [[(list(node.weights), node.bias) for node in layer] for layer in self.layers]

    def restore(self, snapshot):
        """Put back weights and biases taken by ``snapshot`` (in place)."""
        for layer, saved in zip(self.layers, snapshot):
            for node, (w, b) in zip(layer, saved):
                node.weights[:] = w
                node.bias = b

    def copy(self):
        """An independent network with the same weights, activations and loss."""
        from .modelfile import from_dict, to_dict
        return from_dict(to_dict(self))

    def save(self, path):
        """Write the model to ``path`` as JSON, atomically."""
        from .modelfile import save
        save(self, path)

    @classmethod
    def load(cls, path):
        """Read a model written by ``save``; refuse anything malformed."""
        from .modelfile import load
        return load(path)


def _chain_message(l, layout, n_in, rows, cols):
    """Say why layer l's matrix (rows × cols once in out_in order) does not chain."""
    def shape(out, inn):
        return f"{out}×{inn}" if layout == "out_in" else f"{inn}×{out}"
    got = shape(rows, cols)
    if rows == n_in:           # the transpose would chain: the user likely swapped layouts
        other = "in_out" if layout == "out_in" else "out_in"
        return (f"layer {l} weights: expected {shape(cols, n_in)} in {layout} layout "
                f"(layer {l - 1} has {n_in} outputs), got {got} — did you mean layout={other!r}?")
    side = "columns" if layout == "out_in" else "rows"
    return (f"layer {l} weights: expected {n_in} {side} in {layout} layout, one per output "
            f"of layer {l - 1}, got {got}")


def _matrix(matrix, what):
    """A non-empty rectangular list of rows of finite floats."""
    matrix = validate.as_sequence(matrix)
    if isinstance(matrix, (str, bytes)) or not isinstance(matrix, (list, tuple)) or not matrix:
        raise NodenetError(f"{what} must be a non-empty matrix (list of rows), got {matrix!r:.60}")
    first = validate.as_sequence(matrix[0])
    if not isinstance(first, (list, tuple)) or not first:
        raise NodenetError(f"{what} must be a list of non-empty rows, got row 0 = {first!r:.60}")
    n = len(first)
    rows = []
    for r, row in enumerate(matrix):
        row = validate.as_sequence(row)
        if not isinstance(row, (list, tuple)) or len(row) != n:
            got = len(row) if isinstance(row, (list, tuple)) else type(row).__name__
            raise NodenetError(f"{what} must be rectangular: row 0 has {n} entries, row {r} has {got}")
        rows.append([validate.number(v, f"{what}[{r}][{c}]") for c, v in enumerate(row)])
    return rows
