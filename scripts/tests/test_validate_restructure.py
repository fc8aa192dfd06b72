from pathlib import Path

import pytest

from scripts.validate_restructure import run

REPO = Path(__file__).resolve().parents[2]


def test_every_check_passes_on_this_repository() -> None:
    results = run(REPO)
    assert [(r.name, r.problems) for r in results if not r.ok] == []
    assert len(results) == 5


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A minimal copy of the layout that passes, for the negative cases."""
    for path in [
        "backend/common/__init__.py",
        "backend/common/health.py",
        "backend/common/models/soft_delete.py",
        "backend/api/app/main.py",
        "backend/nlp/server/main.py",
        "backend/vision/server/main.py",
        "backend/worker/worker/health.py",
        "research/README.md",
        "tests/x.py",
        "deployment/k8s/a.yaml",
        "deployment/docker-compose-local.yml",
        "3rdparty/python/requirements.txt",
        "pants.toml",
        "BUILD",
    ] + [
        f"backend/{s}/{f}"
        for s in ("api", "nlp", "vision", "worker")
        for f in ("BUILD", ".dockerignore")
    ]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    (tmp_path / ".dockerignore").write_text("research\ntests\n.pants.d\nvar\n")
    assert all(result.ok for result in run(tmp_path))
    return tmp_path


def failing(tree: Path) -> dict[str, list[str]]:
    return {r.name: r.problems for r in run(tree) if not r.ok}


def test_service_importing_another_service_fails(tree: Path) -> None:
    (tree / "backend/api/app/main.py").write_text("from backend.nlp.server.main import app\n")
    [problems] = failing(tree).values()
    assert "services never import each other" in problems[0]


def test_backend_importing_research_fails(tree: Path) -> None:
    (tree / "backend/common/health.py").write_text("import research.experiments\n")
    [problems] = failing(tree).values()
    assert "must not import research" in problems[0]


def test_sys_path_edit_fails(tree: Path) -> None:
    (tree / "tests/x.py").write_text("import sys\nsys.path." + "insert(0, '.')\n")
    assert "no sys.path manipulation" in failing(tree)


def test_missing_dockerignore_and_entry_point_fail(tree: Path) -> None:
    (tree / "backend/vision/.dockerignore").unlink()
    (tree / "backend/api/app/main.py").unlink()
    assert set(failing(tree)) == {
        ".dockerignore at the root and per service",
        "entry points existing deployments use",
    }
