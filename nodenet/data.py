"""Data from CSV files: a header row of column names, then rows of numbers.

A number is written in plain decimal or scientific notation with ASCII
digits: ``7``, ``-0.5``, ``007``, ``.5``, ``2.5e-3``, ``1E+6``.  Anything
else (``1_0``, ``0x1f``, ``١٢``, ``nan``, ``inf``) is refused with a
NodenetError naming the file, the line and the column; so are a missing
header and a ragged row.  Blank lines are skipped; a leading byte-order
mark is ignored.  Line numbers count every line of the file from 1 (the
header is usually line 1), as a text editor does.  A Table keeps each
cell's original text too (``texts``), so a command can write the cells it
does not use back exactly as they were.

>>> import io
>>> table = parse_csv(io.StringIO("x1,x2,y\\n0,1,1\\n1,1,0\\n"), "xor.csv")
>>> table
Table(xor.csv: 2 rows × 3 columns x1, x2, y)
>>> X, Y, names = table.inputs_and_targets(["y"])
>>> X, Y, names
([[0.0, 1.0], [1.0, 1.0]], [[1.0], [0.0]], ['x1', 'x2'])
>>> table.lines, table.texts[0]
([2, 3], ['0', '1', '1'])
"""

import csv
import io
import math
import re

from .errors import NodenetError
from .files import fspath, read_bytes, shown, write_atomic
from .validate import brief

NOTATION = "plain decimal or scientific notation with ASCII digits, e.g. 7, -0.5, 2.5e-3"
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")   # linear: no backtracking
_SPACE = " \t"
NONFINITE = ("nan", "inf", "infinity")    # words float() reads, refused as "not finite"


def to_number(text):
    """The float ``text`` writes in decimal or scientific notation, else None.

    Spaces and tabs around the number are allowed; a value beyond the float
    range comes back as ±inf (the caller decides whether that is allowed).

    >>> to_number(" 007 "), to_number("-2.5e-3"), to_number("1_0"), to_number("nan")
    (7.0, -0.0025, None, None)
    """
    if not isinstance(text, str):
        return None
    text = text.strip(_SPACE)
    if not _NUMBER.fullmatch(text):
        return None
    return float(text)


def names_list(names, most=12):
    """Column names for a message, bounded: the first ``most`` and a count.

    >>> names_list(["a", "b"])
    'a, b'
    """
    names = [n if len(n) <= 40 else n[:37] + "..." for n in names[:most]] + \
        ([f"… ({len(names)} in all)"] if len(names) > most else [])
    return ", ".join(names)


class Table:
    """Named numeric columns read from a CSV file.

    ``columns`` are the names, ``rows`` the numbers (floats), ``texts`` the
    cells as they were written and ``lines`` each row's line in the file.
    """

    def __init__(self, columns, rows, source="data", texts=None, lines=None):
        self.columns = list(columns)
        self.rows = rows
        self.source = source
        self.texts = texts if texts is not None else [[repr(v) for v in row] for row in rows]
        self.lines = lines if lines is not None else list(range(2, len(rows) + 2))

    def __len__(self):
        return len(self.rows)

    def __repr__(self):
        return (f"Table({self.source}: {len(self.rows)} rows × {len(self.columns)} columns "
                f"{names_list(self.columns)})")

    def indices(self, names, what="column"):
        """The positions of the columns ``names``, checking each exists once."""
        found = []
        for name in names:
            if name not in self.columns:
                raise NodenetError(
                    f"{self.source} has no {what} named {brief(name)}; its columns are: "
                    f"{names_list(self.columns)}")
            if self.columns.index(name) in found:
                raise NodenetError(f"{what} {brief(name)} is named twice")
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
                f" ({names_list(target_columns) or 'none'})")
        if input_columns is None:
            input_columns = [c for c in self.columns if c not in target_columns]
            how = ("all columns except the target columns" if target_columns
                   else "all columns")
        else:
            input_columns = list(input_columns)
            self.indices(input_columns, "input column")
            both = [c for c in input_columns if c in target_columns]
            if both:
                raise NodenetError(f"column {brief(both[0])} is both an input and a target column")
            how = "chosen input columns"
        if n_inputs is not None and len(input_columns) != n_inputs:
            raise NodenetError(
                f"the model takes {n_inputs} input{'s' * (n_inputs != 1)}, but {self.source} "
                f"has {len(input_columns)} input columns ({how}: "
                f"{names_list(input_columns) or 'none'}); "
                "name the inputs with --input-columns or the targets with --target-columns")
        return self.select(input_columns), self.select(target_columns), input_columns


def parse_csv(lines, source="data"):
    """A Table from an iterable of CSV lines (an open file); ``source`` names it in errors."""
    if isinstance(lines, (str, bytes)) or not hasattr(lines, "__iter__"):
        raise NodenetError(f"{source}: expected CSV lines (an open file or a list of strings), "
                           f"got {type(lines).__name__}")
    reader = csv.reader(lines)
    header = None
    rows, texts, numbers = [], [], []
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
                    f"({names_list(header)}), got {len(cells)}")
            rows.append([_cell(c, source, line, name) for c, name in zip(cells, header)])
            texts.append(cells)
            numbers.append(line)
    except csv.Error as err:
        raise NodenetError(f"{source} line {reader.line_num}: not valid CSV ({err})") from None
    except TypeError:           # the iterable gave something other than strings
        raise NodenetError(f"{source}: expected CSV lines (strings), got something else") from None
    if header is None:
        raise NodenetError(f"{source} is empty; expected a header row of column names, "
                           "then one row of numbers per sample")
    if not rows:
        raise NodenetError(f"{source} has a header ({names_list(header)}) but no data rows")
    return Table(header, rows, source, texts, numbers)


def _header(cells, source, line):
    names = [c.strip() for c in cells]
    if all(to_number(name) is not None for name in names):
        raise NodenetError(
            f"{source} line {line}: the first row should name the columns, "
            f"but it holds numbers ({names_list(names)}); add a header row")
    seen = set()
    for k, name in enumerate(names, start=1):
        if not name:
            raise NodenetError(f"{source} line {line}: column {k} has no name in the header row")
        if name in seen:
            raise NodenetError(f"{source} line {line}: column name {brief(name)} appears twice "
                               "in the header")
        seen.add(name)
    return names


def _cell(text, source, line, column):
    value = to_number(text)
    if value is not None and math.isfinite(value):
        return value
    where = f"{source} line {line}, column {brief(column)}"
    if value is not None or text.strip(_SPACE).lower().lstrip("+-") in NONFINITE:
        raise NodenetError(f"{where}: expected a finite number, got {brief(text.strip())}")
    got = brief(text) if text.strip() else "an empty cell"
    raise NodenetError(f"{where}: expected a number ({NOTATION}), got {got}")


def read_csv(path, limit=None):
    """Read a CSV file of numbers with a header row into a Table.

    The file may be a pipe (``<(gunzip -c d.csv.gz)``); at most ``limit``
    bytes are read (default: ``nodenet.files.MAX_READ_BYTES``).
    """
    path = fspath(path, "data file")
    data = read_bytes(path, "data file", pipes=True, limit=limit)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise NodenetError(f"{shown(path)} line {line}: not UTF-8 text (expected CSV)") from None
    return parse_csv(io.StringIO(text, newline=""), shown(path))


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

    A str in a row is a cell's text, written as it is (quoted if it must be).

    >>> print(csv_text(["x", "y"], [[0.5, 1.0]]), end="")
    x,y
    0.5,1.0
    """
    lines = [",".join(_quote(c) for c in columns)]
    lines += [",".join(_cell_text(v) if isinstance(v, str) else format_number(v) for v in row)
              for row in rows]
    return "\n".join(lines) + "\n"


def _cell_text(text):
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _quote(name):
    if any(ch in name for ch in ',"\n\r') or name != name.strip():
        return '"' + name.replace('"', '""') + '"'
    return name


def write_text(path, text):
    """Write ``text`` to ``path`` atomically; see nodenet.files.write_atomic."""
    write_atomic(path, text)
