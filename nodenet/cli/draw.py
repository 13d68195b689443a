"""``nodenet draw``: print or write a model as a Mermaid or DOT diagram."""

from ..data import write_text
from ..network import Network
from .common import whole
from .paths import check_files

FORMATS = ("mermaid", "dot")


def add_parser(sub):
    p = sub.add_parser(
        "draw", help="draw a model as a Mermaid or Graphviz DOT diagram",
        description="Print the network as a diagram: inputs x1..xn, nodes labelled with their "
                    "activation and bias, edges with their weights. Mermaid renders on GitHub "
                    "inside a ```mermaid block; DOT renders with Graphviz (dot -Tpng).")
    p.add_argument("model", metavar="MODEL.json", help="model file to draw")
    p.add_argument("--format", default="mermaid", choices=FORMATS,
                   help="diagram language (default: mermaid)")
    p.add_argument("--digits", type=whole(minimum=1, maximum=17), default=3,
                   help="significant digits of weights and biases, 1 to 17 (default: 3)")
    p.add_argument("--direction", default="LR", choices=("LR", "TB"),
                   help="left to right or top to bottom (default: LR)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of printing")
    p.set_defaults(func=run)


def run(args):
    check_files(args, inputs={"model": "the model file"}, outputs={"output": "-o"})
    net = Network.load(args.model)
    draw = net.to_mermaid if args.format == "mermaid" else net.to_dot
    text = draw(digits=args.digits, direction=args.direction) + "\n"
    if args.output:
        write_text(args.output, text)
        print(f"wrote {args.output}: {args.format} diagram of {net!r}")
    else:
        print(text, end="")
    return 0
