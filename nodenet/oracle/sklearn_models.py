"""scikit-learn's MLPClassifier and MLPRegressor in — without importing scikit-learn."""

import warnings

from .. import validate
from ..errors import NodenetError, NodenetWarning
from .frameworks import class_name, comes_from, network_of

HIDDEN = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
OUTPUT = {"identity": "identity", "logistic": "sigmoid", "softmax": "softmax"}

# scikit-learn's squared error, 0.5·mean over all N·K entries of (y − ŷ)²
HALF_MEAN_SQUARED = {"name": "half_sse", "reduction": "mean"}


def from_sklearn(estimator):
    """A Network with the weights, activations and loss of a fitted MLPClassifier or
    MLPRegressor (``coefs_`` in_out, ``intercepts_``, ``activation``,
    ``out_activation_``).

    The loss is scikit-learn's, normalized as it normalizes it:

    * MLPRegressor (``loss="squared_error"``): ½·mean over all N·K entries of
      (y − ŷ)², nodenet's ``{"name": "half_sse", "reduction": "mean"}``.
      (For K > 1 outputs scikit-learn's own backprop steps along
      (ŷ − y)/N, K times the gradient of that loss; nodenet's gradients
      are the loss's.)
    * MLPClassifier with a softmax output (3+ classes): the mean over
      samples of −Σ y·log ŷ, nodenet's ``cross_entropy``; the targets are
      the one-hot rows of ``estimator.classes_``.
    * MLPClassifier with a logistic output (2 classes, or multilabel):
      nodenet's ``bce``, the mean over N·K.  For one output that is
      scikit-learn's log-loss exactly; with K > 1 labels scikit-learn sums
      over the labels, so its loss is K× nodenet's (a NodenetWarning says so).

    ``loss_`` and ``loss_curve_`` also hold the L2 term alpha/2·Σ w²/N
    (alpha = 1e-4 by default), which nodenet's loss does not; fit with
    ``alpha=0`` to compare them.  Probabilities are clipped differently at
    the edges (scikit-learn to [ε, 1 − ε] with ε = 2.2e-16).
    """
    cls = class_name(estimator)
    if cls not in ("MLPClassifier", "MLPRegressor") or not comes_from(estimator, "sklearn"):
        raise NodenetError(f"from_sklearn: expected a fitted MLPClassifier or MLPRegressor, "
                           f"got {validate.describe(estimator)}")
    coefs = getattr(estimator, "coefs_", None)
    if coefs is None:
        raise NodenetError(f"from_sklearn: the {cls} is not fitted: call fit(X, y) first")
    hidden = HIDDEN.get(estimator.activation)
    out = OUTPUT.get(estimator.out_activation_)
    if hidden is None or out is None:
        raise NodenetError(f"from_sklearn: unknown activation {estimator.activation!r} or "
                           f"output activation {estimator.out_activation_!r}")
    n_out = len(estimator.intercepts_[-1])
    if cls == "MLPRegressor":
        if getattr(estimator, "loss", "squared_error") != "squared_error":
            raise NodenetError(f"from_sklearn: MLPRegressor(loss={estimator.loss!r}) has no "
                               f"nodenet counterpart; nodenet reads loss='squared_error'")
        loss = HALF_MEAN_SQUARED
    elif out == "softmax":
        loss = "cross_entropy"
    else:
        loss = "bce"
        if n_out > 1:
            warnings.warn(f"from_sklearn: this multilabel MLPClassifier's log-loss sums over its "
                          f"{n_out} labels, so its loss_ (and gradient) is {n_out}× nodenet's "
                          f"bce, the mean over N·K", NodenetWarning, stacklevel=2)
    specs = [hidden] * (len(coefs) - 1) + [out]
    return network_of(list(zip(coefs, estimator.intercepts_)), specs, loss, "in_out")
