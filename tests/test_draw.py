"""Diagrams: exact Mermaid and DOT text for small hand-built networks."""

import pytest

from nodenet import Network, NodenetError
from nodenet.cli import main
from nodenet.draw import number


@pytest.fixture
def net():
    # 2 inputs → 2 tanh → 1 sigmoid; weights chosen to exercise the formatting
    return Network.from_matrices(
        [[[0.5, -1.25], [2.0, 0.0]], [[1.23456, -0.0001]]],
        [[0.1, -0.5], [3.0]],
        ["tanh", "sigmoid"])


MERMAID = """\
graph LR
    x1(["x1"])
    x2(["x2"])
    n1_0(("tanh<br/>b = 0.1"))
    n1_1(("tanh<br/>b = -0.5"))
    n2_0(("sigmoid<br/>b = 3"))
    x1 -->|"0.5"| n1_0
    x2 -->|"-1.25"| n1_0
    x1 -->|"2"| n1_1
    x2 -->|"0"| n1_1
    n1_0 -->|"1.23"| n2_0
    n1_1 -->|"-0.0001"| n2_0
    classDef input fill:#e6f7ff,stroke:#007acc
    classDef hidden fill:#ffe6cc,stroke:#ff9900
    classDef output fill:#e6ffe6,stroke:#00b300
    class x1,x2 input
    class n1_0,n1_1 hidden
    class n2_0 output"""

DOT = """\
digraph nodenet {
    rankdir=LR;
    node [shape=circle, style=filled];
    x1 [label="x1", shape=box, fillcolor="#e6f7ff", color="#007acc"];
    x2 [label="x2", shape=box, fillcolor="#e6f7ff", color="#007acc"];
    n1_0 [label="tanh\\nb = 0.1", fillcolor="#ffe6cc", color="#ff9900"];
    n1_1 [label="tanh\\nb = -0.5", fillcolor="#ffe6cc", color="#ff9900"];
    n2_0 [label="sigmoid\\nb = 3", fillcolor="#e6ffe6", color="#00b300"];
    { rank=same; x1; x2; }
    { rank=same; n1_0; n1_1; }
    { rank=same; n2_0; }
    x1 -> n1_0 [label="0.5"];
    x2 -> n1_0 [label="-1.25"];
    x1 -> n1_1 [label="2"];
    x2 -> n1_1 [label="0"];
    n1_0 -> n2_0 [label="1.23"];
    n1_1 -> n2_0 [label="-0.0001"];
}"""


def test_mermaid_exact(net):
    assert net.to_mermaid() == MERMAID


def test_dot_exact(net):
    assert net.to_dot() == DOT


def test_digits_option(net):
    text = net.to_mermaid(digits=5)
    assert 'n1_0 -->|"1.2346"| n2_0' in text
    assert net.to_dot(digits=1).count('[label="1"]') == 1     # 1.23456 → "1"
    assert 'n1_0 -->|"1"| n2_0' in net.to_mermaid(digits=1)


def test_top_to_bottom_and_no_bias():
    net = Network.from_matrices([[[1.0, -1.0]]], activations="relu", bias=False)
    assert net.to_mermaid(direction="TB") == """\
graph TB
    x1(["x1"])
    x2(["x2"])
    n1_0(("relu"))
    x1 -->|"1"| n1_0
    x2 -->|"-1"| n1_0
    classDef input fill:#e6f7ff,stroke:#007acc
    classDef hidden fill:#ffe6cc,stroke:#ff9900
    classDef output fill:#e6ffe6,stroke:#00b300
    class x1,x2 input
    class n1_0 output"""
    assert 'n1_0 [label="relu", fillcolor' in net.to_dot()


def test_leaky_relu_label_shows_alpha():
    net = Network.from_matrices([[[1.0]]], activations=[{"name": "leaky_relu", "alpha": 0.2}])
    assert f'n1_0(("{net.layers[0].activation!r}<br/>b = 0"))' in net.to_mermaid()
    assert "0.2" in repr(net.layers[0].activation)


def test_number_formatting():
    assert number(-0.0) == "0"
    assert number(1e-12, 2) == "1e-12"
    assert number(0.0001234, 2) == "0.00012"


@pytest.mark.parametrize("kwargs, message", [
    ({"digits": 0}, "digits"),
    ({"digits": 2.5}, "digits"),
    ({"direction": "RL"}, "direction must be one of LR, TB, got 'RL'"),
])
def test_bad_options(net, kwargs, message):
    with pytest.raises(NodenetError, match=message):
        net.to_mermaid(**kwargs)
    with pytest.raises(NodenetError, match=message):
        net.to_dot(**kwargs)


# -- nodenet draw ----------------------------------------------------------

def test_cli_draw_stdout(net, tmp_path, capsys):
    model = tmp_path / "m.json"
    net.save(model)
    assert main(["draw", str(model)]) == 0
    assert capsys.readouterr().out == MERMAID + "\n"
    assert main(["draw", str(model), "--format", "dot"]) == 0
    assert capsys.readouterr().out == DOT + "\n"


def test_cli_draw_to_file(net, tmp_path, capsys):
    model, out = tmp_path / "m.json", tmp_path / "net.mmd"
    net.save(model)
    assert main(["draw", str(model), "-o", str(out), "--digits", "5"]) == 0
    assert out.read_text(encoding="utf-8") == net.to_mermaid(digits=5) + "\n"
    assert str(out) in capsys.readouterr().out


def test_cli_draw_errors(tmp_path, capsys):
    assert main(["draw", str(tmp_path / "missing.json")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nodenet draw: error: cannot read model file") and err.count("\n") == 1
    model = tmp_path / "m.json"
    Network([2, 1]).save(model)
    with pytest.raises(SystemExit) as exc:
        main(["draw", str(model), "--format", "png"])
    assert exc.value.code == 2
    assert "invalid choice: 'png'" in capsys.readouterr().err
