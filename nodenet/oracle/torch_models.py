"""PyTorch models in, gradients and per-layer values out — without importing torch.

A ``torch.nn.Sequential`` (nested ones flattened) of ``Linear`` layers, each
optionally followed by one activation module, is a nodenet network:
``from_torch`` reads its weights (``Linear.weight`` is out_in, as nodenet
keeps them), ``torch_grads`` the ``.grad`` of each after ``loss.backward()``,
and ``capture`` the net input and activation of every layer through forward
hooks.  Any other module is refused with its name and position; a model
that is not a Sequential (its ``forward`` is code) is read from its
``state_dict()`` with the activations named by the caller.
"""

from .. import validate
from ..errors import NodenetError
from . import reading
from .frameworks import (TORCH_PASS, checked_activation, class_name, comes_from, loss_spec,
                         network_of, torch_activation, torch_loss)

READS = ("nodenet reads torch.nn.Sequential models of Linear layers and the activations "
         "Sigmoid, Tanh, ReLU, LeakyReLU, GELU, SiLU, Softplus, ELU, SELU, Softmax(dim=-1), "
         "LogSoftmax(dim=-1) (plus Identity, Flatten and Dropout in eval mode)")


class TorchLayer:
    """One nodenet layer of a torch model: its Linear, its activation spec and module."""

    __slots__ = ("where", "linear", "spec", "act")

    def __init__(self, where, linear):
        self.where, self.linear, self.spec, self.act = where, linear, "identity", None

    def __repr__(self):
        return f"TorchLayer({self.where}, {self.spec!r})"


def _leaves(module, name):
    """(dotted name, module) of a Sequential's modules in order, nested ones flattened.

    A module used at two positions is listed at both (``named_children()``
    would list it once); the names are the Sequential's keys, as in its
    state_dict."""
    if class_name(module) == "Sequential" and comes_from(module, "torch"):
        children = getattr(module, "_modules", None)
        items = children.items() if isinstance(children, dict) else enumerate(module)
        for child_name, child in items:
            yield from _leaves(child, f"{name}.{child_name}" if name else str(child_name))
    else:
        yield name, module


def is_sequential(model):
    """True for a torch.nn.Sequential or a lone Linear (models nodenet reads module by module)."""
    return comes_from(model, "torch") and class_name(model) in ("Sequential", "Linear")


def torch_layers(model):
    """The TorchLayers of a Sequential (or a lone Linear), or a NodenetError naming the
    first module nodenet cannot read."""
    if not is_sequential(model):
        raise NodenetError(
            f"from_torch: {class_name(model)} is not a torch.nn.Sequential; its forward() is "
            f"code nodenet cannot read — pass activations=[…] (one per Linear, in the order "
            f"they are registered) to read its Linear layers from model.state_dict()")
    layers = []
    for name, m in _leaves(model, ""):
        cls = class_name(m)
        where = f"module {name or '0'!r} ({cls})"
        if not comes_from(m, "torch"):
            raise NodenetError(f"from_torch: {where} is not a torch.nn module; {READS}")
        if cls == "Linear":
            shared = [t.where for t in layers if t.linear is m]
            if shared:
                raise NodenetError(f"from_torch: {where} is the same Linear as {shared[0]}: "
                                   f"shared weights get the sum of both layers' gradients, "
                                   f"which nodenet's separate layers do not")
            layers.append(TorchLayer(where, m))
            continue
        if cls in TORCH_PASS:
            if cls.endswith("Dropout") and m.training and m.p > 0:
                raise NodenetError(f"from_torch: {where} is in training mode (p={m.p}): its "
                                   f"random mask is not nodenet's; call model.eval() (or pass "
                                   f"the masks to compare_gradients)")
            continue
        spec = torch_activation(m, f"from_torch: {where}")
        if spec is None:
            raise NodenetError(f"from_torch: {where} cannot be read; {READS}")
        if not layers:
            raise NodenetError(f"from_torch: {where} comes before any Linear layer")
        if layers[-1].act is not None:
            raise NodenetError(f"from_torch: {where} is a second activation after "
                               f"{layers[-1].where}; a nodenet layer has one activation")
        layers[-1].spec = checked_activation(spec, f"from_torch: {where}")
        layers[-1].act = m
    if not layers:
        raise NodenetError(f"from_torch: no Linear layer in {class_name(model)}; {READS}")
    return layers


def _state_layers(state):
    """[(prefix, weight, bias or None)] from a state_dict: Linear weights and biases only."""
    items = list(state.items()) if hasattr(state, "items") else None
    if not items:
        raise NodenetError(f"from_torch: expected a torch module or its state_dict, got "
                           f"{validate.describe(state)}")
    layers = []
    for key, value in items:
        prefix, _, leaf = str(key).rpartition(".")
        dims = len(tuple(getattr(value, "shape", ())))
        if leaf == "weight" and dims == 2:
            layers.append([prefix, value, None])
        elif leaf == "bias" and dims == 1 and layers and layers[-1][0] == prefix \
                and layers[-1][2] is None:
            layers[-1][2] = value
        else:
            raise NodenetError(f"from_torch: state_dict entry {key!r} (shape "
                               f"{list(getattr(value, 'shape', ()))}) is not a Linear layer's "
                               f"weight or bias; nodenet reads Linear layers only")
    return layers


def _activation_spec(item, l):
    """An entry of ``activations=``: a nodenet spec, None (identity) or a torch module."""
    where = f"from_torch: activations[{l - 1}]"
    if item is None:
        return "identity"
    if comes_from(item, "torch"):
        spec = torch_activation(item, where)
        if spec is None and class_name(item) != "Identity":
            raise NodenetError(f"{where}: {class_name(item)} cannot be read; {READS}")
        item = spec or "identity"
    return checked_activation(item, where)


def from_torch(model, *, loss, activations=None):
    """A Network with the weights, activations and loss of a PyTorch model.

    ``model``: a ``torch.nn.Sequential`` of ``Linear`` layers, each followed
    by at most one activation module (nested Sequentials flattened; Identity,
    Flatten and Dropout in eval mode pass through).  Or any module, or its
    ``state_dict()``, together with ``activations``: one per Linear in the
    order they are registered (nodenet names such as ``"relu"``, dicts such as
    ``{"name": "leaky_relu", "alpha": 0.2}``, or torch activation modules).
    ``loss``: a torch loss module (``nn.MSELoss()``, ``nn.CrossEntropyLoss()``,
    …) or a nodenet loss name or dict.  A Linear without bias becomes a layer
    with ``bias=False``.  Weights are copied; float32 values are exact.
    """
    if activations is None:
        layers = torch_layers(model)
        read = [(t.linear.weight, t.linear.bias) for t in layers]
        specs = [t.spec for t in layers]
    else:
        state = model.state_dict() if hasattr(model, "state_dict") else model
        read = [(w, b) for _, w, b in _state_layers(state)]
        activations = reading.plain(activations)
        if not isinstance(activations, (list, tuple)) or len(activations) != len(read):
            got = len(activations) if isinstance(activations, (list, tuple)) else \
                validate.describe(activations)
            raise NodenetError(f"from_torch: activations must list one per Linear layer: "
                               f"expected {len(read)}, got {got}")
        specs = [_activation_spec(a, l) for l, a in enumerate(activations, start=1)]
    return network_of(read, specs, loss_spec(loss, torch_loss), "out_in")


def _linears(model):
    """The Linear modules in layer order: a Sequential's by position, any other module's
    in registration order (as its state_dict lists them).  Another module with
    parameters of its own is refused; one without (an activation, even a custom one)
    does not matter here."""
    if is_sequential(model):
        named = [(name or "0", m) for name, m in _leaves(model, "")]
    else:
        named = list(model.named_modules())
    linears = []
    for name, m in named:
        if class_name(m) == "Linear":
            linears.append(m)
        elif list(m.parameters(recurse=False)):
            raise NodenetError(f"grads_of: module {name!r} ({class_name(m)}) has parameters "
                               f"and is not a Linear layer; nodenet reads Linear layers only")
    if not linears:
        raise NodenetError(f"grads_of: no Linear layer in {class_name(model)}")
    return linears


def torch_grads(model):
    """``(dW, db)`` out_in from each Linear's ``.grad`` (after ``loss.backward()``);
    db holds None for a Linear without bias."""
    dW, db = [], []
    for l, m in enumerate(_linears(model), start=1):
        for what, p in (("weight", m.weight), ("bias", m.bias)):
            if p is not None and p.grad is None:
                raise NodenetError(f"grads_of: layer {l}'s {what} has no .grad: call "
                                   f"loss.backward() first (and keep requires_grad=True)")
        dW.append(m.weight.grad)
        db.append(None if m.bias is None else m.bias.grad)
    return dW, db


class Capture:
    """The net inputs and activations of every layer of a torch model's last call.

    Use as ``with capture(model) as seen: model(X)``; then
    ``assert_forward_match(net, X, seen.outputs, seen.nets)``.  Hooks are
    registered with ``register_forward_hook`` on entry and removed on exit,
    even when the block raises.  Values are copied as they pass (an in-place
    activation cannot change them afterwards).
    """

    def __init__(self, model):
        self.layers = torch_layers(model)
        self._z = [None] * len(self.layers)
        self._a = [None] * len(self.layers)
        self._handles = []

    def __enter__(self):
        spots = {}                  # id(module) → [module, [(store, layer index)], calls]
        for l, t in enumerate(self.layers):
            for module, store in ((t.linear, self._z), (t.act, self._a)):
                if module is not None:
                    spots.setdefault(id(module), [module, [], [0]])[1].append((store, l))
        try:
            for module, places, calls in spots.values():
                self._handles.append(module.register_forward_hook(_hook(places, calls)))
        except BaseException:
            self._remove()
            raise
        return self

    def __exit__(self, *exc):
        self._remove()
        return False

    def _remove(self):
        while self._handles:
            self._handles.pop().remove()

    def _values(self, store, what):
        missing = [l + 1 for l, v in enumerate(store) if v is None]
        if missing:
            raise NodenetError(f"capture: no {what} for layer {missing[0]}: call the model "
                               f"inside the with block")
        return [reading.plain(v) for v in store]

    @property
    def nets(self):
        """Each layer's net inputs z (its Linear's output), N×n lists, layer 1 first."""
        return self._values(self._z, "net inputs")

    @property
    def outputs(self):
        """Each layer's activations a (its Linear's output where it has no activation)."""
        return self._values([a if a is not None else z for z, a in zip(self._z, self._a)],
                            "activations")

    def __repr__(self):
        seen = sum(z is not None for z in self._z)
        return f"Capture({len(self.layers)} layers, {seen} seen)"


def _hook(places, calls):
    """A forward hook filling ``places`` in turn (a module used at several positions)."""
    def hook(module, inputs, output):
        store, l = places[calls[0] % len(places)]
        calls[0] += 1
        store[l] = output.detach().clone()
    return hook


def capture(model):
    """A context manager collecting every layer's net input and activation of a torch
    ``Sequential`` through forward hooks; see Capture."""
    return Capture(model)
