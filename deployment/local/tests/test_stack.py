"""The local stack's own logic (the stack itself runs end to end in CI's README step)."""

from __future__ import annotations

import os

import pytest

from deployment.local.stack import terminal_env


def test_the_build_sees_the_terminals_path_not_the_stack_pexs_venv(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    venv = "/home/me/.pex/venvs/abc/def"
    terminal_path = os.pathsep.join(["/home/me/.pyenv/shims", "/usr/local/bin", "/usr/bin"])
    monkeypatch.setenv("VIRTUAL_ENV", venv)
    monkeypatch.setenv("PATH", os.pathsep.join([f"{venv}/bin", terminal_path]))
    monkeypatch.setenv("PEX", "/tmp/pants-sandbox-x/deployment.local/stack.pex")
    monkeypatch.setenv("PEX_ROOT", "/home/me/.pex")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/lostfound")

    env = terminal_env()

    assert env["PATH"] == terminal_path
    assert not {"VIRTUAL_ENV", "PEX", "PEX_ROOT"} & env.keys()
    assert env["DATABASE_URL"] == "postgresql://db/lostfound"  # the rest as the terminal had it


def test_a_path_without_a_venv_is_kept_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.setenv("PATH", "/usr/local/bin:/usr/bin")

    assert terminal_env()["PATH"] == "/usr/local/bin:/usr/bin"
