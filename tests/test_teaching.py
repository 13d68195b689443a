"""Tables for teaching: rows as data, CSV, HTML in a notebook, LaTeX that compiles.

The pdfLaTeX test runs ``pdflatex`` when it is installed (CI installs
Debian's texlive-latex-base) and skips with a reason otherwise.
"""

import csv
import io
import math
import shutil
import subprocess
import warnings

import pytest

from nodenet import Network, training
from nodenet.cli import main
from nodenet.display import FORMATS, TableText, latex_text
from nodenet.examples import HANDOUT_ETA, HANDOUT_INPUT, HANDOUT_TARGET, handout_network
from nodenet.optimizers import Adam
from nodenet.tables import forward_table, optimizer_step_table, step_report, to_csv


def handout_report(tablefmt="github", order="standard"):
    return step_report(handout_network(), HANDOUT_INPUT, HANDOUT_TARGET, HANDOUT_ETA,
                       order=order, tablefmt=tablefmt)


# -- rows as data -------------------------------------------------------------------

def test_every_table_has_its_rows_as_records_with_the_raw_numbers():
    report = handout_report()
    assert isinstance(report, str) and isinstance(report.forward, TableText)
    h1 = report.forward.records[0]
    assert set(h1) == {"layer", "node", "terms", "bias", "net", "activation", "output"}
    assert (h1["layer"], h1["node"], h1["activation"]) == (1, "h1", "sigmoid")
    assert h1["terms"] == pytest.approx([0.5, 3.6, -1.5]) and h1["net"] == pytest.approx(2.6)
    out = report.deltas.records[0]
    assert set(out) == {"layer", "node", "rule", "text", "delta"}
    assert (out["node"], out["rule"]) == ("o", "2·(y − a)·a·(1 − a)")
    assert out["delta"] == pytest.approx(0.192, rel=1e-9)
    change = report.changes.records[0]
    assert set(change) == {"layer", "source", "node", "w", "delta", "a", "eta", "text", "dw",
                           "new_w"}
    assert (change["source"], change["node"], change["text"]) == ("h1", "o", "0.01·0.192·0.9308616")
    assert change["dw"] == change["eta"] * change["delta"] * change["a"]
    assert change["new_w"] == change["w"] + change["dw"]
    assert report.loss_before == pytest.approx(0.16) and report.loss_after < 0.16


def test_the_weight_change_numbers_evaluate_to_each_change():
    report = handout_report(order="handout")
    for r in report.changes.records:
        product = math.prod(float(v.strip("()")) for v in r["text"].split("·"))
        assert product == pytest.approx(r["dw"], rel=1e-6)      # 7 digits per factor


def test_step_report_parts_are_reachable_and_str_is_the_text():
    report = handout_report(tablefmt="plain")
    assert str(report).startswith("One training step of Network([3, 4, 1]")
    assert str(report.forward) in report and str(report.deltas) in report
    assert report.forward.tablefmt == "plain"
    assert repr(report) == ("StepReport(Network([3, 4, 1], sigmoid → sigmoid, loss=sse), "
                            "x = [1.0, 3.0, 5.0], η = 0.01)")


# -- CSV ------------------------------------------------------------------------------

def test_csv_is_every_cell_as_the_table_shows_it_unpadded():
    report = handout_report()
    text = to_csv(report.changes)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["layer", "from → to", "w", "δ", "a", "η", "Δw with numbers",
                       "Δw = η·δ·a", "new w"]
    assert rows[1] == ["2", "h1 → o", "0.8", "0.192", "0.9308616", "0.01",
                       "0.01·0.192·0.9308616", "0.001787254", "0.8017873"]
    assert rows[1:] == report.changes.cells
    assert forward_table(handout_network_after_forward(), tablefmt="csv").splitlines()[1] == \
        '1,h1,"0.5, 3.6, -1.5",0,2.6,sigmoid,0.9308616'
    tsv = forward_table(handout_network_after_forward(), tablefmt="tsv")
    assert tsv.splitlines()[1] == "1\th1\t0.5, 3.6, -1.5\t0\t2.6\tsigmoid\t0.9308616"


def handout_network_after_forward():
    net = handout_network()
    net.forward(HANDOUT_INPUT)
    return net


def test_a_step_report_as_csv_is_three_titled_blocks():
    report = handout_report(tablefmt="csv")
    blocks = [list(csv.reader(io.StringIO(b))) for b in str(report).split("\r\n\r\n")]
    assert [b[0] for b in blocks] == [["Forward pass (weights before the step):"],
                                      [report._lines["deltas"]],
                                      [report._lines["changes"]]]
    assert blocks[2][1][0] == "layer" and len(blocks[2]) == 2 + 21
    assert str(report) == report.to_csv()


def test_trace_writes_csv(capsys):
    assert main(["trace", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "2,h1 → o,0.8,0.192,0.9308616,0.01,0.01·0.192·0.9308616,0.001787254,0.8017873" in out


def test_to_csv_refuses_what_is_not_a_table():
    with pytest.raises(Exception, match="to_csv expects a table from nodenet.tables, got str"):
        to_csv("| a | b |")


# -- HTML in a notebook ----------------------------------------------------------------

def test_tables_and_reports_display_as_html_tables_not_raw_tags():
    report = handout_report(tablefmt="html")
    html = report._repr_html_()
    assert html.count("<table>") == 3 and "&lt;table" not in html
    assert "<td>0.01·0.192·0.9308616</td>" in html.replace("  ", "")
    assert "loss (sse) before the step: 0.16" in html
    table = report.deltas
    assert "<th>δ rule" in table._repr_html_()


def test_jupyter_picks_the_html_form():
    pytest.importorskip("IPython", reason="IPython (ipykernel) shows the rich form")
    from IPython.core.formatters import DisplayFormatter
    formatter = DisplayFormatter()
    data, _ = formatter.format(handout_report())
    assert "text/html" in data and "<table>" in data["text/html"]
    data, _ = formatter.format(Network([3, 4, 1], seed=1))
    assert "<svg" in data["text/html"] and "21 parameters" in data["text/html"]
    assert data["text/plain"] == "Network([3, 4, 1], sigmoid → sigmoid, loss=sse)"


# -- LaTeX that pdfLaTeX compiles ---------------------------------------------------------

def test_latex_text_puts_every_symbol_in_math_mode_and_leaves_only_ascii():
    assert latex_text("δ_o = 2·(y − a)") == r"$\delta$\_o = 2$\cdot$(y $-$ a)"
    assert latex_text("m̂ v̂") == r"$\hat{m}$ $\hat{v}$"
    assert latex_text("100% & #1") == r"100\% \& \#1"
    for fmt in ("latex", "latex_booktabs"):
        text = str(handout_report(tablefmt=fmt))
        assert all(ord(ch) < 128 for ch in text), fmt


PACKAGE = {"latex": None, "latex_booktabs": "booktabs", "latex_longtable": "longtable"}


def _latex_document(fmt, body):
    """The README's preamble: nothing for latex, booktabs or longtable for the others."""
    package = f"\\usepackage{{{PACKAGE[fmt]}}}\n" if PACKAGE[fmt] else ""
    return ("\\documentclass{article}\n" + package + "\\begin{document}\n\\tiny\n"
            + body + "\n\\end{document}\n")


def _has_package(fmt):
    name = PACKAGE[fmt]
    if name is None:
        return True
    found = subprocess.run(["kpsewhich", f"{name}.sty"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def _every_table(fmt):
    """Tables with every activation's and loss's rule, an optimizer step, a report."""
    out = [str(handout_report(tablefmt=fmt)), str(handout_report(tablefmt=fmt, order="handout"))]
    rng_nets = [(["gelu", "gelu_tanh"], "identity", "cross_entropy_with_logits", [2]),
                (["silu", "softplus"], "log_softmax", "nll", [0]),
                (["elu", "selu"], "softmax", "mse", [0.0, 1.0, 0.0]),
                (["leaky_relu", "relu"], "tanh", {"name": "huber", "delta": 0.5}, [0.5, -0.5, 0.1]),
                (["tanh", "step"], "identity", "bce_with_logits", [1.0, 0.0, 1.0]),
                (["identity", "sigmoid"], "sigmoid", "bce", [1.0, 0.0, 0.25])]
    for hidden, out_act, loss, y in rng_nets:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = Network([2, 3, 3, 3], activation=hidden, output_activation=out_act, loss=loss,
                          seed=4)
        out.append(str(step_report(net, [0.3, -0.7], y, 0.1, tablefmt=fmt)))
    net = Network([2, 2, 1], activation="tanh", seed=2)
    out.append(str(optimizer_step_table(net, Adam(lr=0.01), [[0.5, 1.0]], [[0.2]], tablefmt=fmt)))
    history = training.train(net, [[0.5, 1.0]], [[0.2]], epochs=0, eta=0.1)
    out.append(str(history.table(tablefmt=fmt)))        # no rows: a column spec all the same
    return out


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="needs pdflatex (Debian: apt-get install texlive-latex-base)")
@pytest.mark.parametrize("fmt", ["latex", "latex_booktabs", "latex_longtable"])
def test_latex_tables_compile_with_pdflatex(tmp_path, fmt):
    if not _has_package(fmt):
        pytest.skip(f"pdflatex has no {PACKAGE[fmt]}.sty (Debian: texlive-latex-recommended)")
    body = "\n\n".join(_every_table(fmt))
    (tmp_path / "tables.tex").write_text(_latex_document(fmt, body), encoding="ascii")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           "tables.tex"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "tables.pdf").stat().st_size > 1000
    assert "LaTeX Error" not in done.stdout and "Missing $ inserted" not in done.stdout


def test_unknown_formats_list_csv_too():
    net = handout_network_after_forward()
    with pytest.raises(Exception, match=r"unknown table format 'xls'; expected one of: .*csv"):
        forward_table(net, tablefmt="xls")
    assert "csv" in FORMATS and "latex_booktabs" in FORMATS


def test_the_readme_trace_block_is_what_nodenet_trace_prints(capsys):
    from pathlib import Path
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    marker = "`nodenet trace --order handout`:\n\n```text\n"
    start = readme.index(marker) + len(marker)
    block = readme[start:readme.index("```", start)]
    assert main(["trace", "--order", "handout"]) == 0
    assert capsys.readouterr().out == block
