"""The SVG picture: valid XML, every number of the step on it, nothing overlapping.

The handout's network after one step in the handout's order carries the
handout's own numbers (a_h1 = 0.9308616, δ_o = 0.192, δ_h1 = 0.009907519,
Δw(h1 → o) = 0.001787254, Δw(x1 → h1) = 9.907519e-05); every other label is
checked against numbers computed here from the nodes, as Layer.update
computes the change, and against the weight-change table's cells.
"""

import xml.etree.ElementTree as ET
from itertools import combinations
from math import hypot
from pathlib import Path

import pytest

from nodenet import Network, NodenetError
from nodenet.cli import main
from nodenet.examples import HANDOUT_ETA, HANDOUT_INPUT, HANDOUT_TARGET, handout_network
from nodenet.numfmt import num
from nodenet.svg import Picture, step_picture, to_svg
from nodenet.tables import weight_change_table

NS = "{http://www.w3.org/2000/svg}"
EXAMPLE = Path(__file__).resolve().parent.parent / "walkthroughs" / "handout_step.svg"


def parse(picture):
    """The SVG root, and per group class a {title: [text lines]} map."""
    root = ET.fromstring(str(picture))
    groups = {}
    for g in root.iter(NS + "g"):
        title = g.find(NS + "title")
        name = title.text if title is not None else ""
        lines = [t.text for t in g.findall(NS + "text")]
        groups.setdefault(g.get("class"), {})[name] = lines
    return root, groups


def handout_step(order="handout"):
    net = handout_network()
    before = net.snapshot()
    picture = step_picture(net, HANDOUT_INPUT, HANDOUT_TARGET, HANDOUT_ETA, order=order)
    return net, before, picture


def expected_labels(net, before, eta, digits=7):
    """Node and edge text, from the nodes' numbers; checks each Δw is the change made."""
    names = [[f"x{i + 1}" for i in range(net.sizes[0])]]
    names += [["o"] if l == len(net.layers) else [f"h{j + 1}" for j in range(len(layer))]
              for l, layer in enumerate(net.layers, start=1)]
    nodes, edges = {}, {}
    below = net.inputs
    for l, layer in enumerate(net.layers):
        for j, node in enumerate(layer):
            w, b = before[l][j]
            change = eta * node.delta
            assert b + change == node.bias                  # Δb is the change made
            nodes[names[l + 1][j]] = [names[l + 1][j], f"z = {num(node.net, digits)}",
                                      f"a = {num(node.output, digits)}",
                                      f"δ = {num(node.delta, digits)}", f"b = {num(b, digits)}",
                                      f"Δb = {num(change, digits)}"]
            for i, a in enumerate(below):
                dw = change * a
                assert w[i] + dw == node.weights[i]         # bit for bit the update made
                edges[f"{names[l][i]} → {names[l + 1][j]}"] = [f"w = {num(w[i], digits)}",
                                                              f"Δw = {num(dw, digits)}"]
        below = [node.output for node in layer]
    return nodes, edges


@pytest.mark.parametrize("order", ["handout", "standard"])
def test_every_number_of_the_step_is_on_the_picture(order):
    net, before, picture = handout_step(order)
    root, groups = parse(picture)
    nodes, edges = expected_labels(net, before, HANDOUT_ETA)
    assert groups["node"] == nodes
    assert groups["edge"] == edges
    assert groups["input"] == {"x1": ["x1 = 1"], "x2": ["x2 = 3"], "x3": ["x3 = 5"]}
    assert sorted(groups["link"]) == sorted(edges)          # one drawn edge per weight
    assert len(root.findall(f"{NS}circle")) == 3 + 4 + 1
    # the same numbers as the weight-change table of the step
    table = weight_change_table(net, HANDOUT_ETA, before=before)
    for name, (w, dw) in edges.items():
        source, target = name.split(" → ")
        row = next(line for line in table.splitlines() if f" {source} → {target} " in line)
        cells = [cell.strip() for cell in row.split("|")]
        assert w[len("w = "):] in cells and dw[len("Δw = "):] in cells


def test_the_handouts_numbers_are_there():
    _, _, picture = handout_step("handout")
    _, groups = parse(picture)
    assert groups["node"]["h1"][1:4] == ["z = 2.6", "a = 0.9308616", "δ = 0.009907519"]
    assert groups["node"]["o"][2:4] == ["a = 0.6", "δ = 0.192"]
    assert groups["edge"]["h1 → o"] == ["w = 0.8", "Δw = 0.001787254"]
    assert groups["edge"]["x1 → h1"] == ["w = 0.5", "Δw = 9.907519e-05"]
    assert groups["title"][""] == [
        "One training step of Network([3, 4, 1], sigmoid → sigmoid, loss=sse)",
        "x = (1, 3, 5), y = (1), η = 0.01, order = handout; loss (sse) before it: 0.16"]
    assert groups["legend"][""][:3] == [
        "z = net input Σ w·a + b,  a = output f(z),  δ = −∂L/∂z",
        "Δw = η·δ·a and Δb = η·δ with η = 0.01, added to w and b",
        "w and b: before the step"]


def test_valid_svg_with_its_size():
    _, _, picture = handout_step()
    root = ET.fromstring(str(picture))
    assert root.tag == NS + "svg"
    assert (root.get("width"), root.get("height")) == (str(picture.width), str(picture.height))
    assert root.get("viewBox") == f"0 0 {picture.width} {picture.height}"
    assert str(picture).startswith("<svg ") and str(picture).endswith("</svg>")


def geometry(picture):
    """Circles (x, y, r) and edge segments by name, read back from the SVG."""
    root = ET.fromstring(str(picture))
    circles = [tuple(float(c.get(k)) for k in ("cx", "cy", "r")) for c in root.iter(NS + "circle")]
    segments = {}
    for g in root.iter(NS + "g"):
        if g.get("class") == "link":
            line = g.find(NS + "line")
            segments[g.find(NS + "title").text] = tuple(float(line.get(k))
                                                        for k in ("x1", "y1", "x2", "y2"))
    return circles, segments


def check_layout(picture):
    """No two text boxes overlap, no label covers a circle, each label sits on its edge."""
    boxes = picture.boxes
    for a, b in combinations(boxes, 2):
        if {a.kind, b.kind} <= {"node", "input"}:
            continue
        assert (a.x + a.width <= b.x or b.x + b.width <= a.x
                or a.y + a.height <= b.y or b.y + b.height <= a.y), (a, b)
    circles, segments = geometry(picture)
    for box in boxes:
        assert 0 <= box.x and box.x + box.width <= picture.width, box
        assert 0 <= box.y and box.y + box.height <= picture.height, box
        if box.kind != "edge":
            continue
        for x, y, r in circles:
            nearest = (min(max(x, box.x), box.x + box.width),
                       min(max(y, box.y), box.y + box.height))
            assert hypot(x - nearest[0], y - nearest[1]) >= r, (box, (x, y, r))
        x1, y1, x2, y2 = segments[box.name]
        cx, cy = box.x + box.width / 2, box.y + box.height / 2
        cross = (x2 - x1) * (cy - y1) - (y2 - y1) * (cx - x1)
        assert abs(cross) / hypot(x2 - x1, y2 - y1) < 0.2, box      # the centre is on the line
        assert min(x1, x2) <= cx <= max(x1, x2)
    for kind in ("node", "input"):          # node text inside its circle
        for box in (b for b in boxes if b.kind == kind):
            x, y, r = min(circles, key=lambda c: hypot(c[0] - box.x - box.width / 2,
                                                       c[1] - box.y - box.height / 2))
            for cx in (box.x, box.x + box.width):
                for cy in (box.y, box.y + box.height):
                    assert hypot(cx - x, cy - y) <= r + 0.01, box


def test_handout_layout_has_no_overlaps():
    check_layout(handout_step()[2])


def test_a_2_8_8_3_network_with_and_without_values():
    net = Network([2, 8, 8, 3], activation=["relu", "tanh"], output_activation="softmax",
                  loss="cross_entropy", seed=3)
    before = net.snapshot()
    picture = step_picture(net, [0.3, -0.7], [0, 1, 0], 0.1, digits=3)
    check_layout(picture)
    _, groups = parse(picture)
    assert len(groups["edge"]) == 2 * 8 + 8 * 8 + 8 * 3 == 104
    assert groups["edge"]["h1.3 → h2.2"] == [f"w = {num(before[1][1][0][2], 3)}",
                                            f"Δw = {num(0.1 * net.layers[1][1].delta * net.layers[0][2].output, 3)}"]
    assert groups["node"]["o2"][:4] == ["o2", f"z = {num(net.layers[2][1].net, 3)}",
                                        f"a = {num(net.layers[2][1].output, 3)}",
                                        f"δ = {num(net.layers[2][1].delta, 3)}"]
    plain = to_svg(net, values=False)
    check_layout(plain)
    root, groups = parse(plain)
    assert "edge" not in groups and len(groups["link"]) == 104
    assert groups["node"]["h2.8"] == ["h2.8"] and groups["input"]["x2"] == ["x2"]
    texts = [t.text for t in root.iter(NS + "text")]
    assert not any("=" in t for t in texts[1:]), texts      # no number but in the title
    assert plain.width < picture.width and plain.height < picture.height


def test_a_model_without_a_pass_shows_weights_and_biases():
    net = Network.from_matrices([[[0.5, -1.25], [2.0, 0.0]], [[1.23456, -0.0001]]],
                                [[0.1, -0.5], [3.0]], ["tanh", "sigmoid"])
    picture = net.to_svg(digits=3)
    check_layout(picture)
    _, groups = parse(picture)
    assert groups["node"] == {"h1": ["h1", "b = 0.1"], "h2": ["h2", "b = -0.5"],
                              "o": ["o", "b = 3"]}
    assert groups["edge"] == {"x1 → h1": ["w = 0.5"], "x2 → h1": ["w = -1.25"],
                              "x1 → h2": ["w = 2"], "x2 → h2": ["w = 0"],
                              "h1 → o": ["w = 1.23"], "h2 → o": ["w = -1e-04"]}
    headers = [box.lines[0] for box in picture.boxes if box.kind == "header"]
    assert headers == ["inputs", "layer 1: tanh", "output: sigmoid"]
    assert groups["legend"][""] == ["edges: blue w > 0, red w < 0, width grows with |w|"]


def test_eta_between_backward_and_update_shows_the_update_to_come():
    net = handout_network()
    net.forward(HANDOUT_INPUT)
    net.backward(HANDOUT_TARGET)
    _, groups = parse(net.to_svg(eta=0.01))
    assert groups["edge"]["h1 → o"] == ["w = 0.8", "Δw = 0.001787254"]
    assert "w and b: before the step" not in groups["legend"][""]


def test_the_picture_object():
    net, _, picture = handout_step()
    assert isinstance(picture, Picture)
    assert picture._repr_svg_() == str(picture)
    assert repr(picture) == (f"Picture(SVG {picture.width}×{picture.height}: "
                             "Network([3, 4, 1], sigmoid → sigmoid, loss=sse), 5 nodes, "
                             "16 weights, w and Δw)")
    assert "\n" not in repr(picture)


def test_jupyter_shows_the_picture():
    formatters = pytest.importorskip("IPython.core.formatters", reason="IPython is not installed")
    _, _, picture = handout_step()
    data, _ = formatters.DisplayFormatter().format(picture)
    assert data["image/svg+xml"] == str(picture)
    assert data["text/plain"] == repr(picture)


def test_save_writes_the_text(tmp_path):
    _, _, picture = handout_step()
    path = tmp_path / "step.svg"
    assert picture.save(path) == path
    assert path.read_text(encoding="utf-8") == str(picture) + "\n"
    with pytest.raises(NodenetError, match="cannot write SVG picture"):
        picture.save(tmp_path / "missing" / "step.svg")


def test_text_is_escaped():
    net = Network([2, 1], seed=0)
    picture = net.to_svg(title="a < b & c > d\nsecond line")
    _, groups = parse(picture)
    assert groups["title"][""] == ["a < b & c > d", "second line"]
    assert "a &lt; b &amp; c &gt; d" in str(picture)
    _, groups = parse(net.to_svg(title=""))
    assert "title" not in groups


@pytest.mark.parametrize("kwargs, message", [
    ({"eta": 0.1}, "to_svg: eta is given to show Δw = η·δ·a, but the nodes have no δ yet; "
                   "call forward(x) and backward(y), or step, first"),
    ({"eta": -0.1}, "eta must be ≥ 0, got -0.1"),
    ({"eta": "0.1"}, "eta must be a number, got str '0.1'"),
    ({"digits": 0}, "digits must be a whole number from 1 to 22 (R's print range), got int 0"),
    ({"digits": True}, "digits must be a whole number from 1 to 22 (R's print range), got bool True"),
    ({"title": 5}, "title must be a string, got int 5"),
    ({"values": "no"}, "values must be True or False, got str 'no'"),
    ({"before": [[([1.0, 2.0], 0.0)]]},
     "to_svg before= expects a snapshot from net.snapshot(): one list per layer (2), "
     "got list [[([...], 0.0)]]"),
    ({"before": [[([1.0, 2.0], 0.0)], "x"]},
     "to_svg before= expects a snapshot from net.snapshot(): layer 2 needs 1 (weights, bias) "
     "pairs, got str 'x'"),
    ({"before": [[([1.0, 2.0], 0.0)], [([float("nan")], 0.0)]]},
     "to_svg before=: layer 2 node 0: weight 0 must be finite, got nan"),
])
def test_bad_arguments_are_refused(kwargs, message):
    net = Network([2, 1, 1], seed=0)
    net.forward([1.0, 2.0])
    saved = net.snapshot()
    with pytest.raises(NodenetError) as err:
        net.to_svg(**kwargs)
    assert str(err.value) == message
    assert net.snapshot() == saved


def test_too_many_weights_to_label():
    net = Network([50, 30, 2], seed=0)            # 1560 weights
    with pytest.raises(NodenetError) as err:
        net.to_svg()
    assert str(err.value) == ("to_svg: 1560 weights are too many to label (at most 1500); "
                              "pass values=False to draw the network without its numbers")
    with pytest.raises(NodenetError, match="too many"):
        step_picture(net, [0.0] * 50, [0.0, 1.0], 0.1)
    assert net.inputs is None                     # refused before the step
    picture = net.to_svg(values=False)
    assert len(ET.fromstring(str(picture)).findall(f"{NS}g[@class='link']")) == 1560


def test_a_failed_step_picture_changes_nothing():
    net = handout_network()
    saved = net.snapshot()
    with pytest.raises(NodenetError, match="digits"):
        step_picture(net, HANDOUT_INPUT, HANDOUT_TARGET, 0.01, digits=0)
    assert net.inputs is None
    with pytest.raises(NodenetError, match="targets"):
        step_picture(net, HANDOUT_INPUT, [1, 2], 0.01)
    with pytest.raises(NodenetError, match="order"):
        step_picture(net, HANDOUT_INPUT, HANDOUT_TARGET, 0.01, order="sideways")
    assert net.snapshot() == saved
