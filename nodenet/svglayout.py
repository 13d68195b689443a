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

from collections import namedtuple
from math import hypot

FONT = 12            # font size, px
CHAR = 0.62 * FONT   # advance of one character (DejaVu Sans Mono: 0.602 em, with room)
LINE = 15            # line height, px
PAD = 4              # space between a label's text and its box
GAP = 20             # free space between two circles of a column
MARGIN = 16          # around the whole picture
STEPS = [i / 20 for i in range(2, 19)]     # where along an edge a label may sit

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
    gaps = [_first_gap([e[3] for e in edges if e[0] == c], 0.3 * height)
            for c in range(len(columns) - 1)]
    while True:
        xs = _column_xs(radii, halves, gaps)
        circles = [[Circle(x, nodes_top + height * (j + 0.5) / len(column), r)
                    for j in range(len(column))]
                   for x, r, column in zip(xs, radii, columns)]
        header_boxes = [_centred(head, x, top + LINE / 2 + PAD) for x, head in zip(xs, heads)]
        segments = [_rim_to_rim(circles[c][i], circles[c + 1][k]) for c, i, k, _ in edges]
        labels, crowded = _place_labels(edges, circles, segments, header_boxes)
        if not crowded:
            break
        for c in crowded:
            gaps[c] *= 1.25
    width = max([xs[-1] + halves[-1] + MARGIN]
                + [MARGIN + 2 * PAD + CHAR * len(line) + MARGIN for line in title + legend])
    bottom = nodes_top + height + PAD
    boxes = []
    if title:
        boxes.append(TextBox("title", "", tuple(title), MARGIN, MARGIN))
    boxes += header_boxes
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


def _column_xs(radii, halves, gaps):
    """Each column's centre: circles ``gap`` apart, headers at least GAP apart."""
    xs = [MARGIN + halves[0]]
    for c, gap in enumerate(gaps):
        xs.append(xs[-1] + max(radii[c] + gap + radii[c + 1], halves[c] + GAP + halves[c + 1]))
    return xs


def _centred(box, x, y):
    return box.moved(x - box.width / 2, y - box.height / 2)


def _rim_to_rim(a, b):
    """The part of the line from circle a's centre to b's that lies outside both."""
    dx, dy = b.x - a.x, b.y - a.y
    d = hypot(dx, dy)
    return (a.x + dx * a.r / d, a.y + dy * a.r / d, b.x - dx * b.r / d, b.y - dy * b.r / d)


def _place_labels(edges, circles, segments, obstacles):
    """One placed TextBox (or None) per edge, and the gaps where some label did not fit."""
    labels, crowded = [None] * len(edges), set()
    placed = {}         # column → boxes placed in the gap after it
    for e, (c, i, k, label) in enumerate(edges):
        if label is None or c in crowded:
            continue
        left, right = circles[c][0].x, circles[c + 1][0].x
        near = circles[c] + circles[c + 1]
        others = [s for f, s in enumerate(segments) if edges[f][0] == c and f != e]
        taken = placed.setdefault(c, []) + obstacles
        best = None
        for t in STEPS:
            x1, y1, x2, y2 = segments[e]
            box = _centred(label, x1 + t * (x2 - x1), y1 + t * (y2 - y1))
            if (box.x < left or box.x + box.width > right
                    or any(_box_meets_circle(box, circle) for circle in near)
                    or any(_boxes_meet(box, other) for other in taken)):
                continue
            score = (sum(_segment_meets_box(s, box) for s in others), abs(t - 0.5))
            if best is None or score < best[0]:
                best = (score, box)
        if best is None:
            crowded.add(c)
        else:
            labels[e] = best[1]
            placed[c].append(best[1])
    return labels, crowded


def _boxes_meet(a, b, margin=2):
    return (a.x < b.x + b.width + margin and b.x < a.x + a.width + margin
            and a.y < b.y + b.height + margin and b.y < a.y + a.height + margin)


def _box_meets_circle(box, circle, margin=2):
    nearest_x = min(max(circle.x, box.x), box.x + box.width)
    nearest_y = min(max(circle.y, box.y), box.y + box.height)
    return hypot(circle.x - nearest_x, circle.y - nearest_y) < circle.r + margin


def _segment_meets_box(segment, box):
    """Whether the segment passes through the box (Liang–Barsky clipping)."""
    x1, y1, x2, y2 = segment
    dx, dy = x2 - x1, y2 - y1
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x1 - box.x), (dx, box.x + box.width - x1),
                 (-dy, y1 - box.y), (dy, box.y + box.height - y1)):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            lo = max(lo, q / p)
        else:
            hi = min(hi, q / p)
    return lo <= hi
