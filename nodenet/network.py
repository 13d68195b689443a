"""The Network: layers of nodes, a loss, and the handout's loops.

Indexing: ``layers[0]`` is the first hidden layer (the inputs are plain
numbers, not nodes), so the math's layer l is ``layers[l - 1]``, and in every
message and table "layer 1" means the first hidden layer.  Node k of a layer
keeps the weight from node j of the layer below at ``weights[j]``: that is
w_kj, the "out_in" layout.

The contributor API.  Besides the user-facing methods, ``Network`` has a
few public methods that trust their arguments (already checked lists of
floats) and that the rest of the package builds on; a new module may call
these and nothing with a leading underscore:

``check_batch(X, Y, what)``   inputs and targets checked for this network;
``feedforward(inputs)``       store z and a on every node, return the outputs;
``backprop(y, eta=None)``     store δ on every node (with ``eta``: the
                              handout's order, updating as it goes);
``layer_inputs(l)``           the activations feeding ``layers[l]``;
``accumulate_gradients(gw, gb, factor)``   add factor·δ·a into buffers;
``sgd_step(inputs, y, eta)``  one all-or-nothing SGD step (the fast path);
``put_back(snapshot)``        restore a ``snapshot()`` this network made;
``checkpoint()``, ``rollback(cp)``  save and restore everything a call may change.
"""

import sys
import warnings
from math import hypot, isfinite

from . import validate
from .build import (check_flag, check_layers, check_layout, check_rng, check_snapshot,
                    layer_activation, layers_from_matrices, transpose)
from .display import layers_html
from .errors import NodenetError, NodenetWarning
from .faults import (all_finite, describe, first_bad_weight, first_nonfinite, forward_is_finite,
                     nonfinite_error, pass_is_finite, weights_finite)
from .initializers import get_initializer
from .losses import get_loss
from .metrics import predicted_class
from .node import PYPY, Layer, Node, bias_option
from .terms import GradientTerms

ORDERS = ("standard", "handout")      # step's orders of update (see Network.step)
_MAX = sys.float_info.max
_SAFE = 2.0 ** 960     # |p| below this: w + p cannot overflow (half the top float gap is 2^970)


def abs_sum(*values):
    """Σ|v|: at least the Euclidean norm, NaN if a value is NaN (PyPy's ``hypot``; see
    ``node.PYPY``: a plain loop, which its JIT compiles, where ``hypot(*v)`` is slow)."""
    total = 0.0
    for v in values:
        total += abs(v)
    return total


norm = abs_sum if PYPY else hypot       # the overflow proof's bound on a list's entries

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
                "sizes must list at least an input and an output size, e.g. [3, 4, 1]; "
                f"got {validate.brief(sizes)}")
        sizes = [validate.positive_int(n, f"sizes[{i}]") for i, n in enumerate(sizes)]
        n_layers = len(sizes) - 1
        hidden = activation if isinstance(activation, (list, tuple)) else [activation] * (n_layers - 1)
        if len(hidden) != n_layers - 1:
            raise NodenetError(
                f"activation lists one per hidden layer: expected {n_layers - 1}, got {len(hidden)}")
        if output_activation is None:
            output_activation = hidden[-1] if hidden else activation
        # every name checked before the first draw, so a mistake never consumes the caller's rng
        specs = [layer_activation(spec, l) for l, spec in enumerate(list(hidden) + [output_activation], 1)]
        get_loss(loss)
        rng = check_rng(seed, rng)
        bias = check_flag(bias, "bias")
        draw = get_initializer(init, init_bound)
        layers = []
        for l, (n_in, n_out, spec) in enumerate(zip(sizes, sizes[1:], specs), start=1):
            nodes = [Node([validate.number(draw(rng, n_in, n_out),
                                           f"init for layer {l} node {j} weight {i}")
                           for i in range(n_in)], 0.0)
                     for j in range(n_out)]
            layers.append(Layer(nodes, layer_activation(spec, l), bias=bias))
        self._setup(layers, loss, rng)

    # -- construction ------------------------------------------------------

    def _setup(self, layers, loss, rng):
        self.layers = layers
        self.loss_function = get_loss(loss)
        self.rng = rng
        self.inputs = None
        doubt = self.loss_function.check_output(layers[-1].activation)
        if doubt:
            warnings.warn(doubt, NodenetWarning, stacklevel=3)

    @classmethod
    def from_layers(cls, layers, loss="sse", seed=0, rng=None):
        """Build a network from ready Layer objects (kept, not copied)."""
        layers = check_layers(layers)
        net = cls.__new__(cls)
        net._setup(layers, loss, check_rng(seed, rng))
        return net

    @classmethod
    def from_matrices(cls, weights, biases=None, activations="sigmoid", loss="sse",
                      layout="out_in", seed=0, rng=None, bias=True, *, use_bias=None):
        """Build a network from weight matrices, one per layer.

        Layout ``"out_in"``: row j of ``weights[l]`` holds the incoming weights
        of node j (PyTorch, seed 002); ``"in_out"`` is its transpose (seed
        001's ``X·W``).  ``biases=None`` means zeros.  NumPy arrays and
        tensors are read through ``.tolist()``.

        >>> net = Network.from_matrices([[[0.5, 1.2, -0.3]]], activations="sigmoid")
        >>> round(net.forward([1, 3, 5])[0], 7)
        0.9308616
        """
        layers = layers_from_matrices(weights, biases, activations, layout,
                                      bias_option(bias, use_bias))
        return cls.from_layers(layers, loss, seed=seed, rng=rng)

    def to_matrices(self, layout="out_in"):
        """``(weights, biases)`` as fresh nested lists of floats."""
        check_layout(layout)
        weights = [[list(node.weights) for node in layer] for layer in self.layers]
        if layout == "in_out":
            weights = [transpose(m) for m in weights]
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
        return f"Network({self.sizes}, {arrow}, loss={self.loss_function.label})"

    def _repr_html_(self):
        """In Jupyter: the layers as a table, then the network's picture (nodenet.svg)."""
        return layers_html(self)

    # -- one sample: forward, backward, update -------------------------------

    def forward(self, x):
        """Feed one input vector forward; set every node's net and output."""
        outputs = self.feedforward(validate.vector(x, self.sizes[0], "forward"))
        if not forward_is_finite(self):
            raise nonfinite_error(self, "forward")
        return outputs

    def feedforward(self, inputs):
        """Feed a checked list of floats forward, storing z and a on every node.

        Returns what the output layer feeds out.  No validation and no
        finiteness check: that is ``forward``'s job.
        """
        self.inputs = inputs
        for layer in self.layers:
            inputs = layer.feedforward(inputs)
        return inputs

    def backward(self, y):
        """Set every node's delta for target ``y``, from the stored forward pass."""
        self.backprop(self._check_target(y, "backward"))
        if not pass_is_finite(self):
            raise nonfinite_error(self, "backward")

    def _check_target(self, y, what):
        if self.inputs is None:
            raise NodenetError(f"{what} needs a forward pass first: call forward(x)")
        return self.loss_function.read_target(y, self.sizes[-1], what)

    def backprop(self, y, eta=None):
        """Deltas from the output layer down.

        With ``eta`` given, the handout's order: each layer's incoming weights
        are updated as soon as its deltas are known, *before* the deltas below
        are computed from them.  Without it, standard backpropagation.
        """
        layers = self.layers
        top = layers[-1]
        self._set_output_deltas(y, [n.output for n in top])
        for l in range(len(layers) - 1, 0, -1):
            above, below = layers[l], layers[l - 1]
            if eta is not None:
                self._update_layer(l, eta)
            below.set_deltas(above.propagate())     # e_j = Σ_k w_kj·δ_k
        if eta is not None:
            self._update_layer(0, eta)

    def _set_output_deltas(self, y, outputs):
        """δ of the output layer for target ``y`` (``outputs``: its outputs); return them."""
        top = self.layers[-1]
        deltas = self.loss_function.output_deltas(top, y, outputs)
        for node, d in zip(top.nodes, deltas):
            node.delta = d
        return deltas

    def sgd_step(self, inputs, y, eta):
        """One standard-order SGD step on a checked sample, all or nothing.

        Returns ``(outputs, None)`` (the outputs before the step) when the step
        was applied, or ``(outputs, where)`` naming the first NaN or ±inf when
        it was not; then no weight or bias has changed.

        Forward, all deltas from the current weights, then every update in
        place: the numbers of backward() then update(), bit for bit.  Between
        the two passes a check on O(nodes) values (never O(weights)) proves
        that the update cannot turn a finite weight or bias into NaN or ±inf.
        With c = η·‖δ‖ (the Euclidean norm over every delta) and A the norm
        over the activations feeding the layers, where 1 stands in for a
        bounded layer's outputs (they lie in [−1, 1]; ``Activation.bounded``):
        if the outputs and c are finite and c < 2^960 and c·A < 2^960, then
        every |η·δ| ≤ c and every |η·δ·a| ≤ c·A stay far under half the
        spacing of floats at the top of the range (2^970), so w + (η·δ)·a
        and b + η·δ round to finite numbers whatever the finite w and b.
        ``math.hypot`` gives the norms without overflowing on the way, and
        NaN or inf if any term is one; a NaN output of a bounded layer makes
        its delta NaN, so c is NaN and the check fails.  (Weights and biases
        are finite to begin with: every nodenet entry point that sets them
        checks them; a NaN or ±inf written into a node by hand is not looked
        for here.)  On PyPy the norms are Σ|v| (``abs_sum``), never smaller
        than the Euclidean norm: a check that passes there passes here too.

        If the check fails, ``_careful_update`` decides, exactly as before
        the check existed.  A layer with a dropout mask feeds the layer above
        its masked outputs and reads its own outputs for f'.
        """
        layers = self.layers
        self.inputs = inputs
        acts = [inputs]                 # acts[l] feeds layer l (layer 0: the inputs)
        a = inputs
        for layer in layers:
            a = layer.feedforward(a)
            acts.append(a)
        deltas = self._set_output_deltas(y, a)
        norm_d = norm(*deltas)          # ‖δ‖ and A (see the docstring)
        norm_a = norm(*inputs)
        for l in range(len(layers) - 1, 0, -1):
            below, fed = layers[l - 1], acts[l]
            masked = below.mask is not None     # then fed holds a_j·m_j, not the outputs
            bounded = below.activation.bounded and not masked
            norm_a = norm(norm_a, 1.0 if bounded else norm(*fed))
            # e_j = Σ_k w_kj·δ_k from layer l, then the deltas of layer l − 1
            # (f' reads the outputs: the list fed up, or the nodes' own if masked)
            deltas = below.set_deltas(layers[l].propagate(deltas), None if masked else fed)
            norm_d = norm(norm_d, norm(*deltas))
        c = eta * norm_d                # ≥ η·|δ| for every δ; NaN or inf if one is
        if isfinite(sum(a)) and c < _SAFE and c * norm_a < _SAFE:
            for layer, below in zip(layers, acts):
                layer.update(below, eta)                # Δw_i = η·δ·a_i, Δb = η·δ
            return a, None
        return a, self._careful_update(a, acts, eta)

    def _careful_update(self, outputs, acts, eta):
        """The update when the quick check failed: None if it went through, else
        where the first NaN or ±inf is (and then the weights are put back)."""
        if not pass_is_finite(self):
            bad = first_nonfinite(self)
            return describe(bad) if bad else "a delta overflowed"
        saved = self.snapshot()
        for layer, below in zip(self.layers, acts):
            layer.update(below, eta)
        where = first_bad_weight(self)
        if where is not None:
            self.put_back(saved)
            return where.replace(" became ", " would become ")
        return None

    def update(self, eta):
        """Add Δw = η·δ·a to every weight and Δb = η·δ to every bias."""
        eta = self._check_eta(eta)
        if self.inputs is None or self.layers[0].nodes[0].delta is None:
            raise NodenetError("update needs forward(x) and backward(y) first")
        saved = self.snapshot()
        for l in range(len(self.layers)):
            self._update_layer(l, eta)
        if not weights_finite(self):
            raise nonfinite_error(self, "update", saved)

    @staticmethod
    def _check_eta(eta):
        if type(eta) is float and 0.0 <= eta <= _MAX:
            return eta                  # a plain finite float ≥ 0: nothing more to check
        eta = validate.number(eta, "eta")
        if eta < 0.0:
            raise NodenetError(f"eta must be ≥ 0, got {eta!r}")
        return eta

    def layer_inputs(self, l):
        """The activations feeding layer l: the inputs, or layer l−1's outputs."""
        return self.inputs if l == 0 else self.layers[l - 1].outputs

    def _update_layer(self, l, eta):
        self.layers[l].update(self.layer_inputs(l), eta)      # Δw_i = η·δ·a_i, Δb = η·δ

    def step(self, x, y, eta, order="standard"):
        """One online training step on one sample; returns its loss before the step.

        ``order="standard"``: all deltas from the current weights, then all
        updates (``sgd_step``: the numbers of backward() then update(),
        bit for bit).  ``order="handout"``: the CogSci handout's order, which
        updates the hidden→output weights before the hidden deltas use them.
        """
        if not validate.is_choice(order, ORDERS):
            raise NodenetError(f"unknown order {validate.brief(order)}; expected 'standard' or "
                               "'handout'")
        eta = self._check_eta(eta)
        layers = self.layers
        n_in, n_out = len(layers[0].nodes[0].weights), len(layers[-1].nodes)
        loss = self.loss_function
        if loss.class_index:            # a class index, or K probabilities
            x, y = validate.vector(x, n_in, "step"), loss.read_target(y, n_out, "step")
        else:                           # both checked before any change
            x, y = validate.sample(x, y, n_in, n_out, "step")
            if loss.check_target is not None:
                loss.check_target(y, n_out, "step")
        if order == "standard":
            outputs, where = self.sgd_step(x, y, eta)
            if where is not None:
                raise NodenetError(f"step: {where} (overflow: weights, inputs or eta too "
                                   "large); the weights are left as they were")
            return loss.sample_value(y, outputs)
        saved = self.snapshot()
        outputs = self.feedforward(x)
        before = loss.sample_value(y, outputs)
        self.backprop(y, eta)
        if not (pass_is_finite(self) and weights_finite(self)):
            raise nonfinite_error(self, "step", saved)
        return before

    # -- batches -----------------------------------------------------------

    def check_batch(self, X, Y, what):
        """``(X, Y)`` as fresh lists of floats fit for this network and its loss.

        ``what`` names the caller in the error, e.g. ``"sample 3: gradients: …"``.
        A target is K numbers, or for losses that take them (``nll``,
        ``cross_entropy_with_logits``) a class index: ``[2]`` or just ``2``.
        """
        X = validate.batch(X, self.sizes[0], what, "inputs")
        Y = self.loss_function.read_targets(Y, self.sizes[-1], what)
        if len(X) != len(Y):
            raise NodenetError(f"{what} expects as many targets as inputs, got {len(X)} inputs "
                               f"and {len(Y)} targets")
        return X, Y

    def loss(self, X, Y):
        """The batch loss (see nodenet.losses for each loss's normalization)."""
        X, Y = self.check_batch(X, Y, "loss")
        outputs = []
        for s, x in enumerate(X):
            outputs.append(list(self.feedforward(x)))
            if not forward_is_finite(self):
                raise nonfinite_error(self, f"loss: sample {s}")
        return self.loss_function.value(Y, outputs)

    def accumulate_gradients(self, gw, gb, factor):
        """Add factor·δ_j·a_i into gw[l][j][i] and factor·δ_j into gb[l][j]."""
        for l, layer in enumerate(self.layers):
            a = self.layer_inputs(l)
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
        The sums are nodenet.terms.GradientTerms': the same floats as adding
        each sample into zeroed buffers with ``accumulate_gradients``.
        """
        check_layout(layout)
        X, Y = self.check_batch(X, Y, "gradients")
        terms = GradientTerms(-self.loss_function.sample_scale(len(X)))
        for s, (x, y) in enumerate(zip(X, Y)):
            self.feedforward(x)
            self.backprop(y)
            if not pass_is_finite(self):
                raise nonfinite_error(self, f"gradients: sample {s}")
            terms.add(self)
        gw, gb = terms.matrices()       # the sums accumulate_gradients makes, bit for bit
        if not all(all_finite(row) for m in gw for row in m) or not all(map(all_finite, gb)):
            raise NodenetError("gradients: a gradient overflowed to a non-finite value "
                               "(weights or inputs too large)")
        if layout == "in_out":
            gw = [transpose(m) for m in gw]
        return gw, gb

    def train(self, X, Y, epochs, eta=None, **options):
        """Train and return the per-epoch History; see nodenet.training.train.

        ``eta`` (plain SGD) or ``optimizer=`` (nodenet.optimizers) says how
        each batch changes the weights.
        """
        from .training import train
        return train(self, X, Y, epochs, eta, **options)

    # -- using the network -------------------------------------------------

    def predict(self, x):
        """The outputs for one input vector (a forward pass)."""
        return list(self.forward(x))

    def classify(self, x):
        """The class of ``x``: output ≥ 0.5 for one output, else the argmax (nodenet.metrics)."""
        return predicted_class(self.forward(x))

    def to_mermaid(self, digits=3, direction="LR"):
        """The network as a Mermaid flowchart; see nodenet.draw."""
        from .draw import to_mermaid
        return to_mermaid(self, digits, direction)

    def to_dot(self, digits=3, direction="LR"):
        """The network as a Graphviz DOT digraph; see nodenet.draw."""
        from .draw import to_dot
        return to_dot(self, digits, direction)

    def to_svg(self, eta=None, before=None, values=True, digits=7, title=None):
        """The network as an SVG picture with its numbers (Δw given ``eta``); see nodenet.svg."""
        from .svg import to_svg
        return to_svg(self, eta, before, values, digits, title)

    # -- state -------------------------------------------------------------

    def snapshot(self):
        """A copy of every weight and bias, for ``restore``."""
        return [[(list(node.weights), node.bias) for node in layer] for layer in self.layers]

    def restore(self, snapshot):
        """Put back weights and biases taken by ``snapshot`` (in place).

        The whole snapshot is checked first (shape of this network, finite
        numbers), so a bad one changes nothing.
        """
        self.put_back(check_snapshot(self, snapshot))

    def checkpoint(self):
        """Everything a call may change: weights, biases, the last pass's values, rng.

        ``rollback(checkpoint)`` puts it all back, so a call that fails half-way
        can leave the network exactly as it found it.
        """
        values = [[(node.net, node.output, node.delta) for node in layer]
                  for layer in self.layers]
        return self.snapshot(), values, self.inputs, self.rng.getstate()

    def rollback(self, checkpoint):
        """Restore a ``checkpoint()`` of this network."""
        weights, values, inputs, rng = checkpoint
        self.put_back(weights)
        for layer, saved in zip(self.layers, values):
            for node, (net, output, delta) in zip(layer, saved):
                node.net, node.output, node.delta = net, output, delta
        self.inputs = inputs
        self.rng.setstate(rng)

    def put_back(self, snapshot):
        """``restore`` without the checks, for a snapshot this network made."""
        for layer, saved in zip(self.layers, snapshot):
            for node, (w, b) in zip(layer, saved):
                node.weights[:] = w
                node.bias = b

    def copy(self):
        """An independent network with the same weights, activations, loss and rng state.

        The weights are copied directly (nothing goes through the model-file
        format); the copy's ``random.Random`` starts where this one's is.
        """
        layers = [Layer([Node(list(node.weights), node.bias) for node in layer],
                        layer.activation, bias=layer.use_bias) for layer in self.layers]
        rng = type(self.rng)()
        rng.setstate(self.rng.getstate())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NodenetWarning)    # this network has warned already
            return Network.from_layers(layers, self.loss_function, rng=rng)

    def save(self, path):
        """Write the model to ``path`` as JSON, atomically."""
        from .modelfile import save
        save(self, path)

    @classmethod
    def load(cls, path):
        """Read a model written by ``save``; refuse anything malformed."""
        from .modelfile import load
        return load(path)
