from pathlib import Path

import pytest
from pydantic import ValidationError

from backend.common.settings import ServiceSettings


def test_embedded_defaults_live_under_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "BROKER_URL", "DATA_DIR", "PORT", "HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", "/srv/lostfound")

    settings = ServiceSettings()

    assert settings.database_url == "sqlite:////srv/lostfound/lostfound.sqlite3"
    assert settings.uses_embedded_database
    assert settings.broker_url == "filesystem://"
    assert settings.broker_dir == Path("/srv/lostfound/broker")


def test_environment_names_are_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/lostfound")
    monkeypatch.setenv("BROKER_URL", "redis://cache:6379/0")
    monkeypatch.setenv("LOG_FORMAT", "json")

    settings = ServiceSettings()

    assert (settings.host, settings.port) == ("0.0.0.0", 9000)
    assert not settings.uses_embedded_database
    assert not settings.uses_embedded_broker
    assert settings.log_format == "json"


def test_bad_values_are_refused_with_the_field_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "70000")
    with pytest.raises(ValidationError, match="port"):
        ServiceSettings()
