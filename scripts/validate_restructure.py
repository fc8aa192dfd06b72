"""Checks the monorepo's layout and dependency rules; prints one line per check.

    ./pants run scripts/validate_restructure.py          # from the repository root

The same checks run as tests (scripts/tests/test_validate_restructure.py). Import rules are also
enforced by Pants' visibility rules (each service's BUILD file, backend/common/BUILD); this script
states them as the layout's contract.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

SERVICES = ("api", "nlp", "vision", "worker")
# Module paths existing deployments use.
ENTRY_POINTS = {
    "common": ["backend/common/health.py", "backend/common/models/soft_delete.py"],
    "api": ["backend/api/app/main.py"],
    "nlp": ["backend/nlp/server/main.py"],
    "vision": ["backend/vision/server/main.py"],
    "worker": ["backend/worker/worker/health.py"],
}
SKIP_DIRS = {".git", ".pants.d", "dist", "var", "__pycache__", ".venv", "node_modules"}
# Assembled so that this file does not match its own pattern.
SYS_PATH_EDIT = re.compile(r"sys\.path\s*(\.\s*(insert|append|extend)\s*\(|(\+)?=)")


@dataclass(frozen=True)
class Result:
    name: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def python_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts[:-1]
        # Skip tool output and hidden folders (a Pants sandbox holds unpacked PEXes too).
        if not any(p in SKIP_DIRS or p.startswith(".") or p.endswith(".pex") for p in parts):
            yield path


def imported_modules(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def check_layout(root: Path) -> list[str]:
    required = [
        "backend/common/__init__.py",
        *[f"backend/{service}/BUILD" for service in SERVICES],
        "research/README.md",
        "tests",
        "deployment/k8s",
        "deployment/docker-compose-local.yml",
        "3rdparty/python",
        "pants.toml",
        "BUILD",
    ]
    return [f"missing {path}" for path in required if not (root / path).exists()]


def check_entry_points(root: Path) -> list[str]:
    return [
        f"missing {path} ({owner})"
        for owner, paths in ENTRY_POINTS.items()
        for path in paths
        if not (root / path).is_file()
    ]


def check_dockerignore(root: Path) -> list[str]:
    wanted = [".dockerignore", *[f"backend/{service}/.dockerignore" for service in SERVICES]]
    problems = [f"missing {path}" for path in wanted if not (root / path).is_file()]
    root_rules = (root / ".dockerignore").read_text() if (root / ".dockerignore").is_file() else ""
    problems += [
        f".dockerignore does not exclude {entry}"
        for entry in ("research", "tests", ".pants.d", "var")
        if entry not in root_rules.split()
    ]
    return problems


def check_no_sys_path_edits(root: Path) -> list[str]:
    return [
        f"{path.relative_to(root)}:{number}"
        for path in python_files(root)
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SYS_PATH_EDIT.search(line) and not line.lstrip().startswith("#")
    ]


def check_imports(root: Path) -> list[str]:
    problems = []
    for path in python_files(root / "backend"):
        relative = path.relative_to(root)
        owner = relative.parts[1]
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "research":
                problems.append(f"{relative} imports {module} (backend must not import research)")
            elif parts[0] == "backend" and len(parts) > 1 and parts[1] in SERVICES:
                if owner == "common":
                    problems.append(
                        f"{relative} imports {module} (common must not import services)"
                    )
                elif parts[1] != owner:
                    problems.append(
                        f"{relative} imports {module} (services never import each other)"
                    )
    return problems


CHECKS: list[tuple[str, Callable[[Path], list[str]]]] = [
    ("layout: common, services, research, tests, deployment, 3rdparty", check_layout),
    ("entry points existing deployments use", check_entry_points),
    (".dockerignore at the root and per service", check_dockerignore),
    ("no sys.path manipulation", check_no_sys_path_edits),
    ("no research imports, no service-to-service imports", check_imports),
]


def run(root: Path) -> list[Result]:
    return [Result(name, check(root)) for name, check in CHECKS]


def main() -> None:
    root = Path.cwd()
    results = run(root)
    for result in results:
        print(f"{'PASS' if result.ok else 'FAIL'}  {result.name}")
        for problem in result.problems:
            print(f"        {problem}")
    sys.exit(0 if all(result.ok for result in results) else 1)


if __name__ == "__main__":
    main()
