"""``nodenet draw --format svg`` and ``nodenet trace --svg``, and the example picture."""

import xml.etree.ElementTree as ET
from pathlib import Path

from nodenet.cli import main
from nodenet.examples import HANDOUT_ETA, HANDOUT_INPUT, HANDOUT_TARGET, handout_network
from nodenet.svg import step_picture

NS = "{http://www.w3.org/2000/svg}"
EXAMPLE = Path(__file__).resolve().parent.parent / "walkthroughs" / "handout_step.svg"


def edge_labels(text):
    """{"x1 → h1": [lines]} of an SVG picture's edge labels."""
    root = ET.fromstring(text)
    return {g.find(NS + "title").text: [t.text for t in g.findall(NS + "text")]
            for g in root.iter(NS + "g") if g.get("class") == "edge"}


def test_draw_format_svg(tmp_path, capsys):
    model = tmp_path / "m.json"
    handout_network().save(model)
    assert main(["draw", str(model), "--format", "svg"]) == 0
    labels = edge_labels(capsys.readouterr().out)
    assert labels["h1 → o"] == ["w = 0.8"]
    assert labels["x3 → h2"] == ["w = 0.118"]          # --digits 3 by default
    out = tmp_path / "m.svg"
    assert main(["draw", str(model), "--format", "svg", "--digits", "5", "-o", str(out)]) == 0
    assert capsys.readouterr().out == (f"wrote {out}: svg diagram of "
                                       "Network([3, 4, 1], sigmoid → sigmoid, loss=sse)\n")
    assert edge_labels(out.read_text(encoding="utf-8"))["x3 → h2"] == ["w = 0.11783"]


def test_draw_svg_goes_left_to_right_only(tmp_path, capsys):
    model = tmp_path / "m.json"
    handout_network().save(model)
    assert main(["draw", str(model), "--format", "svg", "--direction", "TB"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("nodenet draw: error: --direction TB is not available with "
                            "--format svg: the picture runs left to right\n")


def test_draw_no_values_draws_the_shape_and_is_needed_past_the_label_limit(tmp_path, capsys):
    from nodenet import Network
    small, big = tmp_path / "m.json", tmp_path / "big.json"
    handout_network().save(small)
    Network([64, 32, 10], seed=1).save(big)                 # 2368 weights: past 1500
    out = tmp_path / "big.svg"
    assert main(["draw", str(big), "--format", "svg", "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        "nodenet draw: error: 2368 weights are too many to write on an SVG picture (at most "
        "1500): add --no-values to draw the network without its numbers\n")
    assert not out.exists()
    assert main(["draw", str(big), "--format", "svg", "--no-values", "-o", str(out)]) == 0
    capsys.readouterr()
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    links = [g for g in root.iter(NS + "g") if g.get("class") == "link"]   # unlabelled edges
    assert len(links) == 2368 and not any(g.findall(NS + "text") for g in links)
    assert edge_labels(out.read_text(encoding="utf-8")) == {}
    assert main(["draw", str(small), "--format", "svg", "--no-values"]) == 0
    text = capsys.readouterr().out
    assert text == str(handout_network().to_svg(values=False, digits=3)) + "\n"
    assert "w = " not in text
    assert main(["draw", str(small), "--no-values"]) == 2
    assert capsys.readouterr().err == ("nodenet draw: error: --no-values goes with --format "
                                       "svg: a mermaid diagram is labelled with the weights\n")


def test_trace_svg_of_a_network_past_the_label_limit_is_refused_before_any_work(
        tmp_path, capsys):
    from nodenet import Network
    big = tmp_path / "big.json"
    Network([64, 32, 10], seed=1).save(big)
    picture = tmp_path / "step.svg"
    argv = ["trace", str(big), "--input", *["0.5"] * 64, "--target", *["0"] * 10,
            "--svg", str(picture)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and not picture.exists()
    assert captured.err == (
        "nodenet trace: error: --svg: 2368 weights are too many to write on a picture of the "
        "step (at most 1500); leave out --svg, or draw the model alone with nodenet draw "
        "--format svg --no-values\n")


def test_trace_svg(tmp_path, capsys):
    assert main(["trace", "--order", "handout"]) == 0
    plain = capsys.readouterr().out
    path = tmp_path / "step.svg"
    assert main(["trace", "--order", "handout", "--svg", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == plain                        # the report is unchanged
    assert captured.err == f"wrote {path}: SVG picture of the step\n"
    picture = step_picture(handout_network(), HANDOUT_INPUT, HANDOUT_TARGET, HANDOUT_ETA,
                           order="handout")
    assert path.read_text(encoding="utf-8") == str(picture) + "\n"
    labels = edge_labels(str(picture))
    assert labels["h1 → o"] == ["w = 0.8", "Δw = 0.001787254"]


def test_trace_svg_digits_and_a_model(tmp_path, capsys):
    model = tmp_path / "m.json"
    handout_network().save(model)
    path = tmp_path / "step.svg"
    assert main(["trace", str(model), "--input", "1", "3", "5", "--target", "1",
                 "--digits", "3", "--svg", str(path)]) == 0
    assert edge_labels(path.read_text(encoding="utf-8"))["h1 → o"] == ["w = 0.8",
                                                                     "Δw = 0.00179"]
    assert "Network([3, 4, 1]" in capsys.readouterr().out


def test_trace_svg_refuses_a_bad_path_before_any_work(tmp_path, capsys):
    path = tmp_path / "missing" / "step.svg"
    assert main(["trace", "--svg", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"nodenet trace: error: cannot write --svg file {path}: ")
    assert not path.parent.exists()


def test_trace_svg_never_overwrites_the_model(tmp_path, capsys):
    model = tmp_path / "m.json"
    handout_network().save(model)
    saved = model.read_bytes()
    assert main(["trace", str(model), "--input", "1", "3", "5", "--target", "1",
                 "--svg", str(model)]) == 2
    assert "same file" in capsys.readouterr().err
    assert model.read_bytes() == saved


def test_the_example_picture_is_what_trace_writes(tmp_path, capsys):
    """walkthroughs/handout_step.svg is ``nodenet trace --order handout --svg …``'s output."""
    path = tmp_path / "step.svg"
    assert main(["trace", "--order", "handout", "--svg", str(path)]) == 0
    assert EXAMPLE.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    assert EXAMPLE.stat().st_size < 100_000
