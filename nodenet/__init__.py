"""nodenet: feed-forward neural networks, one Node at a time, in plain Python.

A reference implementation that follows the CogSci handout "Neural Networks
from Scratch": every node keeps its incoming weights, its bias, its
activation and, after a pass, its net input, output and delta; plain loops
do the rest.  No linear algebra, no NumPy.

Notation (used everywhere in nodenet)
-------------------------------------
``net``     z = Σ_i w_i·a_i + b, a node's net input
``output``  a = f(z), its activation
``delta``   δ = −∂L/∂z, *the handout's sign*: positive when the output
            should grow.  Output node with sse and sigmoid:
            δ = 2(y − a)·a(1 − a).  Hidden node j:
            δ_j = f'(z_j)·Σ_k w_kj·δ_k  (sigmoid: Σ w·δ·a(1 − a)).
``eta``     η, the learning rate.  The change Δw = η·δ·a is *added*
            (the handout's ``weight + weight_change``); Δb = η·δ.
``gradients`` report the plain ∂L/∂w = −δ·a (summed or averaged over
the batch as the loss says), the sign PyTorch's ``.grad`` has.

Where things are
----------------
The network:  ``node`` (Node, Layer), ``network`` (Network: forward,
backward, update, step, loss, gradients), ``activations``, ``losses``,
``initializers``, ``training`` (train, with ``optimizers``, ``schedules``,
``remedies``, ``metrics``; ``history``, ``diagnostics``), ``modelfile``
(save and load).
For teaching:  ``tables`` and ``formulas`` (per-node tables, δ with the
numbers substituted), ``display`` (tables as text, HTML, LaTeX and CSV),
``rformat`` and ``numfmt`` (numbers as R prints them), ``examples`` (the
seeds' networks), ``svg`` (the picture with every number; ``svglayout``),
``draw`` (Mermaid, DOT), ``plot``, ``textplot``.
For testing other code:  ``oracle`` (gradients, forward passes, gradcheck,
fixtures, whole training runs; models from PyTorch, JAX, Keras and
scikit-learn), ``testing`` (hypothesis strategies), ``exact`` (the same
loops in arbitrary precision or exact rationals; ``arith``).
Underneath:  ``validate``, ``build``, ``faults``, ``files``, ``data`` (CSV),
``errors``; ``cli`` is the ``nodenet`` command.

>>> from nodenet import Network
>>> net = Network.from_matrices([[[0.5, 1.2, -0.3]]])
>>> round(net.forward([1, 3, 5])[0], 7)      # sigmoid(2.6)
0.9308616
"""

from .activations import ACTIVATIONS, Activation, LeakyReLU, get_activation
from .errors import NodenetError, NodenetWarning
from .initializers import INITIALIZERS
from .losses import LOSSES, get_loss
from .network import Network
from .node import Layer, Node
from .history import History
from .training import TrainingError

__version__ = "0.1.0"

__all__ = [
    "Network", "Layer", "Node", "History", "Activation", "LeakyReLU",
    "NodenetError", "NodenetWarning", "TrainingError", "ACTIVATIONS", "LOSSES", "INITIALIZERS",
    "get_activation", "get_loss",
]
