"""``nodenet fixture``: write a JSON test fixture for a model and a batch."""

import argparse
import json
import os

from ..errors import NodenetError
from ..files import read_bytes, shown, write_atomic
from ..modelfile import load
from ..oracle.fixture import dumps, fixture
from .common import OptionError, number
from .paths import check_files
from .samples import read_samples
from .trace import check_sample

EPILOG = """\
samples, three ways:
  repeat --input/--target, one pair per sample:
      nodenet fixture xor.json --input 0 0 --target 0 --input 1 0 --target 1
  a JSON file {"inputs": [[...], ...], "targets": [[...], ...]}:
      nodenet fixture xor.json --data batch.json
  a CSV file with a header row, one sample per line, read by column names
  as train and predict read it: the targets are --target-columns, the
  inputs --input-columns or else every other column:
      nodenet fixture xor.json --data batch.csv --target-columns y

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
    p.add_argument("--input", type=number(), nargs="+", action="append", metavar="X",
                   help="one sample's inputs; repeat for more samples")
    p.add_argument("--target", type=number(), nargs="+", action="append", metavar="Y",
                   help="one sample's targets; give one --target per --input, in order")
    p.add_argument("--data", metavar="FILE",
                   help="samples from a .json or .csv file instead of --input/--target")
    p.add_argument("--target-columns", nargs="+", metavar="NAME",
                   help="with a CSV --data file: the target columns, one per model output")
    p.add_argument("--input-columns", nargs="+", metavar="NAME",
                   help="with a CSV --data file: the input columns (default: all columns "
                        "except the targets)")
    p.add_argument("-o", "--output", metavar="OUT.json",
                   help="file to write (default: standard output)")
    p.set_defaults(func=run)


def run(args):
    check_files(args, inputs={"model": "the model file", "data": "--data"},
                outputs={"output": "-o"})
    csv_data = args.data is not None and not is_json(args.data)
    if (args.target_columns or args.input_columns) and not csv_data:
        raise OptionError("--target-columns and --input-columns choose the columns of a CSV "
                          "--data file; give one, or leave them out")
    if csv_data and not args.target_columns:
        raise OptionError(f"the CSV file {shown(args.data)} needs --target-columns NAME… "
                          "(one per model output); the inputs are --input-columns or else "
                          "every other column")
    if args.data is not None and (args.input or args.target):
        raise OptionError("give the samples either with --data or with --input/--target, "
                          "not both")
    net = load(args.model)
    if args.data is not None:
        if csv_data:
            _, _, X, Y = read_samples(net, args.data, args.target_columns, args.input_columns)
        else:
            X, Y = read_json(args.data)
    else:
        X, Y = args.input or [], args.target or []
        if not X:
            raise OptionError("no samples: give --input X… --target Y… (repeat per sample) "
                              "or --data FILE")
        if len(X) != len(Y):
            raise OptionError(f"every --input needs a --target: got {len(X)} --input and "
                              f"{len(Y)} --target")
        for s, (x, y) in enumerate(zip(X, Y)):
            try:
                check_sample(net, x, y)
            except OptionError as err:
                raise OptionError(f"sample {s}: {err}") from None
    text = dumps(fixture(net, X, Y))
    if args.output is None:
        print(text, end="")
    else:
        write_atomic(args.output, text, "fixture")
        n = len(X)
        print(f"wrote {args.output}: {net!r}, {n} sample{'s' if n != 1 else ''}")
    return 0


def is_json(path):
    """True for a ``.json`` file name (the other --data files are CSV)."""
    return os.path.splitext(os.fspath(path))[1].lower() == ".json"


def read_json(path):
    """``(X, Y)`` from a JSON object with exactly the keys inputs and targets."""
    data = read_bytes(path, "data file", pipes=True)
    name = shown(path)
    try:
        data = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise NodenetError(f"{name}: not UTF-8 text (expected JSON)") from None
    except json.JSONDecodeError as err:
        raise NodenetError(f"{name}: not valid JSON ({err.msg} at line {err.lineno})") from None
    except (RecursionError, ValueError) as err:
        raise NodenetError(f"{name}: unreadable JSON ({type(err).__name__})") from None
    if not isinstance(data, dict) or set(data) != {"inputs", "targets"}:
        raise NodenetError(f"{name}: expected a JSON object with exactly the keys "
                           f"'inputs' and 'targets'")
    return data["inputs"], data["targets"]
