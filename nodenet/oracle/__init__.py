"""nodenet as a test oracle for vectorized (NumPy, PyTorch, JAX, Keras) networks.

Build the same network in nodenet (``Network.from_matrices`` with your
weights, or ``from_torch``, ``from_jax``, ``from_keras``, ``from_sklearn``
with your model), run your code and nodenet on the same batch, and compare:

``assert_forward_match(net, X, outputs_per_layer, nets_per_layer=None)``
    per-layer activations (and net inputs); names the first layer that differs.
``assert_gradients_match(net, X, Y, dW, db, layout="out_in")``
    every weight and bias gradient; the AssertionError's message is a table
    of the worst entries (layer 1 = first hidden layer; node and incoming
    node 0-based), the layer nearest the output first.
``compare_gradients`` / ``compare_forward``
    the same, returning a report (``ok``, ``mismatches``, ``str()``).
``gradcheck(net, X, Y, eps=1e-6)``
    nodenet's own backprop against central finite differences.
``fixture(net, X, Y)``
    a JSON-ready dict with every z, a, δ, the loss and the gradients.
``compare_training(net, X, Y, client_params, optimizer=…, batch_size=…, order=…)``
    a whole training run replayed step by step: the first step where the
    client's parameters part from nodenet's, the parameter, and the cause
    (the gradient, or the optimizer's update: bias correction, weight decay,
    momentum buffer, learning rate, …); ``compare_parameters`` for one set.

``grads_of(model_or_pytree)`` / ``capture(torch_model)``
    a framework's gradients as ``(dW, db)``, and a torch model's per-layer
    net inputs and activations (forward hooks).
``dtype="float32"`` (or float16, bfloat16, float64) on every compare and assert
    tolerances for the precision your code computes in (``DTYPES``).

Arrays are nested lists or anything with ``.tolist()``; nodenet never
imports NumPy or a framework.  Samples are rows (N×n, ``X·W`` style) unless you pass
``samples="columns"`` (n×N, seed 002's style).  Arguments that cannot be
compared (wrong shapes, wrong counts) raise NodenetError; disagreement
raises AssertionError.

>>> from nodenet import Network
>>> net = Network.from_matrices([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0]]],
...                             activations="identity", loss="sse")
>>> dW = [[[6, 12], [6, 12]], [[6, 12]]]
>>> db = [[6, 6], [6]]
>>> assert_gradients_match(net, [[1, 2]], [[0]], dW, db).ok
True
"""

from .fixture import fixture
from .forward import ForwardMismatch, ForwardReport, assert_forward_match, compare_forward
from .gradcheck import GradcheckReport, gradcheck
from .gradients import (GradientReport, LayerSummary, Mismatch, assert_gradients_match,
                        compare_gradients)
from .training import ParameterReport, TrainingReport, compare_parameters, compare_training
from .grads import grads_of
from .jax_models import from_jax
from .keras_models import from_keras
from .sklearn_models import from_sklearn
from .tolerance import DTYPES
from .torch_models import Capture, capture, from_torch

__all__ = [
    "assert_gradients_match", "compare_gradients", "assert_forward_match", "compare_forward",
    "gradcheck", "fixture", "GradientReport", "ForwardReport", "GradcheckReport",
    "Mismatch", "ForwardMismatch", "LayerSummary",
    "compare_training", "compare_parameters", "TrainingReport", "ParameterReport",
    "from_torch", "from_jax", "from_keras", "from_sklearn", "grads_of", "capture", "Capture",
    "DTYPES",
]
