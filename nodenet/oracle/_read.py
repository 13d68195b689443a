"""Reading a caller's arrays: batches, weight matrices and bias vectors.

Everything arrives as nested lists or as anything with ``.tolist()`` (NumPy
arrays, torch tensors); nothing here imports NumPy.  Inputs and targets must
be finite (they are the question); the caller's gradients and activations
may hold NaN or ±inf (they are the answer under test, so a NaN is a
mismatch, not an argument error).
"""

import math
import numbers

from .. import validate
from ..errors import NodenetError

SAMPLES = ("rows", "columns")


def check_samples(samples):
    if samples not in SAMPLES:
        raise NodenetError(f"samples must be 'rows' (one sample per row, X·W style) or "
                           f"'columns' (one per column, W·X style); got {samples!r}")
    return samples


def check_tolerance(rtol, atol):
    rtol = validate.number(rtol, "rtol")
    atol = validate.number(atol, "atol")
    if rtol < 0.0 or atol < 0.0:
        raise NodenetError(f"rtol and atol must be ≥ 0, got rtol={rtol!r}, atol={atol!r}")
    return rtol, atol


def close(expected, got, rtol, atol):
    """|got − expected| ≤ atol + rtol·|expected| (NumPy's isclose); NaN never is."""
    return abs(got - expected) <= atol + rtol * abs(expected)


def shape(r, c):
    return f"{r}×{c}"


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def loose_number(v, what):
    """A real number as a float; NaN and ±inf allowed (they will mismatch)."""
    if not _is_number(v):
        raise NodenetError(f"{what} must be a number, got {type(v).__name__} {v!r:.40}")
    try:
        return float(v)
    except OverflowError:          # an int beyond the float range: it will mismatch
        return math.copysign(math.inf, v)


def table(value, what, loose=False):
    """A rectangular 2-D table as ``(rows, n_rows, n_cols)``; 1-D becomes one row.

    Returns ``flat=True`` as a fourth item when the value was 1-D.
    """
    value = validate.as_sequence(value)
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or not value:
        raise NodenetError(f"{what} must be a non-empty array (nested lists or .tolist()), "
                           f"got {type(value).__name__} {value!r:.40}")
    read = (lambda v, w: loose_number(v, w)) if loose else validate.number
    if all(_is_number(v) for v in value):
        return [[read(v, f"{what}[{i}]") for i, v in enumerate(value)]], 1, len(value), True
    rows = []
    for r, row in enumerate(value):
        row = validate.as_sequence(row)
        if isinstance(row, (str, bytes)) or not isinstance(row, (list, tuple)):
            raise NodenetError(f"{what} must be 1-D or 2-D, got {type(row).__name__} "
                               f"{row!r:.40} as row {r}")
        if rows and len(row) != len(rows[0]):
            raise NodenetError(f"{what} must be rectangular: row 0 has {len(rows[0])} entries, "
                               f"row {r} has {len(row)}")
        rows.append([read(v, f"{what}[{r}][{c}]") for c, v in enumerate(row)])
    if not rows[0]:
        raise NodenetError(f"{what} has empty rows")
    return rows, len(rows), len(rows[0]), False


def transpose(rows):
    return [list(col) for col in zip(*rows)]


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


def batch_pair(net, X, Y, samples, what):
    """Validated inputs and targets, one list per sample, as Network wants them."""
    check_samples(samples)
    X = per_sample(X, net.sizes[0], f"{what}: inputs", samples, noun="inputs")
    Y = per_sample(Y, net.sizes[-1], f"{what}: targets", samples, n_samples=len(X),
                   noun="targets")
    return net.check_batch(X, Y, what)


def _per_layer(value, net, requirement, advice=""):
    """``value`` as a list or tuple with one entry per layer of ``net``, or an error."""
    value = validate.as_sequence(value)
    n_layers = len(net.layers)
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) \
            or len(value) != n_layers:
        got = len(value) if isinstance(value, (list, tuple)) else type(value).__name__
        raise NodenetError(f"{requirement}: expected {n_layers}, got {got}{advice}")
    return value


def weight_matrices(dW, net, layout, what="dW"):
    """The caller's weight gradients as out_in nested lists, shapes checked."""
    from ..build import check_layout
    check_layout(layout)
    dW = _per_layer(dW, net, f"{what} must list one weight matrix per layer")
    out = []
    for l, (m, layer) in enumerate(zip(dW, net.layers), start=1):
        n_out, n_in = len(layer), layer.n_inputs
        label = f"layer {l} weights"
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


def bias_vectors(db, net, n_samples, what="db"):
    """The caller's bias gradients as lists; vectors, n×1 or 1×n all accepted."""
    if db is None:
        return None
    db = _per_layer(db, net, f"{what} must list one bias vector per layer",
                    " (pass db=None to compare weights only)")
    out = []
    for l, (b, layer) in enumerate(zip(db, net.layers), start=1):
        n = len(layer)
        label = f"layer {l} biases"
        rows, r, c, flat = table(b, label, loose=True)
        if (r, c) in ((1, n), (n, 1)):
            out.append(rows[0] if r == 1 else [row[0] for row in rows])
            continue
        got = f"a 1-D array of {c}" if flat else shape(r, c)
        hint = ""
        if n_samples > 1 and n_samples in (r, c) and n in (r, c):
            hint = " — one per sample? sum (or average, as the loss does) over the samples"
        raise NodenetError(f"{label}: expected {n} values (a vector, {shape(n, 1)} or "
                           f"{shape(1, n)}), got {got}{hint}")
    return out


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
