"""walkthroughs/handout.ipynb runs top to bottom and shows every handout number.

The notebook is executed afresh with nbclient in a Python kernel (ipykernel);
its outputs are checked against the handout's R printout, and against the
outputs stored in the file (so the notebook a teacher opens is the one that
runs).  Skipped with a reason without nbclient, nbformat or ipykernel.
"""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="runs the notebook (pip install nbformat)")
nbclient = pytest.importorskip("nbclient", reason="runs the notebook (pip install nbclient)")
pytest.importorskip("ipykernel", reason="runs the notebook in a kernel (pip install ipykernel)")

NOTEBOOK = Path(__file__).resolve().parent.parent / "walkthroughs" / "handout.ipynb"

R_LINES = [   # what the handout's R session prints, in order
    "[1]  0.5  3.6 -1.5", "[1] 2.6", "[1] 0.9308616", "[1] 2.6", "[1] 0.192",
    "[1] 0.001787254", "[1] 0.8017873", "[1] 0.1539432", "[1] 0.009907519",
    "[1] 9.907519e-05 2.972256e-04 4.953760e-04", "[1]  0.5000991  1.2002972 -0.2995046",
]


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    return nb


def outputs(nb):
    """(kind, text) for every output, in order: stream text or each rich form."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            if out.output_type == "stream":
                found.append(("stream", out.text))
            elif out.output_type in ("execute_result", "display_data"):
                for mime, data in sorted(out.data.items()):
                    found.append((mime, data))
            elif out.output_type == "error":
                found.append(("error", "\n".join(out.traceback)))
    return found


def test_every_r_number_of_the_handout_in_order(executed):
    text = "".join(t for kind, t in outputs(executed) if kind == "stream")
    lines = [line for line in text.splitlines() if line.startswith("[1]")]
    assert lines[:len(R_LINES)] == R_LINES
    assert "standard backpropagation: [1] 0.009885435" in text
    assert "new weight h1 → o:     [1] 0.8017873" in text
    assert not [t for kind, t in outputs(executed) if kind == "error"]


def test_the_tables_show_as_html_and_the_picture_as_svg(executed):
    html = [t for kind, t in outputs(executed) if kind == "text/html"]
    assert len(html) == 2                                   # the step report, the δ table
    assert html[0].count("<table>") == 3
    assert "0.01·0.192·0.9308616" in html[0] and "0.009907519" in html[0]
    assert "0.009885435" in html[1]
    svg = [t for kind, t in outputs(executed) if kind == "image/svg+xml"]
    assert len(svg) == 1 and svg[0].lstrip().startswith("<svg")
    for label in ("z = 2.6", "a = 0.9308616", "δ = 0.192", "w = 0.8"):
        assert label in svg[0], label


def test_the_stored_outputs_are_what_the_notebook_prints_now(executed):
    stored = nbformat.read(NOTEBOOK, as_version=4)
    assert outputs(stored) == outputs(executed)
