"""A loss curve drawn in plain text, for the terminal (no matplotlib needed).

One column per epoch (epochs are sampled evenly, first and last kept, when
there are more than ``width``); the row is the loss scaled between the
smallest and the largest value shown.  ``*`` marks the training loss, ``o``
the validation loss, ``#`` both in one cell.

>>> print(loss_curve([4, 2, 1, 0.5, 0.25], height=5))
loss
   4 |*
     |
     | *
     |  *
0.25 |   **
     +-----
      1   5  epoch
* train
"""

import math

from . import validate
from .errors import NodenetError


def _series(values, what):
    values = [float(v) for v in values]
    if not values:
        raise NodenetError(f"{what}: no epochs to plot")
    for e, v in enumerate(values, start=1):
        if not math.isfinite(v):
            raise NodenetError(f"{what}: epoch {e} has a non-finite loss {v!r}")
    return values


def validation_losses(history):
    """The validation losses a History carries, or None (several spellings tried)."""
    for name in ("validation", "validation_loss", "val_loss", "val_losses"):
        values = getattr(history, name, None)
        if values is not None and not callable(values) and len(values):
            return list(values)
    return None


def loss_curve(losses, validation=None, width=60, height=10, log=False):
    """The loss per epoch as a text chart (a string of lines).

    ``validation`` (a list as long as ``losses``) is drawn over it; if not
    given, a validation loss kept on the history is used.  ``log=True``
    spaces the rows by powers of ten (all losses must be > 0).
    """
    if validation is None:
        validation = validation_losses(losses)
    series = [("*", _series(losses, "loss curve"))]
    if validation is not None:
        series.append(("o", _series(validation, "validation curve")))
        if len(series[1][1]) != len(series[0][1]):
            raise NodenetError(f"validation has {len(series[1][1])} epochs, "
                               f"the training loss {len(series[0][1])}")
    if isinstance(width, bool) or not isinstance(width, int) or width < 2:
        raise NodenetError(f"width must be a whole number ≥ 2, got {validate.brief(width)}")
    if isinstance(height, bool) or not isinstance(height, int) or height < 2:
        raise NodenetError(f"height must be a whole number ≥ 2, got {validate.brief(height)}")
    if log:
        if any(v <= 0.0 for _, values in series for v in values):
            raise NodenetError("a log-scale loss curve needs every loss > 0")
        series = [(mark, [math.log10(v) for v in values]) for mark, values in series]
    n = len(series[0][1])
    cols = min(n, width)
    # column c shows epoch index round(c·(n−1)/(cols−1)), in integers
    picks = [0] if cols == 1 else [(c * (n - 1) + (cols - 1) // 2) // (cols - 1)
                                   for c in range(cols)]
    shown = [values[i] for _, values in series for i in picks]
    lo, hi = min(shown), max(shown)
    grid = [[" "] * cols for _ in range(height)]
    for mark, values in series:
        for c, i in enumerate(picks):
            r = 0 if hi == lo else int((hi - values[i]) / (hi - lo) * (height - 1) + 0.5)
            cell = grid[r][c]
            grid[r][c] = mark if cell in (" ", mark) else "#"
    top, bottom = (10 ** hi, 10 ** lo) if log else (hi, lo)
    labels = [f"{top:.4g}"] + [""] * (height - 2) + [f"{bottom:.4g}"]
    margin = max(len(s) for s in labels)
    lines = ["loss (log scale)" if log else "loss"]
    lines += [f"{label:>{margin}} |{''.join(row)}".rstrip() for label, row in zip(labels, grid)]
    lines.append(" " * margin + " +" + "-" * cols)
    first, last = "1", str(n)
    gap = cols - len(first) - len(last)
    ticks = first + " " * gap + last if n > 1 and gap >= 1 else first if n == 1 else last
    lines.append(" " * (margin + 2) + ticks + "  epoch")
    legend = "* train"
    if validation is not None:
        legend += "  o validation  # both"
    lines.append(legend)
    return "\n".join(lines)
