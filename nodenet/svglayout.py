"""Where the parts of a network picture go: circles in columns, labels on edges.

Pure geometry in SVG pixels (x to the right, y downwards); it knows nothing
of weights or deltas, only of blocks of text and their sizes.  Text is set
in a monospace font, so a line of n characters is n·CHAR pixels wide.

``layout(columns, edges, headers, title, legend)`` puts column c's nodes
one under the other, each a circle just big enough for its block of text,
and places every edge's label on the edge itself, at the point along it
where the label's box overlaps no other box or circle and is crossed by the
fewest other edges.  A gap between two columns that is too narrow for its
labels is widened until they fit.

>>> box = TextBox("edge", "x1 → h1", ("w = 0.5",), 10, 20)
>>> box.width == 2 * PAD + 7 * CHAR, box.height == 2 * PAD + LINE
(True, True)
"""

from bisect import bisect_left, bisect_right
from collections import namedtuple
from math import hypot

FONT = 12            # font size, px
CHAR = 0.62 * FONT   # advance of one character (DejaVu Sans Mono: 0.602 em, with room)
LINE = 15            # line height, px
PAD = 4              # space between a label's text and its box
GAP = 20             # free space between two circles of a column
MARGIN = 16          # around the whole picture
STEP = 24            # a label may sit at every STEP px across a gap (at least at 17 points)

Circle = namedtuple("Circle", "x y r")
Circle.__doc__ = "A node: centre (x, y) and radius r."


class TextBox(namedtuple("TextBox", "kind name lines x y")):
    """A block of text: its kind (title, header, input, node, edge, legend),
    the name of what it labels, its lines, and the top-left corner of its box."""

    __slots__ = ()

    @property
    def width(self):
        return 2 * PAD + CHAR * max(len(line) for line in self.lines)

    @property
    def height(self):
        return 2 * PAD + LINE * len(self.lines)

    def moved(self, x, y):
        """The same box with its top-left corner at (x, y)."""
        return self._replace(x=x, y=y)


Layout = namedtuple("Layout", "width height circles segments boxes")
Layout.__doc__ = """A finished picture: its size, one list of Circles per column,
one (x1, y1, x2, y2) segment per edge (from circle rim to circle rim, in the
order the edges were given) and every TextBox."""


def layout(columns, edges, headers, title, legend):
    """Place everything.

    ``columns``: per column, one TextBox per node (name and lines; its
    position is ignored).  ``edges``: (column, i, k, label) for an edge from
    node i of that column to node k of the next, ``label`` a TextBox or None.
    ``headers``: one line per column.  ``title``, ``legend``: lists of lines.
    """
    radii = [max(_radius(box) for box in column) for column in columns]
    height = max(len(column) * (2 * r + GAP) for column, r in zip(columns, radii))
    top = MARGIN + (LINE * len(title) + 2 * PAD + LINE if title else 0)
    nodes_top = top + LINE + 2 * PAD
    heads = [TextBox("header", "", (text,), 0, 0) for text in headers]
    halves = [max(r, head.width / 2) for r, head in zip(radii, heads)]   # half a column's width

    def column(c, x):
        return [Circle(x, nodes_top + height * (j + 0.5) / len(columns[c]), radii[c])
                for j in range(len(columns[c]))]

    circles = [column(0, MARGIN + halves[0])]
    segments, labels = [None] * len(edges), [None] * len(edges)
    for c in range(len(columns) - 1):       # one gap at a time, widened until its labels fit
        members = [e for e, edge in enumerate(edges) if edge[0] == c]
        gap = _first_gap([edges[e][3] for e in members], 0.3 * height)
        while True:
            x = circles[c][0].x + max(radii[c] + gap + radii[c + 1],
                                      halves[c] + GAP + halves[c + 1])
            right = column(c + 1, x)
            lines = [_rim_to_rim(circles[c][edges[e][1]], right[edges[e][2]]) for e in members]
            placed = _place_gap([edges[e][3] for e in members], circles[c], right, lines)
            if placed is not None:
                break
            gap *= 1.25
        circles.append(right)
        for e, line, box in zip(members, lines, placed):
            segments[e], labels[e] = line, box
    width = max([circles[-1][0].x + halves[-1] + MARGIN]
                + [MARGIN + 2 * PAD + CHAR * len(line) + MARGIN for line in title + legend])
    bottom = nodes_top + height + PAD
    boxes = [TextBox("title", "", tuple(title), MARGIN, MARGIN)] if title else []
    boxes += [_centred(head, cs[0].x, top + LINE / 2 + PAD) for head, cs in zip(heads, circles)]
    boxes += [_centred(box, c.x, c.y) for column, cs in zip(columns, circles)
              for box, c in zip(column, cs)]
    boxes += [label for label in labels if label is not None]
    if legend:
        boxes.append(TextBox("legend", "", tuple(legend), MARGIN, bottom))
        bottom += LINE * len(legend) + 2 * PAD
    return Layout(round(width), round(bottom + MARGIN), circles, segments, boxes)


def _radius(box):
    return hypot(box.width / 2, box.height / 2) + 2


def _first_gap(labels, least):
    """A first guess at the room between two columns' circles: two labels wide,
    or without labels ``least`` (enough for the edges to fan out)."""
    widths = [label.width for label in labels if label is not None]
    return max(2.2 * max(widths) if widths else least, 80)


def _centred(box, x, y):
    return box.moved(x - box.width / 2, y - box.height / 2)


def _rim_to_rim(a, b):
    """The part of the line from circle a's centre to b's that lies outside both."""
    dx, dy = b.x - a.x, b.y - a.y
    d = hypot(dx, dy)
    return (a.x + dx * a.r / d, a.y + dy * a.r / d, b.x - dx * b.r / d, b.y - dy * b.r / d)


def _y_at(segment, x):
    x1, y1, x2, y2 = segment
    return y1 + (x - x1) * (y2 - y1) / (x2 - x1)


def _place_gap(labels, left, right, segments):
    """A box (or None) for each label between the columns of circles ``left`` and
    ``right``, each centred on its segment; None if some label finds no room.

    The candidates for a label are the points of its segment every STEP
    pixels across (or at 17 points, if more); it takes the one whose box
    overlaps no circle and no label placed before, and that the fewest other
    segments cross.  A segment crosses a box unless it passes wholly above or
    below it, so the count is a difference of two bisections in the
    segments' sorted lowest and highest points over the widest label's width.
    """
    x0, x1 = left[0].x, right[0].x
    n = max(18, int((x1 - x0) / STEP))
    xs = [x0 + (x1 - x0) * i / n for i in range(1, n)]
    half = max([label.width / 2 for label in labels if label is not None] + [0])
    spans = [_spans(segments, x - half, x + half) for x in xs]
    placed, grid = [], _Grid()
    for label, segment in zip(labels, segments):
        if label is None:
            placed.append(None)
            continue
        w, h = label.width, label.height
        best = None
        for x, (tops, bottoms) in zip(xs, spans):
            if not (segment[0] <= x <= segment[2] and x0 <= x - w / 2 and x + w / 2 <= x1):
                continue
            box = (x - w / 2, _y_at(segment, x) - h / 2, w, h)
            if _meets_column(box, left) or _meets_column(box, right) or grid.meets(box):
                continue
            crossed = bisect_right(tops, box[1] + h) - bisect_left(bottoms, box[1])
            score = (crossed, abs(x - (x0 + x1) / 2))
            if best is None or score < best[0]:
                best = (score, box)
        if best is None:
            return None
        grid.add(best[1])
        placed.append(label.moved(best[1][0], best[1][1]))
    return placed


def _spans(segments, a, b):
    """The segments' highest and lowest y between x = a and x = b, each sorted."""
    ends = [(_y_at(s, a), _y_at(s, b)) for s in segments]
    return sorted(min(e) for e in ends), sorted(max(e) for e in ends)


class _Grid:
    """Placed boxes (x, y, width, height), filed under the CELL×CELL squares they touch."""

    CELL = 64

    def __init__(self):
        self.cells = {}

    def _keys(self, box, n=CELL):
        x, y, w, h = box
        return [(i, j) for i in range(int(x // n), int((x + w) // n) + 1)
                for j in range(int(y // n), int((y + h) // n) + 1)]

    def meets(self, box, margin=2):
        x, y, w, h = box
        return any(x < ox + ow + margin and ox < x + w + margin
                   and y < oy + oh + margin and oy < y + h + margin
                   for key in self._keys(box) for ox, oy, ow, oh in self.cells.get(key, ()))

    def add(self, box):
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(box)


def _meets_column(box, circles, margin=2):
    """Whether the box (x, y, width, height) overlaps a circle of one column,
    all of whose circles share one x and one radius."""
    x, y, w, h = box
    cx, r = circles[0].x, circles[0].r + margin
    if x > cx + r or x + w < cx - r:
        return False
    near_x = min(max(cx, x), x + w)
    return any(hypot(cx - near_x, c.y - min(max(c.y, y), y + h)) < r for c in circles)
