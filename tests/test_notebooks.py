"""The notebooks run top to bottom as a planner runs them, and are kept in
git without outputs."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
SHIPPED = ["01_what_if_planning.ipynb", "02_roster_generation.ipynb",
           "03_testing_a_proposed_standard.ipynb", "04_from_history_to_roster.ipynb"]
QUICKER = {"01_what_if_planning.ipynb": "REPLICATIONS = 2",
           "03_testing_a_proposed_standard.ipynb": "REPLICATIONS = 4"}
"""Values run after a notebook's cell tagged ``parameters`` (papermill's
convention): every cell and chart runs with fewer replications than a
planner reads; what the test shows is that they run, not the numbers.
Notebook 3 plans four scenarios, each certified with up to 8x its
replications: at 2 it took more raises and more CPU than at 4."""


def test_the_notebooks_are_shipped_without_outputs():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == SHIPPED
    for name in SHIPPED:
        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(notebook)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert code and all(not cell.outputs and cell.execution_count is None
                            for cell in code), f"{name}: clear its outputs before committing"


@pytest.mark.parametrize("name", SHIPPED)
def test_a_notebook_runs_top_to_bottom_and_draws_its_charts(name, tmp_path, monkeypatch):
    monkeypatch.setenv("SVCSIM_OUT", str(tmp_path))  # the notebooks write nothing into the checkout
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    if name in QUICKER:
        tagged = [i for i, cell in enumerate(notebook.cells)
                  if "parameters" in cell.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{name}: tag the cell that sets its parameters"
        notebook.cells.insert(tagged[0] + 1, nbformat.v4.new_code_cell(QUICKER[name]))
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # a cell that raises fails the test, naming the cell
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    charts = [o for o in outputs if "image/png" in o.get("data", {})]
    drawn = sum(cell.source.count("figure(") + cell.source.count("plt.show()")
                for cell in notebook.cells if cell.cell_type == "code")
    assert len(charts) == drawn  # each chart drawn once, none lost to a backend
    sources = "".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "from svcsim." not in sources and "import svcsim." not in sources  # public API only
