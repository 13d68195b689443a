"""How nodenet's tables show themselves: text, HTML in a notebook, LaTeX, CSV.

A ``TableText`` *is* the text of a table (a ``str``, exactly what the table
functions have always returned), and also carries its rows as data:
``table.records`` is a list of dicts with documented keys and the raw
numbers, ``table.headers`` and ``table.cells`` the columns and the written
cells.  In Jupyter it shows itself as an HTML table; ``table.to_csv()``,
``table.to_latex()`` and ``table.to_html()`` give the other forms.

The formats are data: ``FORMATS`` lists every ``tablefmt`` nodenet takes —
tabulate's, plus ``"csv"`` (RFC 4180, unpadded) — and the LaTeX ones
(``latex``, ``latex_booktabs``, ``latex_longtable``, ``latex_raw``) come out
ready for pdfLaTeX: every Greek letter and symbol in math mode (``$\\delta$``),
nothing beyond ASCII.  ``latex_booktabs`` needs ``\\usepackage{booktabs}``,
``latex_longtable`` ``\\usepackage{longtable}``; nothing else is needed.

>>> t = TableText(["node", "δ"], [["o", "0.192"]], [{"node": "o", "delta": 0.192}],
...               align=("left", "right"))
>>> print(t)
| node   |     δ |
|--------|-------|
| o      | 0.192 |
>>> print(t.to_latex())
\\begin{tabular}{lr}
\\hline
 node   &   $\\delta$ \\\\
\\hline
 o      &      0.192 \\\\
\\hline
\\end{tabular}
>>> t.to_csv()
'node,δ\\r\\no,0.192\\r\\n'
"""

import csv
import io
from html import escape

from tabulate import tabulate, tabulate_formats

from . import validate
from .errors import NodenetError
from .svg import to_svg

LATEX_FORMATS = ("latex", "latex_booktabs", "latex_longtable", "latex_raw")
FORMATS = tuple(sorted(set(tabulate_formats) | {"csv"}))

# Unicode in nodenet's headers, rules and prose, as pdfLaTeX can set it (math mode)
LATEX_SYMBOLS = {
    "δ": r"\delta", "Δ": r"\Delta", "η": r"\eta", "σ": r"\sigma", "Σ": r"\Sigma",
    "Φ": r"\Phi", "φ": r"\phi", "π": r"\pi", "α": r"\alpha", "β": r"\beta", "γ": r"\gamma",
    "λ": r"\lambda", "μ": r"\mu", "ε": r"\varepsilon", "θ": r"\theta", "∂": r"\partial",
    "−": "-", "·": r"\cdot", "→": r"\to", "×": r"\times", "≤": r"\le", "≥": r"\ge",
    "±": r"\pm", "∓": r"\mp", "√": r"\surd", "²": "^{2}", "³": "^{3}", "′": "'",
    "…": r"\ldots", "‖": r"\|", "≈": r"\approx", "∈": r"\in", "ŷ": r"\hat{y}",
    "∞": r"\infty", "⌊": r"\lfloor", "⌋": r"\rfloor", "≠": r"\neq",
}
COMBINING = {"\u0302": r"\hat"}     # m̂, v̂: a letter followed by a combining circumflex
TEXT_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                "^": r"\textasciicircum{}"}


def latex_text(text):
    """``text`` for pdfLaTeX: specials escaped, Unicode symbols as inline math.

    >>> latex_text("Δw = η·δ·a")
    '$\\\\Delta$w = $\\\\eta$$\\\\cdot$$\\\\delta$$\\\\cdot$a'
    """
    out = []
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch in COMBINING:
            continue
        follow = chars[i + 1] if i + 1 < len(chars) else ""
        if follow in COMBINING:
            out.append(f"${COMBINING[follow]}{{{latex_text(ch)}}}$")
        elif ch in TEXT_ESCAPES:
            out.append(TEXT_ESCAPES[ch])
        elif ch in LATEX_SYMBOLS:
            out.append(f"${LATEX_SYMBOLS[ch]}$")
        elif ord(ch) < 128:
            out.append(ch)
        else:
            raise NodenetError(f"no LaTeX form for {ch!r} (U+{ord(ch):04X}) in {validate.brief(text)}")
    return "".join(out)


def check_format(tablefmt):
    """A table format nodenet can write, or a NodenetError listing them."""
    if not isinstance(tablefmt, str) or tablefmt not in FORMATS:
        raise NodenetError(f"unknown table format {validate.brief(tablefmt)}; expected one of: "
                           f"{', '.join(FORMATS)}")
    return tablefmt


def render(headers, cells, align, tablefmt):
    """The text of a table in ``tablefmt`` (cells already written as strings)."""
    check_format(tablefmt)
    if tablefmt == "csv":
        return csv_text(headers, cells)
    if tablefmt == "tsv":
        return "\n".join("\t".join(row) for row in [headers] + cells)
    if tablefmt in LATEX_FORMATS:
        headers = [latex_text(h) for h in headers]
        cells = [[latex_text(c) for c in row] for row in cells]
        raw = {"latex": "latex_raw", "latex_booktabs": "latex_raw",
               "latex_longtable": "latex_longtable", "latex_raw": "latex_raw"}[tablefmt]
        text = _tabulate(headers, cells, align, raw)
        if tablefmt == "latex_booktabs":            # the same rows, booktabs rules
            lines = text.split("\n")
            rules = [i for i, line in enumerate(lines) if line == r"\hline"]
            for i, name in zip(rules, (r"\toprule", r"\midrule", r"\bottomrule")):
                lines[i] = name
            text = "\n".join(lines)
        return text
    return _tabulate(headers, cells, align, tablefmt)


def _tabulate(headers, cells, align, tablefmt):
    # disable_numparse: the cells are already written; tabulate must not re-read
    # "9.907519e-05" as a float and print it its own way
    if not cells and headers:
        return _header_only(headers, align, tablefmt)
    return tabulate(cells, headers=headers, tablefmt=tablefmt, disable_numparse=True,
                    colalign=align)


_MARK = "\ue000"      # a private-use character: never in a header or a cell


def _header_only(headers, align, tablefmt):
    """A table with no rows: laid out around one row of marks, whose line is then
    taken out.  (Given no rows, tabulate writes LaTeX's column spec as {}, which
    pdfLaTeX refuses, and tabulate 0.9 drops the header of HTML and wiki tables
    and fails on the alignments.)"""
    text = tabulate([[_MARK] * len(headers)], headers=headers, tablefmt=tablefmt,
                    disable_numparse=True, colalign=align)
    return "\n".join(line for line in text.split("\n") if _MARK not in line)


def csv_text(headers, cells):
    """RFC 4180 CSV (CRLF line ends, quotes only where needed), no padding."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(cells)
    return buffer.getvalue()


class TableText(str):
    """A table's text (this string), with its columns and rows as data.

    ``headers``: the column titles; ``cells``: each row's written cells;
    ``records``: each row as a dict of raw values (keys documented by the
    function that made the table); ``notes``: lines that explain symbols;
    ``after``: a line the text ends with (e.g. how training ended).
    """

    def __new__(cls, headers, cells, records, align=None, tablefmt="github", notes=(), after=""):
        align = tuple(align) if align else ("left",) * len(headers)
        text = render(headers, cells, align, tablefmt)
        self = super().__new__(cls, f"{text}\n{after}" if after else text)
        self.after = after
        self.headers, self.cells, self.records = list(headers), cells, records
        self.align, self.tablefmt, self.notes = align, tablefmt, tuple(notes)
        return self

    def formatted(self, tablefmt):
        """The same table as text in another format."""
        return render(self.headers, self.cells, self.align, tablefmt)

    def to_csv(self):
        return self.formatted("csv")

    def to_latex(self, booktabs=False):
        return self.formatted("latex_booktabs" if booktabs else "latex")

    def to_html(self):
        html = _tabulate([escape(h) for h in self.headers],
                         [[escape(c) for c in row] for row in self.cells], self.align,
                         "unsafehtml")
        if self.notes:
            html += "".join(f"<p><small>{escape(n)}</small></p>" for n in self.notes)
        if self.after:
            html += f"<p>{escape(self.after)}</p>"
        return html

    def _repr_html_(self):
        return self.to_html()

    def __repr__(self):
        return f"TableText({len(self.cells)} rows: {', '.join(self.headers)})"


class TextReport:
    """A mixin for reports whose ``str()`` is their text: Jupyter shows it as is.

    (A report printed by repr in a notebook loses its table layout; as
    preformatted HTML it keeps it.)
    """

    def _repr_html_(self):
        return f"<pre>{escape(str(self))}</pre>"


PICTURE_LIMIT = 40      # more nodes than this: the picture without its numbers


def layers_html(net):
    """A network in a notebook: one row per layer, then its SVG picture."""
    rows = [[str(l), str(len(layer)), str(layer.n_inputs), repr(layer.activation),
             "yes" if layer.use_bias else "no"] for l, layer in enumerate(net.layers, start=1)]
    table = TableText(["layer", "nodes", "inputs", "activation", "bias"], rows, [],
                      ("right", "right", "right", "left", "left"))
    small = sum(net.sizes[1:]) <= PICTURE_LIMIT
    picture = to_svg(net, values=small and net.inputs is not None)
    return (f"<p><b>{escape(repr(net))}</b> — {net.n_params} parameters</p>"
            f"{table.to_html()}{picture.text}")
