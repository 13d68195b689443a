"""``nodenet fixture``: write a JSON test fixture for a model and a batch."""

import argparse
import json
import os

from ..data import parse_csv
from ..errors import NodenetError
from ..files import write_atomic
from ..modelfile import load
from ..oracle.fixture import dumps, fixture

EPILOG = """\
samples, three ways:
  repeat --input/--target, one pair per sample:
      nodenet fixture xor.json --input 0 0 --target 0 --input 1 0 --target 1
  a JSON file {"inputs": [[...], ...], "targets": [[...], ...]}:
      nodenet fixture xor.json --data batch.json
  a CSV file with a header row, one sample per line: the model's inputs
  in the first columns, then its targets:
      nodenet fixture xor.json --data batch.csv

The fixture holds the model, the batch, every layer's z, a, delta and dL_dz
(one row per sample), the loss, and the gradients in both layouts; its
"conventions" entry spells out each one.
"""


def add_parser(sub):
    p = sub.add_parser(
        "fixture", help="write the forward pass, deltas and gradients of a batch as JSON",
        description="Run a batch through a model and write every layer's z, a and delta, "
                    "the loss and the gradients (out_in and in_out layouts) as JSON, for "
                    "tests of a vectorized implementation in any language.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", metavar="MODEL.json", help="a model file (nodenet init/save)")
    p.add_argument("--input", type=float, nargs="+", action="append", metavar="X",
                   help="one sample's inputs; repeat for more samples")
    p.add_argument("--target", type=float, nargs="+", action="append", metavar="Y",
                   help="one sample's targets; give one --target per --input, in order")
    p.add_argument("--data", metavar="FILE",
                   help="samples from a .json or .csv file instead of --input/--target")
    p.add_argument("-o", "--output", metavar="OUT.json",
                   help="file to write (default: standard output)")
    p.set_defaults(func=run)


def run(args):
    net = load(args.model)
    if args.data is not None:
        if args.input or args.target:
            raise NodenetError("give the samples either with --data or with --input/--target, "
                               "not both")
        X, Y = read_data(args.data, net.sizes[0], net.sizes[-1])
    else:
        X, Y = args.input or [], args.target or []
        if not X:
            raise NodenetError("no samples: give --input X… --target Y… (repeat per sample) "
                               "or --data FILE")
        if len(X) != len(Y):
            raise NodenetError(f"every --input needs a --target: got {len(X)} --input and "
                               f"{len(Y)} --target")
        for s, (x, y) in enumerate(zip(X, Y)):
            for flag, values, n in (("--input", x, net.sizes[0]), ("--target", y, net.sizes[-1])):
                if len(values) != n:
                    raise NodenetError(f"sample {s}: {flag} has {len(values)} numbers, "
                                       f"the model needs {n}")
    text = dumps(fixture(net, X, Y))
    if args.output is None:
        print(text, end="")
    else:
        write_atomic(args.output, text, "fixture")
        n = len(X)
        print(f"wrote {args.output}: {net!r}, {n} sample{'s' if n != 1 else ''}")
    return 0


def read_data(path, n_in, n_out):
    """``(X, Y)`` from a JSON object with inputs/targets or a CSV of rows."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if os.path.splitext(path)[1].lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise NodenetError(f"{path}: not valid JSON ({err.msg} at line {err.lineno})") from None
        if not isinstance(data, dict) or set(data) != {"inputs", "targets"}:
            raise NodenetError(f"{path}: expected a JSON object with exactly the keys "
                               f"'inputs' and 'targets'")
        return data["inputs"], data["targets"]
    table = parse_csv(text.splitlines(), path)
    if len(table.columns) != n_in + n_out:
        raise NodenetError(f"{path}: expected {n_in} input columns then {n_out} target columns, "
                           f"got {len(table.columns)} ({', '.join(table.columns)})")
    X, Y, _ = table.inputs_and_targets(table.columns[n_in:], table.columns[:n_in], n_in, n_out)
    return X, Y

