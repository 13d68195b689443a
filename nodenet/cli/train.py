"""``nodenet train``: train a model file on a CSV file and save the result.

Columns: ``--target-columns`` names the targets (one per model output);
the inputs are ``--input-columns`` if given, else every other column in
file order.  Their number must match the model's input size.

Before any work the outputs are checked (``-o`` and ``--plot`` writable,
neither the same file as an input or each other) and so is every option
value, alone and together with the data; the run then trains, draws the
plot in memory, saves the model, writes the plot and prints its report.
"""

import math
import random
import sys

from .. import faults, training
from ..errors import NodenetError
from ..files import write_atomic
from ..modelfile import load
from ..remedies import split_validation
from ..schedules import LR_DECAYS
from ..textplot import loss_curve
from .common import OptionError, number, warn, whole
from .paths import check_files
from .progress import Progress
from .samples import line_note, read_samples

# faults.HINT (a divergence's advice), in this command's options
CLI_HINT = "try a smaller --eta, or --clip-norm or --clip-value"

# remedy options of nodenet.training.train: (flag, parameter, type, help)
REMEDIES = (
    ("--clip-value", "clip_value", number(above=0), "clip every gradient entry to [-C, C]"),
    ("--clip-norm", "clip_norm", number(above=0),
     "rescale each update's gradient to norm at most C"),
    ("--l2", "l2", number(at_least=0), "L2 weight decay λ ≥ 0 on the weights (default: 0)"),
    ("--dropout", "dropout", number(at_least=0, below=1),
     "inverted dropout rate p in [0, 1) on hidden layers (default: 0)"),
    ("--patience", "patience", whole(minimum=1),
     "early stopping: stop after this many epochs without a lower validation loss and "
     "restore the best weights (needs --validation)"),
    ("--lr-decay", "lr_decay", str, f"learning-rate decay: {' or '.join(LR_DECAYS)}"),
    ("--decay-rate", "decay_rate", number(at_least=0),
     "the decay's γ (step: η·γ per step, γ in (0, 1]; 1/t: η/(1+γ(t−1)), γ ≥ 0)"),
    ("--decay-every", "decay_every", whole(minimum=1),
     "epochs per step of step decay (default: 1)"),
)


def add_parser(sub):
    p = sub.add_parser(
        "train", help="train a model on a CSV file",
        description="Train MODEL.json on the rows of a CSV file (a header row, then numbers), "
                    "show progress, print the per-epoch history and save the trained model. "
                    "The input columns are --input-columns, or else every column that is not "
                    "a target column; their number must equal the model's input size.")
    p.add_argument("model", metavar="MODEL.json", help="model file to start from")
    p.add_argument("--data", required=True, metavar="DATA.csv", help="training data")
    p.add_argument("--target-columns", required=True, nargs="+", metavar="NAME",
                   help="target column names, one per model output (spaces or commas)")
    p.add_argument("--input-columns", nargs="+", metavar="NAME",
                   help="input column names (default: all columns except the targets)")
    p.add_argument("--epochs", required=True, type=whole(minimum=0),
                   help="number of epochs (≥ 0)")
    p.add_argument("--eta", required=True, type=number(above=0), help="learning rate η > 0")
    p.add_argument("--batch-size", type=whole(minimum=1), default=1,
                   help="samples per update, at most the number of training rows "
                        "(default: 1, online learning)")
    p.add_argument("--momentum", type=number(at_least=0, below=1), default=0.0,
                   help="momentum μ in [0, 1) (default: 0)")
    p.add_argument("--no-shuffle", dest="shuffle", action="store_false",
                   help="visit the samples in file order")
    p.add_argument("--target-loss", type=number(at_least=0),
                   help="stop once the training loss is at most this")
    p.add_argument("--validation", type=number(above=0, below=1), metavar="FRACTION",
                   help="hold out this fraction of the rows (drawn with --seed) as validation data")
    for flag, name, kind, text in REMEDIES:
        choices = LR_DECAYS if name == "lr_decay" else None
        p.add_argument(flag, dest=name, type=kind, choices=choices, help=text)
    p.add_argument("--diagnostics", action="store_true",
                   help="record per-layer gradient health and dead nodes, and print them")
    p.add_argument("--seed", type=whole(), default=0,
                   help="seed for shuffling and the validation split (default: 0)")
    p.add_argument("--plot", metavar="LOSS.png", help="also draw the loss curve (needs matplotlib)")
    p.add_argument("--curve", action="store_true", help="print a text loss curve at the end")
    p.add_argument("--every", type=whole(minimum=1), metavar="K",
                   help="history table (and progress lines when not on a terminal) every K "
                        "epochs (default: about ten rows)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("-o", "--output", required=True, metavar="TRAINED.json",
                   help="file to write the trained model to")
    p.set_defaults(func=run)


def run(args):
    check_files(args, inputs={"model": "the model file", "data": "--data"},
                outputs={"output": "-o", "plot": "--plot"})
    if args.plot:
        from ..plot import require_matplotlib
        require_matplotlib()               # fail now, not after a long run
    check_combinations(args)
    net = load(args.model)
    table, _, X, Y = read_samples(net, args.data, args.target_columns, args.input_columns)
    net.rng = random.Random(args.seed)
    options = {name: getattr(args, name) for _, name, _, _ in REMEDIES
               if getattr(args, name) is not None}
    rows = list(range(len(X)))             # the table rows that X holds, for line numbers
    if args.validation is not None:
        rows, held = split_rows(len(X), args.validation, net.rng)
        options["validation_data"] = ([X[r] for r in held], [Y[r] for r in held])
        X, Y = [X[r] for r in rows], [Y[r] for r in rows]
    check_with_data(args, net, len(X))
    before = net.loss(X, Y)
    progress = None if args.quiet else Progress(args.epochs, sys.stderr, every=args.every)
    try:
        history = training.train(net, X, Y, args.epochs, args.eta, batch_size=args.batch_size,
                                 momentum=args.momentum, shuffle=args.shuffle,
                                 target_loss=args.target_loss, callback=progress,
                                 diagnostics=args.diagnostics, **options)
    except NodenetError as err:
        text = str(err).replace(faults.HINT, CLI_HINT)     # the options as typed here
        raise NodenetError(f"{text}{line_note(err, table, rows)}; nothing was written") from None
    finally:
        if progress is not None:
            progress.close()
    after = net.loss(X, Y)
    report = summary(args, history, table, len(X), before, after, net.loss_function.name)
    png = None
    if args.plot and len(history):
        from ..plot import loss_plot
        png = loss_plot(history, None)     # drawn before anything is written
    net.save(args.output)
    report.append(f"wrote {args.output}: {net!r}")
    if png is not None:
        try:
            write_atomic(args.plot, png, "plot")
        except NodenetError as err:
            raise NodenetError(f"wrote {args.output}, but not the plot: {err}") from None
        report.append(f"wrote {args.plot}")
    print("\n".join(report))
    if after > before:
        warn("train", f"the loss ended above where it started ({after:.6g} after, "
                      f"{before:.6g} before): the saved weights fit the data worse than the "
                      "starting ones; try a smaller --eta")
    return 0


def summary(args, history, table, n, before, after, loss_name):
    """The lines printed after training: history table, health, losses, curve."""
    every = args.every or max(1, math.ceil(len(history) / 10))
    lines = [history.table(every=every)]
    if args.diagnostics:
        lines.append(history.health_table())
    lines.append(f"loss on {n} rows of {table.source} ({loss_name}): "
                 f"{before:.6g} before, {after:.6g} after")
    if args.curve and len(history):
        lines.append(loss_curve(history))
    return lines


def check_combinations(args):
    """Refuse options that are each fine but do not go together."""
    if args.patience is not None and args.validation is None:
        raise OptionError("--patience (early stopping) needs a validation split: "
                          "add --validation FRACTION, e.g. --validation 0.2")
    if args.lr_decay is not None and args.decay_rate is None:
        raise OptionError(f"--lr-decay {args.lr_decay} needs --decay-rate")
    if args.lr_decay is None and args.decay_rate is not None:
        raise OptionError("--decay-rate needs --lr-decay (step or 1/t)")
    if args.lr_decay == "step" and not 0.0 < args.decay_rate <= 1.0:
        raise OptionError(f"--decay-rate for --lr-decay step multiplies η, so it must be in "
                          f"(0, 1], got {args.decay_rate:g}")
    if args.decay_every is not None and args.lr_decay != "step":
        raise OptionError("--decay-every belongs to --lr-decay step")


def split_rows(n, fraction, rng):
    """``(kept, held)`` row numbers of a validation split, as ``split_validation`` draws it."""
    rows = list(range(n))
    try:
        kept, _, held, _ = split_validation(rows, rows, fraction, rng)
    except NodenetError:
        raise OptionError(f"--validation {fraction:g} of {n} rows holds out "
                          f"{int(round(fraction * n))}; it must leave at least one row on "
                          "each side") from None
    return kept, held


def check_with_data(args, net, n):
    """Refuse option values that do not fit the data or the model."""
    if args.batch_size > n:
        rows = "training rows" if args.validation is not None else "rows"
        raise OptionError(f"--batch-size {args.batch_size} is more than the {n} {rows} of "
                          f"{args.data}")
    if args.dropout and len(net.sizes) < 3:
        raise OptionError(f"--dropout acts on hidden layers, and this model has none "
                          f"({net!r})")
