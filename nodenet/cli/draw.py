"""``nodenet draw``: print or write a model as a Mermaid or DOT diagram, or an SVG picture."""

from ..data import write_text
from ..network import Network
from ..svg import MAX_LABELS, labels_fit, n_weights
from .common import OptionError, whole
from .paths import check_files

FORMATS = ("mermaid", "dot", "svg")


def add_parser(sub):
    p = sub.add_parser(
        "draw", help="draw a model as a Mermaid or Graphviz DOT diagram, or an SVG picture",
        description="Print the network as a diagram: inputs x1..xn, nodes labelled with their "
                    "activation and bias, edges with their weights. Mermaid renders on GitHub "
                    "inside a ```mermaid block; DOT renders with Graphviz (dot -Tpng); SVG is a "
                    "picture any browser shows, every weight and bias written on it.")
    p.add_argument("model", metavar="MODEL.json", help="model file to draw")
    p.add_argument("--format", default="mermaid", choices=FORMATS,
                   help="mermaid, dot or svg (default: mermaid)")
    p.add_argument("--digits", type=whole(minimum=1, maximum=22), default=3,
                   help="significant digits of weights and biases, 1 to 22 (default: 3)")
    p.add_argument("--direction", default="LR", choices=("LR", "TB"),
                   help="left to right or top to bottom (default: LR)")
    p.add_argument("--no-values", dest="values", action="store_false",
                   help="svg only: the picture without its numbers (needed above "
                        f"{MAX_LABELS} weights)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of printing")
    p.set_defaults(func=run)


def run(args):
    check_files(args, inputs={"model": "the model file"}, outputs={"output": "-o"})
    if args.format == "svg" and args.direction != "LR":
        raise OptionError(f"--direction {args.direction} is not available with --format svg: "
                          "the picture runs left to right")
    if not args.values and args.format != "svg":
        raise OptionError(f"--no-values goes with --format svg: a {args.format} diagram is "
                          "labelled with the weights")
    net = Network.load(args.model)
    if args.format == "svg":
        if args.values and not labels_fit(net):
            raise OptionError(f"{n_weights(net)} weights are too many to write on an SVG "
                              f"picture (at most {MAX_LABELS}): add --no-values to draw the "
                              "network without its numbers")
        text = str(net.to_svg(values=args.values, digits=args.digits)) + "\n"
    else:
        draw = net.to_mermaid if args.format == "mermaid" else net.to_dot
        text = draw(digits=args.digits, direction=args.direction) + "\n"
    if args.output:
        write_text(args.output, text)
        print(f"wrote {args.output}: {args.format} diagram of {net!r}")
    else:
        print(text, end="")
    return 0
