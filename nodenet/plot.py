"""Figures as PNG files, one call each (needs the ``plot`` extra: matplotlib).

``loss_plot(history, path)``: training (and validation) loss per epoch.
``decision_boundary_plot(net, X, Y, path)``: a 2-input network's output over
the plane, its 0.5 boundary and the data points, as seed 000's figures.
``activation_plot(path)``: activation functions beside their derivatives.

Each writes the PNG atomically (nodenet.files.write_atomic) and returns the
path; with ``path=None`` it returns the PNG's bytes instead, so a caller can
draw first and write later.

matplotlib is imported inside each call, through its Agg (file-only)
backend objects, so importing nodenet never needs it and the caller's
pyplot state is never touched.  Without it, a NodenetError says how to
install it.  For a chart in the terminal without any extra, see
nodenet.textplot.
"""

import io

from . import validate
from .activations import ACTIVATIONS, get_activation
from .errors import NodenetError
from .metrics import predicted_class
from .files import fspath, write_atomic
from .textplot import validation_losses

INSTALL_HINT = "pip install 'nodenet[plot]'"


def require_matplotlib():
    """Import matplotlib, or raise a NodenetError saying how to install it."""
    try:
        import matplotlib                                    # noqa: F401
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise NodenetError(
            f"plotting needs matplotlib, which is not installed; install it with: "
            f"{INSTALL_HINT}") from None
    return Figure, FigureCanvasAgg


def _figure(size):
    Figure, FigureCanvasAgg = require_matplotlib()
    fig = Figure(figsize=size, dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path):
    """Write the figure as PNG to ``path`` and return the path; None: return the bytes."""
    if path is not None:
        path = fspath(path, "plot")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    if path is None:
        return buffer.getvalue()
    write_atomic(path, buffer.getvalue(), "plot")
    return path


def loss_plot(history, path, validation=None, log=False, title="Loss per epoch"):
    """Write the loss curve(s) of ``history`` to ``path`` (PNG); return the path.

    ``validation`` defaults to the validation loss the history carries, if any.
    """
    losses = [validate.number(v, f"loss at epoch {e}") for e, v in enumerate(history, start=1)]
    if not losses:
        raise NodenetError("loss_plot: the history has no epochs")
    if validation is None:
        validation = validation_losses(history)
    fig = _figure((6.4, 4.0))
    ax = fig.add_subplot()
    epochs = range(1, len(losses) + 1)
    ax.plot(epochs, losses, label="training", color="#007acc")
    if validation is not None:
        ax.plot(range(1, len(validation) + 1), list(validation), label="validation",
                color="#ff9900")
    best = getattr(history, "best_epoch", None)
    if best is not None and validation is not None:
        ax.axvline(best, color="grey", linestyle=":", label=f"best epoch ({best})")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return _save(fig, path)


def decision_boundary_plot(net, X, Y, path, resolution=120, margin=0.5, title=None):
    """Write a 2-input network's decision regions and the samples to ``path`` (PNG).

    The background is the network's output over a grid (one output: its
    value, with the 0.5 contour as the boundary; several: the argmax class).
    Points are the samples X coloured by their class in Y (target ≥ 0.5,
    or the argmax of a one-hot row).
    """
    if net.sizes[0] != 2:
        raise NodenetError(f"a decision boundary needs a network with 2 inputs, "
                           f"this one has {net.sizes[0]}")
    X, Y = net.check_batch(X, Y, "decision_boundary_plot")
    resolution = validate.positive_int(resolution, "resolution", minimum=2)
    margin = validate.number(margin, "margin")
    xs = [x[0] for x in X]
    ys = [x[1] for x in X]
    x0, x1 = min(xs) - margin, max(xs) + margin
    y0, y1 = min(ys) - margin, max(ys) + margin
    gx = [x0 + (x1 - x0) * i / (resolution - 1) for i in range(resolution)]
    gy = [y0 + (y1 - y0) * i / (resolution - 1) for i in range(resolution)]
    single = net.sizes[-1] == 1
    # the grid row r is y = gy[r], as contourf expects
    if single:
        grid = [[net.forward([a, b])[0] for a in gx] for b in gy]
    else:
        grid = [[net.classify([a, b]) for a in gx] for b in gy]
    classes = [predicted_class(y) for y in Y]      # a target's class by the one classify rule
    fig = _figure((5.6, 4.8))
    ax = fig.add_subplot()
    if single:
        filled = ax.contourf(gx, gy, grid, levels=20, cmap="RdBu_r", alpha=0.6)
        fig.colorbar(filled, ax=ax, label="network output")
        lo = min(min(row) for row in grid)
        hi = max(max(row) for row in grid)
        if lo < 0.5 < hi:
            ax.contour(gx, gy, grid, levels=[0.5], colors="black", linewidths=1.5)
    else:
        k = net.sizes[-1]
        ax.contourf(gx, gy, grid, levels=[c - 0.5 for c in range(k + 1)], cmap="tab10",
                    vmin=0, vmax=9, alpha=0.35)
    markers = "os^vD<>ph*"
    for c in sorted(set(classes)):
        pts = [x for x, k in zip(X, classes) if k == c]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=markers[c % 10],
                   s=60, edgecolors="black", label=f"class {c}",
                   color=("#2166ac", "#b2182b")[c] if single else f"C{c}")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title or f"Decision boundary\n{net!r}", fontsize=10)
    ax.legend(loc="best")
    return _save(fig, path)


def activation_plot(path, names=None, low=-5.0, high=5.0, points=201):
    """Write each activation f(z) and its derivative f'(z) to ``path`` (PNG).

    ``names`` defaults to every elementwise activation (softmax is left out:
    its derivative is a matrix, not a curve).
    """
    if names is None:
        names = [n for n, a in ACTIVATIONS.items() if a.elementwise]
    if isinstance(names, (str, bytes)) or not isinstance(names, (list, tuple)):
        raise NodenetError(f"activation_plot expects a list of activation names, "
                           f"got {validate.describe(names)}")
    acts = [get_activation(n) for n in names]
    for a in acts:
        if not a.elementwise:
            raise NodenetError(f"activation_plot draws elementwise activations; "
                               f"{a.name} is not one (its derivative is a Jacobian)")
    if not acts:
        raise NodenetError("activation_plot needs at least one activation name")
    low, high = validate.number(low, "low"), validate.number(high, "high")
    if not low < high:
        raise NodenetError(f"low must be below high, got {low} and {high}")
    points = validate.positive_int(points, "points", minimum=2)
    zs = [low + (high - low) * i / (points - 1) for i in range(points)]
    cols = min(3, len(acts))
    rows = -(-len(acts) // cols)
    fig = _figure((3.4 * cols, 2.8 * rows))
    for k, act in enumerate(acts):
        ax = fig.add_subplot(rows, cols, k + 1)
        outputs = [act.function(z) for z in zs]
        slopes = [act.derivative(z, a) for z, a in zip(zs, outputs)]
        ax.plot(zs, outputs, label="f(z)", color="#007acc")
        ax.plot(zs, slopes, label="f'(z)", color="#ff9900", linestyle="--")
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.axvline(0, color="grey", linewidth=0.5)
        ax.set_title(repr(act))
        ax.set_xlabel("z")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    return _save(fig, path)
