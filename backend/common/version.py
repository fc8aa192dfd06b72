"""The version every service reports: the package version and, when known, the git commit."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from functools import cache

# Bumped on release; services ship as PEX files of sources, not as installed distributions.
__version__ = "0.1.0"


@dataclass(frozen=True)
class VersionInfo:
    version: str
    commit: str | None

    def __str__(self) -> str:
        return f"{self.version}+{self.commit[:12]}" if self.commit else self.version


def _git_commit() -> str | None:
    # Images and CI pass the commit in; run from a checkout, git knows it.
    if commit := os.environ.get("GIT_COMMIT"):
        return commit.strip() or None
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=2,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


@cache
def version_info() -> VersionInfo:
    """This repository's version and, when known, the commit it was built from."""
    return VersionInfo(version=__version__, commit=_git_commit())
