"""Data from CSV files: a header row of column names, then rows of numbers.

Anything else is refused with a NodenetError naming the file, the line and
the column.  Blank lines are skipped; a leading byte-order mark is ignored.
Line numbers count every line of the file from 1 (the header is usually
line 1), as a text editor does.

>>> import io
>>> table = parse_csv(io.StringIO("x1,x2,y\\n0,1,1\\n1,1,0\\n"), "xor.csv")
>>> table
Table(xor.csv: 2 rows × 3 columns x1, x2, y)
>>> X, Y, names = table.inputs_and_targets(["y"])
>>> X, Y, names
([[0.0, 1.0], [1.0, 1.0]], [[1.0], [0.0]], ['x1', 'x2'])
"""

import csv
import math
import os

from .errors import NodenetError
from .files import write_atomic


class Table:
    """Named numeric columns read from a CSV file: ``columns`` and ``rows`` (floats)."""

    def __init__(self, columns, rows, source="data"):
        self.columns = list(columns)
        self.rows = rows
        self.source = source

    def __len__(self):
        return len(self.rows)

    def __repr__(self):
        return (f"Table({self.source}: {len(self.rows)} rows × {len(self.columns)} columns "
                f"{', '.join(self.columns)})")

    def indices(self, names, what="column"):
        """The positions of the columns ``names``, checking each exists once."""
        found = []
        for name in names:
            if name not in self.columns:
                raise NodenetError(
                    f"{self.source} has no {what} named {name!r}; its columns are: "
                    f"{', '.join(self.columns)}")
            if self.columns.index(name) in found:
                raise NodenetError(f"{what} {name!r} is named twice")
            found.append(self.columns.index(name))
        return found

    def select(self, names, what="column"):
        """The rows restricted to the columns ``names``, in that order."""
        idx = self.indices(names, what)
        return [[row[i] for i in idx] for row in self.rows]

    def inputs_and_targets(self, target_columns=(), input_columns=None, n_inputs=None,
                           n_outputs=None):
        """``(X, Y, input_names)``: inputs and targets as lists of rows.

        The inputs are ``input_columns`` if given, else every column that is
        not a target column, in file order.  ``n_inputs`` / ``n_outputs``
        (the model's sizes), when given, are checked against the choice.
        """
        target_columns = list(target_columns)
        self.indices(target_columns, "target column")
        if n_outputs is not None and len(target_columns) != n_outputs:
            raise NodenetError(
                f"the model has {n_outputs} output{'s' * (n_outputs != 1)}, so it needs "
                f"{n_outputs} target column{'s' * (n_outputs != 1)}, got {len(target_columns)}"
                f" ({', '.join(target_columns) or 'none'})")
        if input_columns is None:
            input_columns = [c for c in self.columns if c not in target_columns]
            how = ("all columns except the target columns" if target_columns
                   else "all columns")
        else:
            input_columns = list(input_columns)
            self.indices(input_columns, "input column")
            both = [c for c in input_columns if c in target_columns]
            if both:
                raise NodenetError(f"column {both[0]!r} is both an input and a target column")
            how = "chosen input columns"
        if n_inputs is not None and len(input_columns) != n_inputs:
            raise NodenetError(
                f"the model takes {n_inputs} input{'s' * (n_inputs != 1)}, but {self.source} "
                f"has {len(input_columns)} input columns ({how}: {', '.join(input_columns) or 'none'}); "
                "name the inputs with --input-columns or the targets with --target-columns")
        return self.select(input_columns), self.select(target_columns), input_columns


def parse_csv(lines, source="data"):
    """A Table from an iterable of CSV lines (an open file); ``source`` names it in errors."""
    if isinstance(lines, (str, bytes)) or not hasattr(lines, "__iter__"):
        raise NodenetError(f"{source}: expected CSV lines (an open file or a list of strings), "
                           f"got {type(lines).__name__}")
    reader = csv.reader(lines)
    header = None
    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue                                  # a blank line
            line = reader.line_num
            if header is None:
                header = _header(cells, source, line)
                continue
            if len(cells) != len(header):
                raise NodenetError(
                    f"{source} line {line}: expected {len(header)} cells, one per column "
                    f"({', '.join(header)}), got {len(cells)}")
            rows.append([_cell(c, source, line, name) for c, name in zip(cells, header)])
    except csv.Error as err:
        raise NodenetError(f"{source} line {reader.line_num}: not valid CSV ({err})") from None
    if header is None:
        raise NodenetError(f"{source} is empty; expected a header row of column names, "
                           "then one row of numbers per sample")
    if not rows:
        raise NodenetError(f"{source} has a header ({', '.join(header)}) but no data rows")
    return Table(header, rows, source)


def _header(cells, source, line):
    names = [c.strip() for c in cells]
    if all(_is_number(name) for name in names):
        raise NodenetError(
            f"{source} line {line}: the first row should name the columns, "
            f"but it holds numbers ({', '.join(names)}); add a header row")
    for k, name in enumerate(names, start=1):
        if not name:
            raise NodenetError(f"{source} line {line}: column {k} has no name in the header row")
        if names.index(name) != k - 1:
            raise NodenetError(f"{source} line {line}: column name {name!r} appears twice in the header")
    return names


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cell(text, source, line, column):
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        got = repr(text) if text else "an empty cell"
        raise NodenetError(f"{source} line {line}, column {column!r}: expected a number, "
                           f"got {got}") from None
    if not math.isfinite(value):
        raise NodenetError(f"{source} line {line}, column {column!r}: expected a finite "
                           f"number, got {text!r}")
    return value


def read_csv(path):
    """Read a CSV file of numbers with a header row into a Table."""
    path = os.fspath(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            return parse_csv(f, path)
    except UnicodeDecodeError:
        raise NodenetError(f"{path}: not a UTF-8 text file (expected CSV)") from None


def column_names(values):
    """Column names from command-line words, each maybe comma-separated.

    >>> column_names(["x1,x2", "x3"])
    ['x1', 'x2', 'x3']
    """
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def format_number(value):
    """A float's shortest exact text (``repr``), so a CSV round-trips bit for bit; ints as ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return repr(float(value))


def csv_text(columns, rows):
    """CSV text (``\\n`` line ends) of a header and rows of numbers.

    >>> print(csv_text(["x", "y"], [[0.5, 1.0]]), end="")
    x,y
    0.5,1.0
    """
    lines = [",".join(_quote(c) for c in columns)]
    lines += [",".join(format_number(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def _quote(name):
    if any(ch in name for ch in ',"\n\r') or name != name.strip():
        return '"' + name.replace('"', '""') + '"'
    return name


def write_text(path, text):
    """Write ``text`` to ``path`` atomically; see nodenet.files.write_atomic."""
    write_atomic(path, text)
