"""``nodenet trace``: the forward, delta and weight-change tables of one step.

Without a model file it traces the CogSci handout's own 3-4-1 network
(``nodenet.examples.handout_network``) on x = (1, 3, 5), label 1, η = 0.01.
The model file is only read; the step is not saved.
"""

import sys

from ..display import FORMATS
from ..errors import NodenetError
from ..examples import HANDOUT_ETA, HANDOUT_INPUT, HANDOUT_TARGET, handout_network
from ..network import Network
from ..numfmt import DIGITS
from ..svg import MAX_LABELS, labels_fit, n_weights, step_picture
from ..tables import ORDERS, step_report
from .common import OptionError, number, whole
from .paths import check_files


def add_parser(sub):
    p = sub.add_parser(
        "trace", help="print the per-node tables of one training step",
        description="Run one training step on one example and print the forward pass, every "
                    "node's δ with its formula, and every weight change. Without MODEL.json, "
                    "the handout's 3-4-1 sigmoid network (h1 weights 0.5 1.2 -0.3, output "
                    "weights 0.8 -1.2 0.5 -0.3) with input 1 3 5, target 1, eta 0.01.")
    p.add_argument("model", nargs="?", metavar="MODEL.json",
                   help="model file to trace (default: the handout's network)")
    p.add_argument("--input", type=number(), nargs="+", metavar="X",
                   help="one input vector (default with no model: 1 3 5)")
    p.add_argument("--target", type=number(), nargs="+", metavar="Y",
                   help="its target vector (default with no model: 1)")
    p.add_argument("--eta", type=number(at_least=0), metavar="η",
                   help=f"learning rate, ≥ 0 (default: {HANDOUT_ETA})")
    p.add_argument("--format", default="github", choices=FORMATS, metavar="FMT",
                   help="any tabulate format (github, plain, pipe, grid, html, …), csv, or "
                        "latex / latex_booktabs ready for pdfLaTeX (default: github)")
    p.add_argument("--digits", type=whole(minimum=1, maximum=22), default=DIGITS,
                   help=f"significant digits of every number, 1 to 22 (default: {DIGITS})")
    p.add_argument("--order", default="standard", choices=ORDERS,
                   help="standard backpropagation, or the handout's order, which updates the "
                        "weights above before the deltas below use them (default: standard)")
    p.add_argument("--svg", metavar="FILE",
                   help="also draw the step as an SVG picture in FILE: every node's net input, "
                        "output and δ, every weight and its change")
    p.set_defaults(func=run)


def run(args):
    check_files(args, inputs={"model": "the model file"}, outputs={"svg": "--svg"})
    if args.model is None:
        net = handout_network()
        x = args.input if args.input is not None else HANDOUT_INPUT
        y = args.target if args.target is not None else HANDOUT_TARGET
    else:
        net = Network.load(args.model)
        missing = [name for name, v in (("--input", args.input), ("--target", args.target))
                   if v is None]
        if missing:
            raise OptionError(f"tracing a model file needs {' and '.join(missing)}, "
                              f"e.g. --input 1 3 5 --target 1")
        x, y = args.input, args.target
    check_sample(net, x, y)
    if args.svg and not labels_fit(net):
        raise OptionError(f"--svg: {n_weights(net)} weights are too many to write on a "
                          f"picture of the step (at most {MAX_LABELS}); leave out --svg, or "
                          "draw the model alone with nodenet draw --format svg --no-values")
    eta = args.eta if args.eta is not None else HANDOUT_ETA
    # the picture comes from the same step on an exact copy: the report's step is its own
    picture = (step_picture(net.copy(), x, y, eta, args.order, digits=args.digits)
               if args.svg else None)
    report = step_report(net, x, y, eta, order=args.order, tablefmt=args.format,
                         digits=args.digits)
    if picture is not None:
        picture.save(args.svg)
        print(f"wrote {args.svg}: SVG picture of the step", file=sys.stderr)
    print(report)
    return 0


def check_sample(net, x, y):
    """Refuse an --input or --target the model cannot take, naming the option."""
    for flag, values, n in (("--input", x, net.sizes[0]), ("--target", y, net.sizes[-1])):
        if len(values) != n and not (flag == "--target" and net.loss_function.class_index):
            raise OptionError(f"{flag} has {len(values)} number{'s' * (len(values) != 1)}, "
                              f"the model needs {n}")
    try:
        net.check_batch([list(x)], [list(y)], "--target")
    except NodenetError as err:
        raise OptionError(str(err).replace("--target: sample 0: ", "--target: ", 1)) from None
