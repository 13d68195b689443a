"""The SVG picture as a real browser draws it: headless Chromium renders it to a PNG.

All text is near-black and nothing else is (edges, circles and frames are
light or coloured), so the dark pixels of the screenshot must be exactly the
text: each line of every label has ink across most of its expected width,
and there is no ink outside the labels' boxes.  Circles show their fill
colour where the layout put them.
"""

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from nodenet import Network
from nodenet.draw import COLOURS
from nodenet.examples import HANDOUT_ETA, HANDOUT_INPUT, HANDOUT_TARGET, handout_network
from nodenet.svg import step_picture
from nodenet.svglayout import LINE, PAD

Image = pytest.importorskip("PIL.Image", reason="Pillow (comes with matplotlib) is not installed")
ImageChops = pytest.importorskip("PIL.ImageChops")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium browser installed "
                                "(Debian: apt-get install chromium)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1"]
NS = "{http://www.w3.org/2000/svg}"


def render(picture, tmp_path):
    """The picture as Chromium draws it, as a Pillow RGB image of its size."""
    svg, png = tmp_path / "picture.svg", tmp_path / "picture.png"
    picture.save(svg)
    # a headless window under ~200 px high screenshots blank, so never go below 400
    width, height = max(picture.width, 400), max(picture.height, 400)
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         f"--window-size={width},{height}", f"--screenshot={png}", svg.as_uri()],
        capture_output=True, text=True, timeout=60)
    assert png.exists(), f"Chromium wrote no screenshot: {result.stderr[-2000:]}"
    image = Image.open(png).convert("RGB")
    assert image.size == (width, height)
    return image


def ink_rows(image):
    """The dark pixels (every channel below 100), as {y: [x, …]}."""
    red, green, blue = image.split()
    darkest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    data = darkest.point(lambda v: 1 if v < 100 else 0).tobytes()
    width, height = image.size
    rows = {}
    for y in range(height):
        xs = [m.start() for m in re.finditer(b"\x01", data[y * width:(y + 1) * width])]
        if xs:
            rows[y] = xs
    return rows


def covered(boxes, size, slack=1.5):
    """A bytearray with 1 at each pixel inside a box (grown by ``slack``)."""
    width, height = size
    mask = bytearray(width * height)
    for b in boxes:
        x0, x1 = max(0, int(b.x - slack)), min(width, int(b.x + b.width + slack) + 1)
        for y in range(max(0, int(b.y - slack)), min(height, int(b.y + b.height + slack) + 1)):
            mask[y * width + x0:y * width + x1] = b"\x01" * (x1 - x0)
    return mask


def ink_in(rows, x0, y0, x1, y1):
    """The dark pixels (x, y) with x0 ≤ x ≤ x1 and y0 ≤ y ≤ y1."""
    return [(x, y) for y in range(max(0, int(y0)), int(y1) + 1)
            for x in rows.get(y, ()) if x0 <= x <= x1]


def check_rendering(picture, image):
    assert len(image.getcolors(maxcolors=1 << 20)) > 50, "the screenshot is blank or nearly so"
    rows = ink_rows(image)
    assert sum(map(len, rows.values())) > 500
    # every dark pixel lies in a text box (1.5 px of slack for anti-aliasing)
    boxes = picture.boxes
    mask = covered(boxes, image.size)
    stray = [(x, y) for y, xs in rows.items() for x in xs if not mask[y * image.size[0] + x]]
    assert not stray, f"ink outside every label, e.g. at {sorted(stray)[:5]}"
    for box in boxes:
        # the text fills its box: ink close to each edge (the width allows
        # 0.62 em a character, DejaVu Sans Mono takes 0.602 em)
        ink = ink_in(rows, box.x - 1.5, box.y - 1.5, box.x + box.width + 1.5,
                     box.y + box.height + 1.5)
        assert ink, f"no ink at all for {box}"
        xs, ys = [x for x, _ in ink], [y for _, y in ink]
        top, bottom = box.y + PAD, box.y + box.height - PAD
        slack = 6 + 0.3 * max(map(len, box.lines))
        assert 0 <= min(ys) - top <= 6 and 0 <= bottom - max(ys) <= 6, box
        assert 0 <= min(xs) + 1 - (box.x + PAD) <= slack, box
        assert 0 <= box.x + box.width - PAD + 1 - max(xs) <= slack, box
        # and each line has ink across most of its expected width
        for n, line in enumerate(box.lines):
            if len(line.strip()) < 4:
                continue
            xs = [x for x, _ in ink_in(rows, box.x, top + n * LINE, box.x + box.width,
                                       top + (n + 1) * LINE - 1)]
            expected = (box.width - 2 * PAD) * len(line.rstrip()) / max(map(len, box.lines))
            assert xs and max(xs) - min(xs) > 0.6 * expected, (line, box)
    # circles: their fill colour just inside the rim, at the top
    data = image.load()
    root = ET.fromstring(str(picture))
    for circle in root.iter(NS + "circle"):
        x, y, r = (float(circle.get(k)) for k in ("cx", "cy", "r"))
        fill = circle.get("fill")
        want = tuple(int(fill[i:i + 2], 16) for i in (1, 3, 5))
        got = data[round(x), round(y - r + 4)]
        assert max(abs(a - b) for a, b in zip(got, want)) <= 8, (fill, got, x, y)
        assert fill in {f for f, _ in COLOURS.values()}


def test_handout_step_in_a_browser(tmp_path):
    net = handout_network()
    picture = step_picture(net, HANDOUT_INPUT, HANDOUT_TARGET, HANDOUT_ETA, order="handout")
    check_rendering(picture, render(picture, tmp_path))


def test_large_network_without_values_in_a_browser(tmp_path):
    net = Network([2, 8, 8, 3], activation=["relu", "tanh"], output_activation="softmax",
                  loss="cross_entropy", seed=3)
    picture = net.to_svg(values=False)
    check_rendering(picture, render(picture, tmp_path))


def test_large_network_with_values_in_a_browser(tmp_path):
    net = Network([2, 8, 8, 3], activation=["relu", "tanh"], output_activation="softmax",
                  loss="cross_entropy", seed=3)
    picture = step_picture(net, [0.3, -0.7], [0, 1, 0], 0.1, digits=3)
    assert sum(box.kind == "edge" for box in picture.boxes) == 104
    check_rendering(picture, render(picture, tmp_path))
