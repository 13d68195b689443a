"""``nodenet train``: train a model file on a CSV file and save the result.

Columns: ``--target-columns`` names the targets (one per model output);
the inputs are ``--input-columns`` if given, else every other column in
file order.  Their number must match the model's input size.
"""

import math
import random
import sys

from .. import training
from ..data import column_names, read_csv
from ..errors import NodenetError
from ..network import Network
from ..remedies import LR_DECAYS, split_validation
from ..textplot import loss_curve
from .progress import Progress

# remedy options of nodenet.training.train: (flag, parameter, type, help)
REMEDIES = (
    ("--clip-value", "clip_value", float, "clip every gradient entry to [-C, C]"),
    ("--clip-norm", "clip_norm", float, "rescale each update's gradient to norm at most C"),
    ("--l2", "l2", float, "L2 weight decay λ on the weights (default: 0)"),
    ("--dropout", "dropout", float, "inverted dropout rate p on hidden layers (default: 0)"),
    ("--patience", "patience", int,
     "early stopping: stop after this many epochs without a lower validation loss and "
     "restore the best weights (needs --validation)"),
    ("--lr-decay", "lr_decay", str, f"learning-rate decay: {' or '.join(LR_DECAYS)}"),
    ("--decay-rate", "decay_rate", float, "the decay's γ (step: η·γ per step; 1/t: η/(1+γ(t−1)))"),
    ("--decay-every", "decay_every", int, "epochs per step of step decay (default: 1)"),
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
    p.add_argument("--epochs", required=True, type=int, help="number of epochs")
    p.add_argument("--eta", required=True, type=float, help="learning rate η")
    p.add_argument("--batch-size", type=int, default=1,
                   help="samples per update (default: 1, online learning)")
    p.add_argument("--momentum", type=float, default=0.0, help="momentum μ (default: 0)")
    p.add_argument("--no-shuffle", dest="shuffle", action="store_false",
                   help="visit the samples in file order")
    p.add_argument("--target-loss", type=float, help="stop once the training loss is at most this")
    p.add_argument("--validation", type=float, metavar="FRACTION",
                   help="hold out this fraction of the rows (drawn with --seed) as validation data")
    for flag, name, kind, text in REMEDIES:
        p.add_argument(flag, dest=name, type=kind, help=text)
    p.add_argument("--diagnostics", action="store_true",
                   help="record per-layer gradient health and dead nodes, and print them")
    p.add_argument("--seed", type=int, default=0,
                   help="seed for shuffling and the validation split (default: 0)")
    p.add_argument("--plot", metavar="LOSS.png", help="also draw the loss curve (needs matplotlib)")
    p.add_argument("--curve", action="store_true", help="print a text loss curve at the end")
    p.add_argument("--every", type=int, metavar="K",
                   help="history table (and progress lines when not on a terminal) every K "
                        "epochs (default: about ten rows)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("-o", "--output", required=True, metavar="TRAINED.json",
                   help="file to write the trained model to")
    p.set_defaults(func=run)


def run(args):
    if args.plot:
        from ..plot import require_matplotlib
        require_matplotlib()               # fail now, not after a long run
    if args.every is not None and args.every < 1:
        raise NodenetError(f"--every must be at least 1, got {args.every}")
    net = Network.load(args.model)
    table = read_csv(args.data)
    targets = column_names(args.target_columns)
    inputs = column_names(args.input_columns) if args.input_columns else None
    X, Y, _ = table.inputs_and_targets(targets, inputs, net.sizes[0], net.sizes[-1])
    net.rng = random.Random(args.seed)
    options = {name: getattr(args, name) for _, name, _, _ in REMEDIES
               if getattr(args, name) is not None}
    if args.patience is not None and args.validation is None:
        raise NodenetError("--patience (early stopping) needs a validation split: "
                           "add --validation FRACTION, e.g. --validation 0.2")
    if args.validation is not None:
        if not 0.0 < args.validation < 1.0:
            raise NodenetError(f"--validation must be a fraction between 0 and 1, "
                               f"got {args.validation}")
        X, Y, val_X, val_Y = split_validation(X, Y, args.validation, net.rng)
        options["validation_data"] = (val_X, val_Y)
    before = net.loss(X, Y)
    progress = None if args.quiet else Progress(args.epochs, sys.stderr, every=args.every)
    try:
        history = training.train(net, X, Y, args.epochs, args.eta, batch_size=args.batch_size,
                                 momentum=args.momentum, shuffle=args.shuffle,
                                 target_loss=args.target_loss, callback=progress,
                                 diagnostics=args.diagnostics, **options)
    finally:
        if progress is not None:
            progress.close()
    every = args.every or max(1, math.ceil(len(history) / 10))
    print(history.table(every=every))
    if args.diagnostics:
        print(history.health_table())
    after = net.loss(X, Y)
    print(f"loss on {len(X)} rows of {args.data} ({net.loss_function.name}): "
          f"{before:.6g} before, {after:.6g} after")
    if args.curve and len(history):
        print(loss_curve(history))
    net.save(args.output)
    print(f"wrote {args.output}: {net!r}")
    if args.plot and len(history):
        from ..plot import loss_plot
        loss_plot(history, args.plot)
        print(f"wrote {args.plot}")
    return 0

