"""Samples from a CSV file for a model, the same way in train, predict and fixture.

The targets are the ``--target-columns``; the inputs are the
``--input-columns``, or else every other column in file order.  A target the
model's loss cannot take is named by its file and line::

    d.csv line 3: bce targets must lie in [0, 1], got 3.0 at output 0
"""

import re

from ..data import column_names, read_csv
from ..errors import NodenetError


def read_samples(net, path, target_columns, input_columns=None):
    """``(table, targets, X, Y)`` for ``net`` from the CSV file ``path``.

    ``target_columns`` and ``input_columns`` are command-line words (commas
    allowed); with no target columns, Y is a list of empty rows.
    """
    table = read_csv(path)
    targets = column_names(target_columns) if target_columns else []
    inputs = column_names(input_columns) if input_columns else None
    X, Y, _ = table.inputs_and_targets(targets, inputs, net.sizes[0],
                                       net.sizes[-1] if targets else None)
    if targets:
        check_targets(net, X, Y, table)
    return table, targets, X, Y


def check_targets(net, X, Y, table, rows=None):
    """Refuse targets the loss cannot take, naming the file and line of the first bad one.

    ``rows`` are the table rows that X and Y hold (default: all, in order).
    """
    rows = range(len(X)) if rows is None else rows
    try:
        net.check_batch(X, Y, table.source)
        return
    except NodenetError:
        pass
    for x, y, r in zip(X, Y, rows):
        where = f"{table.source} line {table.lines[r]}"
        try:
            net.check_batch([x], [y], where)
        except NodenetError as err:
            text = str(err).replace(f"{where}: sample 0: ", f"{where}: ", 1)
            raise NodenetError(text) from None
    net.check_batch(X, Y, table.source)         # not one row alone: the batch's own error


def line_note(err, table, rows):
    """`` (sample s is line L of FILE)`` for the first ``sample s`` an error names, else ""."""
    found = re.search(r"\bsample (\d+)\b", str(err))
    if not found or int(found.group(1)) >= len(rows):
        return ""
    s = int(found.group(1))
    return f" (sample {s} is line {table.lines[rows[s]]} of {table.source})"
