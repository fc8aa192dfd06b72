import json
import logging

import pytest

from backend.common.log import configure_logging


def test_json_lines_carry_extra_fields(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")

    logging.getLogger("lostfound.test").info("item %s stored", "abc", extra={"item_id": "abc"})

    entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert entry["message"] == "item abc stored"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "lostfound.test"
    assert entry["item_id"] == "abc"
    assert entry["ts"].endswith("+00:00")  # UTC, ISO 8601


def test_json_lines_carry_the_exception(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")

    try:
        raise ValueError("the photo is not an image")
    except ValueError:
        logging.getLogger("lostfound.test").exception("upload failed")

    entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert entry["message"] == "upload failed"
    assert "ValueError: the photo is not an image" in entry["exc_info"]


def test_plain_format_and_level(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("warning", "plain")

    logging.getLogger("lostfound.test").info("hidden")
    logging.getLogger("lostfound.test").warning("shown")

    err = capsys.readouterr().err
    assert "hidden" not in err
    assert "WARNING lostfound.test: shown" in err
