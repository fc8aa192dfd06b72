import pytest

from backend.common import version
from backend.common.version import VersionInfo, version_info


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    version_info.cache_clear()


def test_commit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_COMMIT", "0123456789abcdef0123")

    info = version_info()

    assert info == VersionInfo(version=version.__version__, commit="0123456789abcdef0123")
    assert str(info) == f"{version.__version__}+0123456789ab"


def test_without_commit_the_version_is_plain() -> None:
    assert str(VersionInfo(version="1.0.0", commit=None)) == "1.0.0"
