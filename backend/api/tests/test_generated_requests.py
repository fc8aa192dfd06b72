"""Generated requests (schemathesis) against the API on PostgreSQL: every operation, valid and
invalid inputs, with and without a token. No answer is a 5xx and every answer is what the
OpenAPI document says (status code, content type, body schema)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from sqlalchemy import select

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from backend.api.tests.helpers import ADMIN_TOKEN, item_body
from backend.common.db.migrations import upgrade
from backend.common.models import (
    Credential,
    CredentialKind,
    Item,
    Match,
    MatchMessage,
    Reporter,
    ReporterRole,
    hash_secret,
)
from backend.common.testing.generated_requests import generated_request_tests
from backend.common.testing.postgres import throwaway_database

pytestmark = pytest.mark.integration

# Per operation; 43 operations give well over 1,000 cases per run.
EXAMPLES = 60
TOKEN = "generated-requests-reporter-token"
OFFICE_TOKEN = "generated-requests-office-token"


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
                photos_per_reporter="100000/hour",
                messages_per_reporter="100000/hour",
                sign_ins_per_ip="100000/hour",
            )
        )
        yield app
        app.state.engine.dispose()


@pytest.fixture(scope="module")
def existing(api: Any) -> dict[str, dict[str, str]]:
    """A person and an office, each with reports, and matches between them (one suggested, one
    agreed, with messages): generated requests that name a valid id reach real rows, not only
    404s, as either kind of caller. Per token: the ids its requests use."""
    with api.state.sessions() as session:
        person = Reporter(name="Ada", email="ada@example.org")
        office = Reporter(name="Desk", email="desk@example.org", role=ReporterRole.OFFICE)
        session.add_all([person, office])
        session.flush()
        for reporter, token in ((person, TOKEN), (office, OFFICE_TOKEN)):
            session.add(
                Credential(
                    reporter_id=reporter.id,
                    kind=CredentialKind.TOKEN,
                    secret_hash=hash_secret(token),
                    expires_at=datetime.now(UTC) + timedelta(days=1),
                )
            )
        lost = Item(**_item("lost"), reporter_id=person.id)
        found = Item(**_item("found"), reporter_id=person.id)
        desk_found = Item(**_item("found"), reporter_id=office.id)
        session.add_all([lost, found, desk_found])
        session.flush()
        suggested = Match(lost_item_id=lost.id, found_item_id=found.id, score=0.9)
        agreed = Match(lost_item_id=lost.id, found_item_id=desk_found.id, score=0.95)
        session.add_all([suggested, agreed])
        session.flush()
        agreed.confirm_as_owner()
        agreed.give_proof(f"{SECRET} and more", set())
        assert agreed.agreed
        session.add(MatchMessage(match_id=agreed.id, sender_side="found", body="Hello"))
        session.commit()
        return {
            TOKEN: {"item_id": str(lost.id), "match_id": str(suggested.id)},
            OFFICE_TOKEN: {"item_id": str(desk_found.id), "match_id": str(agreed.id)},
        }


SECRET = "initials AV embossed inside, a Rabobank card"


def _item(kind: str) -> dict[str, Any]:
    from backend.api.app.schemas import ItemCreate

    return ItemCreate.model_validate(item_body(kind=kind, private_details=SECRET)).model_dump()


_turn = itertools.count()


def with_real_rows_and_a_token(case: Any, fixture: Callable[[str], Any]) -> dict[str, Any]:
    """Cases take turns as the person and as the office, with that caller's rows."""
    token = (TOKEN, OFFICE_TOKEN)[next(_turn) % 2]
    existing: dict[str, str] = fixture("existing")[token]
    if case.path == "/reporters/me/token":  # rotating or revoking: a token of its own
        token = _spare_token(fixture("api"), token)
    for name, value in list((case.path_parameters or {}).items()):
        if name in existing and _is_uuid(value):
            case.path_parameters[name] = existing[name]
    headers = dict(case.headers or {})
    # A case whose headers are the invalid part keeps them as generated: a token added to a
    # request generated without one would turn it into a valid request.
    if not _negative(case, ParameterLocation.HEADER):
        headers.setdefault("Authorization", f"Bearer {token}")
    return {"headers": headers}


def _spare_token(api: Any, of: str) -> str:
    """A new token of the reporter that holds `of`."""
    with api.state.sessions() as session:
        holder = session.scalars(
            select(Credential.reporter_id).where(Credential.secret_hash == hash_secret(of))
        ).one()
        credential, token = Credential.issue(holder, CredentialKind.TOKEN, timedelta(days=1))
        session.add(credential)
        session.commit()
    return token


def _negative(case: Any, location: ParameterLocation) -> bool:
    component = case.meta.components.get(location) if case.meta else None
    return component is not None and component.mode == GenerationMode.NEGATIVE


api_schema, test_no_5xx_and_every_answer_is_documented, test_enough_generated_requests_ran = (
    generated_request_tests(
        "api",
        examples=EXAMPLES,
        operations=43,
        prepare=with_real_rows_and_a_token,
        unstatable={
            "PUT /items/{item_id}/photo": "the file is an image (a schema says only: bytes)",
            "POST /batches": "the files are a CSV or JSON lines of reports and a ZIP of photos",
        },
    )
)


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
