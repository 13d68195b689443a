"""``grads_of``: a framework's gradients as nodenet's ``(dW, db)``, out_in."""

from ..errors import NodenetError
from .jax_models import pytree_grads
from .torch_models import torch_grads


def grads_of(obj, layout=None):
    """``(dW, db)`` in nodenet's out_in layout, ready for ``assert_gradients_match``.

    ``obj`` is a torch module after ``loss.backward()`` (each Linear's
    ``.grad``, in the order ``from_torch`` reads the layers), a JAX or Flax
    gradient pytree (what ``jax.grad`` returns for the parameters), or the
    list Keras' ``GradientTape.gradient(loss, model.trainable_variables)``
    returns.  Kernels of pytrees and lists are read in ``layout``, by default
    ``"in_out"`` (Flax, Keras); torch's are out_in.  ``db`` holds None for a
    layer without bias, which the comparison then leaves out.

    >>> dW, db = grads_of([([[1.0, 2.0]], [3.0, 4.0])])       # one 1×2 kernel, in_out
    >>> dW, db
    ([[[1.0], [2.0]]], [[3.0, 4.0]])
    """
    if hasattr(obj, "named_parameters") and hasattr(obj, "register_forward_hook"):
        if layout not in (None, "out_in"):
            raise NodenetError(f"grads_of: a torch module's Linear weights are out_in, got "
                               f"layout={layout!r}")
        return torch_grads(obj)
    return pytree_grads(obj, "in_out" if layout is None else layout)
