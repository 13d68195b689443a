"""Reading a caller's arrays: batches, weight matrices and bias vectors.

Everything arrives as nested lists or as an array: anything with
``.tolist()`` (NumPy, torch, JAX) or ``.numpy()`` (Keras variables); nothing
here imports NumPy.  Inputs and targets must be finite (they are the
question); the caller's gradients and activations may hold NaN or ±inf
(they are the answer under test, so a NaN is a mismatch, not an argument
error).

Speed matters here (the oracle should cost about what nodenet's gradients
cost).  A weight matrix that is a C-contiguous float64 or float32 array
(NumPy, JAX on the CPU, torch through ``.numpy()``) is copied out of its
buffer into one ``array.array`` per row, with no Python object per entry;
any other array with a float dtype gives plain Python floats through
``tolist()``, so its rows are taken as they are; a list's rows are checked
with one C-level pass over the types; only a row that fails that is read
entry by entry, for the precise message.
"""

import math
import sys
from array import array

from .. import validate
from ..build import check_layout, transpose
from ..errors import NodenetError

SAMPLES = ("rows", "columns")


def check_samples(samples):
    if not validate.is_choice(samples, SAMPLES):
        raise NodenetError(f"samples must be 'rows' (one sample per row, X·W style) or "
                           f"'columns' (one per column, W·X style); got {validate.brief(samples)}")
    return samples


def plain(value):
    """Nested lists for an array (``.tolist()``, or ``.numpy().tolist()``); lists as they are."""
    if isinstance(value, (list, tuple)):
        return value
    through = torch_numpy(value)    # NumPy's tolist is about 1.7× faster than torch's
    if through is not None:
        return through.tolist()
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "numpy"):             # a Keras variable
        return value.numpy().tolist()
    return value


def torch_numpy(value):
    """A torch tensor's NumPy view, ``.detach().cpu().numpy()`` (the same memory on the
    CPU); None for anything else, or for a dtype NumPy lacks (bfloat16, …)."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        try:
            return value.detach().cpu().numpy()
        except (TypeError, RuntimeError):
            return None
    return None


_NATIVE = "@=" + ("<" if sys.byteorder == "little" else ">")   # byte-order marks that mean native


def buffer_rows(value):
    """The rows of a 2-D, C-contiguous, native float64 or float32 array, each copied into
    an ``array.array`` ("d" or "f"); None for anything else (lists, other dtypes, views
    with strides, objects without the buffer protocol).

    >>> buffer_rows(array("d", [1.0, 2.0])) is None       # 1-D
    True
    """
    if isinstance(value, (list, tuple)):
        return None
    if hasattr(value, "detach"):            # torch: its NumPy view, if it has one
        value = torch_numpy(value)
    try:
        view = memoryview(value)
    except TypeError:
        return None
    with view:
        kind = view.format.lstrip(_NATIVE)
        if (kind not in ("d", "f") or view.ndim != 2 or not view.c_contiguous
                or not all(view.shape) or view.itemsize != array(kind).itemsize):
            return None
        r, c = view.shape
        flat = array(kind)
        with view.cast("B") as raw:
            flat.frombytes(raw)
    return [flat[k:k + c] for k in range(0, r * c, c)]


def float_array(value):
    """True for an array whose ``tolist()`` gives plain floats (a float dtype)."""
    return (not isinstance(value, (list, tuple))
            and "float" in str(getattr(value, "dtype", "")))


def shape(r, c):
    return f"{r}×{c}"


def loose_number(v, what):
    """A real number as a float; NaN and ±inf allowed (they will mismatch)."""
    if not validate.is_real(v):
        raise NodenetError(f"{what} must be a number, got {validate.describe(v)}")
    try:
        return float(v)
    except OverflowError:          # an int beyond the float range: it will mismatch
        return math.copysign(math.inf, v)


def _row(row, what, loose, trusted):
    """One row of numbers as a list of floats (a fresh list unless it came from tolist)."""
    if trusted:
        return row
    if type(row) is list and (validate.all_floats(row) if loose
                              else validate.finite_floats(row)):
        return list(row)
    read = loose_number if loose else validate.number
    return [read(v, f"{what}[{c}]") for c, v in enumerate(row)]


def table(value, what, loose=False):
    """A rectangular 2-D table as ``(rows, n_rows, n_cols, flat)``; a 1-D array is one
    row, with ``flat`` True."""
    trusted = float_array(value)
    value = plain(value)
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or not value:
        raise NodenetError(f"{what} must be a non-empty array (nested lists or .tolist()), "
                           f"got {validate.describe(value)}")
    first = plain(value[0])
    if not isinstance(first, (list, tuple)):         # numbers (or junk): a 1-D array
        row = _row(value, what, loose, trusted)
        return [row], 1, len(row), True
    rows = []
    n = len(first)
    for r, row in enumerate(value):
        row = plain(row)
        if isinstance(row, (str, bytes)) or not isinstance(row, (list, tuple)):
            raise NodenetError(f"{what} must be 1-D or 2-D, got {validate.describe(row)} "
                               f"as row {r}")
        if len(row) != n:
            raise NodenetError(f"{what} must be rectangular: row 0 has {n} entries, "
                               f"row {r} has {len(row)}")
        rows.append(_row(row, f"{what}[{r}]", loose, trusted))
    if not n:
        raise NodenetError(f"{what} has empty rows")
    return rows, len(rows), n, False


def per_sample(value, n, what, samples="rows", n_samples=None, noun="values", loose=False):
    """A batch as a list of per-sample lists of length ``n``.

    ``samples="rows"``: shape N×n (seed 001's X); ``"columns"``: n×N (seed
    002's X).  A 1-D array is one sample.
    """
    rows, r, c, flat = table(value, what, loose)
    want_n = "N" if n_samples is None else n_samples
    if not flat and samples == "columns":
        rows, r, c = transpose(rows), c, r
    if c != n or (n_samples is not None and r != n_samples):
        if flat:
            raise NodenetError(f"{what}: expected {n} {noun} per sample, got a 1-D array of {c}")
        if samples == "rows":
            want, got, other = shape(want_n, n), shape(r, c), "columns"
            label = "samples × " + noun
        else:
            want, got, other = shape(n, want_n), shape(c, r), "rows"
            label = noun + " × samples"
        hint = ""
        if r == n and (n_samples is None or c == n_samples):
            hint = f" — did you mean samples={other!r}?"
        raise NodenetError(f"{what}: expected {want} ({label}), got {got}{hint}")
    return rows


def class_indices(Y, n_samples):
    """One class index per sample (a 1-D array of N, N×1 or 1×N) as [[c], …]; else None."""
    Y = plain(Y)
    if not isinstance(Y, (list, tuple)) or len(Y) == 0:
        return None
    if all(validate.is_real(c) for c in Y) and len(Y) == n_samples:
        return [[c] for c in Y]
    rows = [plain(y) for y in Y]
    if all(isinstance(y, (list, tuple)) and len(y) == 1 for y in rows) and len(rows) == n_samples:
        return rows
    if len(rows) == 1 and isinstance(rows[0], (list, tuple)) and len(rows[0]) == n_samples \
            and n_samples > 1:
        return [[c] for c in rows[0]]
    return None


def batch_pair(net, X, Y, samples, what):
    """Validated inputs and targets, one list per sample, as Network wants them.

    For a loss that takes class indices (``nll``, ``cross_entropy_with_logits``)
    the targets may be one index per sample.
    """
    check_samples(samples)
    X = per_sample(X, net.sizes[0], f"{what}: inputs", samples, noun="inputs")
    indices = class_indices(Y, len(X)) if net.loss_function.class_index else None
    if indices is None or net.sizes[-1] == 1:
        Y = per_sample(Y, net.sizes[-1], f"{what}: targets", samples, n_samples=len(X),
                       noun="targets")
    else:
        Y = indices
    return net.check_batch(X, Y, what)


def per_layer(value, net, requirement, advice=""):
    """``value`` as a list or tuple with one entry per layer of ``net``, or an error."""
    value = plain(value)
    n_layers = len(net.layers)
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) \
            or len(value) != n_layers:
        got = len(value) if isinstance(value, (list, tuple)) else validate.describe(value)
        raise NodenetError(f"{requirement}: expected {n_layers}, got {got}{advice}")
    return value


def weight_matrices(dW, net, layout, what="dW", arrays=False):
    """The caller's weight gradients as out_in nested lists, shapes checked.

    ``arrays=True``, for a caller that only reads the rows: a matrix that
    ``buffer_rows`` can copy comes as its ``array.array`` rows (fast).
    """
    check_layout(layout)
    dW = per_layer(dW, net, f"{what} must list one weight matrix per layer")
    out = []
    for l, (m, layer) in enumerate(zip(dW, net.layers), start=1):
        n_out, n_in = len(layer), layer.n_inputs
        label = f"layer {l} weights"
        rows = buffer_rows(m) if arrays else None
        if rows is not None:
            r, c, flat = len(rows), len(rows[0]), False
        else:
            rows, r, c, flat = table(m, label, loose=True)
        if flat and n_out == 1 and c == n_in:       # one node: a bare vector is its row
            out.append(rows)
            continue
        want = (n_out, n_in) if layout == "out_in" else (n_in, n_out)
        if (r, c) == want:
            out.append(rows if layout == "out_in" else transpose(rows))
            continue
        other = "in_out" if layout == "out_in" else "out_in"
        hint = (f" — did you mean layout={other!r}?" if (c, r) == want
                else f" ({n_out} node{'s' if n_out != 1 else ''}, {n_in} incoming each)")
        got = f"a 1-D array of {c}" if flat else shape(r, c)
        raise NodenetError(f"{label}: expected {shape(*want)} in {layout} layout, got {got}{hint}")
    return out


def bias_vector(b, n, label, n_samples=1, loose=True):
    """A bias vector of ``n`` values from a vector, an n×1 or a 1×n array."""
    rows, r, c, flat = table(b, label, loose=loose)
    if (r, c) in ((1, n), (n, 1)):
        return rows[0] if r == 1 else [row[0] for row in rows]
    got = f"a 1-D array of {c}" if flat else shape(r, c)
    hint = ""
    if n_samples > 1 and n_samples in (r, c) and n in (r, c):
        hint = " — one per sample? sum (or average, as the loss does) over the samples"
    raise NodenetError(f"{label}: expected {n} values (a vector, {shape(n, 1)} or "
                       f"{shape(1, n)}), got {got}{hint}")


def bias_vectors(db, net, n_samples, what="db"):
    """The caller's bias gradients as lists; vectors, n×1 or 1×n all accepted.

    ``db=None`` compares no biases; a None entry leaves out that layer's
    (a layer without biases, such as ``Linear(bias=False)``).
    """
    if db is None:
        return None
    db = per_layer(db, net, f"{what} must list one bias vector per layer",
                   " (pass db=None to compare weights only)")
    return [None if b is None else bias_vector(b, len(layer), f"layer {l} biases", n_samples)
            for l, (b, layer) in enumerate(zip(db, net.layers), start=1)]


class Difference:
    """``abs_error`` and ``rel_error`` of an entry with ``expected`` and ``got``."""

    __slots__ = ()

    @property
    def abs_error(self):
        return abs(self.got - self.expected)

    @property
    def rel_error(self):
        if self.expected == 0.0:
            return 0.0 if self.got == 0.0 else float("inf")
        return self.abs_error / abs(self.expected)

    def in_eps(self, eps):
        """The relative error in units of ``eps`` (a dtype's machine epsilon)."""
        return self.rel_error / eps
