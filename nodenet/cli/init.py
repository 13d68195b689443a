"""``nodenet init``: write a freshly initialized model file."""

from ..activations import ACTIVATIONS
from ..initializers import INITIALIZERS
from ..losses import LOSSES
from ..network import Network
from .common import OptionError, whole
from .paths import check_files


def add_parser(sub):
    p = sub.add_parser("init", help="write a new model file to start from",
                       description="Create a network with seeded random weights and save it as JSON.")
    p.add_argument("--sizes", type=whole(minimum=1), nargs="+", required=True, metavar="N",
                   help="layer sizes from inputs to outputs, e.g. 3 4 1")
    p.add_argument("--activation", default="sigmoid", choices=sorted(ACTIVATIONS),
                   help="hidden-layer activation (default: sigmoid)")
    p.add_argument("--output-activation", choices=sorted(ACTIVATIONS),
                   help="output-layer activation (default: the hidden one)")
    p.add_argument("--loss", default="sse", choices=sorted(LOSSES), help="loss (default: sse)")
    p.add_argument("--init", default="xavier", choices=sorted(INITIALIZERS),
                   help="weight initializer (default: xavier)")
    p.add_argument("--seed", type=whole(), default=0, help="random seed (default: 0)")
    p.add_argument("-o", "--output", required=True, metavar="MODEL.json", help="file to write")
    p.set_defaults(func=run)


def run(args):
    check_files(args, outputs={"output": "-o"})
    if len(args.sizes) < 2:
        raise OptionError(f"--sizes needs at least two sizes, the inputs and the outputs "
                          f"(e.g. --sizes 3 4 1), got {len(args.sizes)}")
    net = Network(args.sizes, activation=args.activation,
                  output_activation=args.output_activation, loss=args.loss,
                  init=args.init, seed=args.seed)
    net.save(args.output)
    print(f"wrote {args.output}: {net!r}")
    return 0
