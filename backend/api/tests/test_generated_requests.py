"""Generated requests (schemathesis) against the API on PostgreSQL: every operation, valid and
invalid inputs, with and without a token. No answer is a 5xx and every answer is what the
OpenAPI document says (status code, content type, body schema)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from backend.api.tests.helpers import ADMIN_TOKEN, item_body
from backend.common.db.migrations import upgrade
from backend.common.models import Item, Match, Reporter, hash_api_token
from backend.common.testing.generated_requests import generated_request_tests
from backend.common.testing.postgres import throwaway_database

pytestmark = pytest.mark.integration

# Per operation; 21 operations give well over 500 cases per run.
EXAMPLES = 60
TOKEN = "generated-requests-reporter-token"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with throwaway_database("lf_schemathesis") as server:
        url = server.render_as_string(hide_password=False)
        upgrade(url)
        app = create_app(
            ApiSettings(
                database_url=url,
                data_dir=Path(tmp_path_factory.mktemp("api")),
                admin_token=SecretStr(ADMIN_TOKEN),
                registrations_per_ip="100000/hour",
                reports_per_reporter="100000/hour",
            )
        )
        yield app
        app.state.engine.dispose()


@pytest.fixture(scope="module")
def existing(api: Any) -> dict[str, str]:
    """A reporter with a lost item, a found item and a match between them: generated requests
    that name a valid id reach real rows, not only 404s."""
    with api.state.sessions() as session:
        reporter = Reporter(name="Ada", token_hash=hash_api_token(TOKEN))
        session.add(reporter)
        session.flush()
        lost = Item(**_item("lost"), reporter_id=reporter.id)
        found = Item(**_item("found"), reporter_id=reporter.id)
        session.add_all([lost, found])
        session.flush()
        match = Match(lost_item_id=lost.id, found_item_id=found.id, score=0.9)
        session.add(match)
        session.commit()
        return {"item_id": str(lost.id), "match_id": str(match.id)}


def _item(kind: str) -> dict[str, Any]:
    from backend.api.app.schemas import ItemCreate

    return ItemCreate.model_validate(item_body(kind=kind)).model_dump()


def with_real_rows_and_a_token(case: Any, fixture: Callable[[str], Any]) -> dict[str, Any]:
    existing: dict[str, str] = fixture("existing")
    for name, value in list((case.path_parameters or {}).items()):
        if name in existing and _is_uuid(value):
            case.path_parameters[name] = existing[name]
    headers = dict(case.headers or {})
    # A case whose headers are the invalid part keeps them as generated: a token added to a
    # request generated without one would turn it into a valid request.
    if not _negative(case, ParameterLocation.HEADER):
        headers.setdefault("Authorization", f"Bearer {TOKEN}")
    return {"headers": headers}


def _negative(case: Any, location: ParameterLocation) -> bool:
    component = case.meta.components.get(location) if case.meta else None
    return component is not None and component.mode == GenerationMode.NEGATIVE


api_schema, test_no_5xx_and_every_answer_is_documented, test_enough_generated_requests_ran = (
    generated_request_tests(
        "api", examples=EXAMPLES, operations=21, prepare=with_real_rows_and_a_token
    )
)


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
