"""Generated requests (schemathesis) for every HTTP service's tests: the same checks and the
same bookkeeping everywhere, so "no 5xx and every answer documented" means one thing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

# What "every answer is documented" means: no 5xx, status, content type and body as
# documented, invalid input refused, and valid input not refused as invalid (a 4xx other than
# the caller's rights, a conflict with the current state or a rate limit).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

MIN_CASES = 500

# What schema-valid data may still be refused for, where the schema cannot say it: a file that
# is no decodable image (413 too many pixels, 415 not an image, 422 corrupt), a feature record
# whose base64 parts disagree. Each service names its operations with the reason.
CONTENT_REFUSALS = frozenset({413, 415, 422})


def _accepting(unstatable: Mapping[str, str]) -> Any:
    def valid_data_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
        if case.operation.label in unstatable and response.status_code in CONTENT_REFUSALS:
            return None
        return positive_data_acceptance(ctx, response, case)

    return valid_data_accepted


def generation(examples: int) -> Any:
    """Hypothesis settings: reproducible cases, no deadline (real models and databases)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


class CaseLog:
    """Counts the cases each operation ran, so a test can show the generation really ran."""

    def __init__(self, unstatable: Mapping[str, str]) -> None:
        self.calls: Counter[str] = Counter()
        self.checks = [*CHECKS, _accepting(unstatable)]

    def call_and_validate(self, case: Any, **kwargs: Any) -> Any:
        response = case.call_and_validate(checks=self.checks, **kwargs)
        self.calls[case.operation.label] += 1
        return response

    def assert_enough(self, operations: int) -> None:
        print(f"generated requests per operation: {dict(self.calls)}")
        assert len(self.calls) >= operations, sorted(self.calls)
        assert sum(self.calls.values()) >= MIN_CASES, dict(self.calls)


Prepare = Callable[[Any, Callable[[str], Any]], dict[str, Any]]


# Its name when pytest autoloads it (a plain pytest run), and when PYTEST_PLUGINS names it (Pants).
SCHEMATHESIS_PLUGIN_NAMES = ("schemathesis", "schemathesis.pytest.plugin")


def generated_request_tests(
    app_fixture: str,
    *,
    examples: int,
    operations: int,
    prepare: Prepare | None = None,
    unstatable: Mapping[str, str] | None = None,
) -> tuple[Any, Any, Any]:
    """The schema fixture and the two tests of a service's module, for its fixture
    `app_fixture` (a ready ASGI app). Assign them to module names:

        app_schema, test_generated, test_enough = generated_request_tests("app", ...)

    `prepare(case, fixture)` may adjust a case (ids of real rows, a token) and returns extra
    keyword arguments for the call; `fixture(name)` gives the module's fixtures. `unstatable`:
    operations whose schema-valid data may be refused for content (CONTENT_REFUSALS), and why.
    """
    schema_name = f"{app_fixture}_schema"

    @pytest.fixture(scope="module", name=schema_name)
    def schema_fixture(request: pytest.FixtureRequest) -> Any:
        plugins = request.config.pluginmanager
        assert any(plugins.has_plugin(name) for name in SCHEMATHESIS_PLUGIN_NAMES), (
            "schemathesis' pytest plugin is not loaded: pants.toml turns pytest's plugin autoload "
            "off; give this test PYTEST_PLUGINS_OF_GENERATED_REQUESTS (build-support/macros.py)"
        )
        return schemathesis.openapi.from_asgi("/openapi.json", request.getfixturevalue(app_fixture))

    cases = CaseLog(unstatable or {})

    @schemathesis.pytest.from_fixture(schema_name).parametrize()
    @generation(examples)
    def test_no_5xx_and_every_answer_is_documented(
        case: Any, request: pytest.FixtureRequest
    ) -> None:
        extra = prepare(case, request.getfixturevalue) if prepare else {}
        cases.call_and_validate(case, **extra)

    def test_enough_generated_requests_ran() -> None:
        # Runs after the generated test (pytest keeps file order): the cases really were made.
        cases.assert_enough(operations)

    return (
        schema_fixture,
        test_no_5xx_and_every_answer_is_documented,
        test_enough_generated_requests_ran,
    )
