"""``nodenet predict``: a model's outputs for every row of a CSV file, as CSV.

Input columns: ``--input-columns`` if given; else every column except the
``--target-columns`` (if the file has targets); else every column.  Their
number must equal the model's input size.  The output has the file's
columns, every cell exactly as the file wrote it (``007`` stays ``007``),
then one column per model output (``output1``…, or ``predicted_<target>``
when target columns are named), then ``class`` with ``--classify``.
Predictions are written exactly (Python's shortest repr).
"""

import sys

from ..data import csv_text, write_text
from ..network import Network
from .paths import check_files
from .samples import read_samples


def add_parser(sub):
    p = sub.add_parser(
        "predict", help="write a model's predictions for a CSV file",
        description="Feed every row of a CSV file (a header row, then numbers) through the "
                    "model and write the rows, as they were, with the predictions appended, "
                    "as CSV. The input columns are --input-columns, or else every column "
                    "that is not a --target-columns column; their number must equal the "
                    "model's input size.")
    p.add_argument("model", metavar="MODEL.json", help="trained model file")
    p.add_argument("--data", required=True, metavar="DATA.csv", help="rows to predict")
    p.add_argument("--input-columns", nargs="+", metavar="NAME",
                   help="input column names (default: all columns except the targets)")
    p.add_argument("--target-columns", nargs="+", metavar="NAME",
                   help="target columns in the file: not used as inputs, and the loss on them "
                        "is reported")
    p.add_argument("--classify", action="store_true",
                   help="add a 'class' column (output ≥ 0.5 for one output, else the argmax)")
    p.add_argument("-o", "--output", metavar="PREDICTIONS.csv",
                   help="file to write (default: standard output)")
    p.set_defaults(func=run)


def run(args):
    check_files(args, inputs={"model": "the model file", "data": "--data"},
                outputs={"output": "-o"})
    net = Network.load(args.model)
    table, targets, X, Y = read_samples(net, args.data, args.target_columns, args.input_columns)
    outputs = [net.predict(x) for x in X]
    k = net.sizes[-1]
    names = ([f"predicted_{t}" for t in targets] if targets
             else [f"output{i}" for i in range(1, k + 1)])
    taken = [n for n in names if n in table.columns]
    if taken:
        names = [f"{n}_" for n in names]       # keep the file's own column names unique
    header = table.columns + names + (["class"] if args.classify else [])
    rows = []
    for cells, x, out in zip(table.texts, X, outputs):
        rows.append(cells + out + ([net.classify(x)] if args.classify else []))
    text = csv_text(header, rows)
    notes = []
    if targets:
        notes.append(f"loss on {len(X)} rows of {table.source} ({net.loss_function.name}): "
                     f"{net.loss(X, Y):.6g}")
    if args.output:
        write_text(args.output, text)
        notes.append(f"wrote {args.output}: {len(rows)} rows, {len(names)} prediction "
                     f"column{'s' * (len(names) != 1)}")
        for note in notes:
            print(note)
    else:
        sys.stdout.write(text)
        for note in notes:
            print(note, file=sys.stderr)
    return 0
