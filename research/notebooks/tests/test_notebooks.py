"""The notebooks are stored without outputs and run top to bottom."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted(Path(__file__).resolve().parent.parent.glob("*/*.ipynb"))


def code_cells(path: Path) -> list[dict]:
    return [cell for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"]


def test_there_are_notebooks() -> None:
    assert {p.parent.name for p in NOTEBOOKS} == {"nlp", "vision"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_stored_without_outputs(path: Path) -> None:
    for cell in code_cells(path):
        assert cell["outputs"] == [] and cell["execution_count"] is None, path


@pytest.mark.integration
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_runs_top_to_bottom(path: Path) -> None:
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    for index, cell in enumerate(code_cells(path)):
        source = "".join(cell["source"])
        exec(compile(source, f"{path.name}[{index}]", "exec"), namespace)
