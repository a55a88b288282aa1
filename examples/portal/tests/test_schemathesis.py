"""Property-based API tests generated from the portal's own OpenAPI schema (schemathesis).

Every operation of the JSON API and of Open311 is called with generated valid and invalid input, as the public
and as an admin: no answer may be a server error, and every status code, content type and JSON body must be
the ones the schema documents. Bounded to a few derandomized examples per operation so the file runs in
seconds. (schemathesis' pytest plugin does not run on pytest 9, so the operations are driven directly.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lapor_core.testing import FrozenClock
from lapor_portal import PortalSettings, create_app, portal_of
from portal_helpers import ADMIN, OPEN311_KEY, PEPPER, START, TOKENS, submission

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 8


@pytest.fixture
def api_schema() -> Any:
    portal_settings = PortalSettings(api_tokens=TOKENS, open311_api_keys={OPEN311_KEY}, sweep_seconds=None)
    app = create_app("memory://", pepper=PEPPER, clock=FrozenClock(START), settings=portal_settings)
    desk = portal_of(app).desk
    for number in range(3):
        tid = desk.submit(submission(title=f"Contoh {number}", category="waste")).tracking_id
        if number:
            desk.forward(ADMIN, tid, institution="31.71")
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _exercise(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any) -> None:
        case.call_and_validate(checks=CHECKS, headers=headers)

    call()


@pytest.mark.parametrize("mode", list(GenerationMode))
@pytest.mark.parametrize("caller", ["public", "admin"])
def test_every_operation_honours_the_schema(api_schema: Any, mode: GenerationMode, caller: str) -> None:
    """Generated calls to all 24 operations: no 5xx, and only documented statuses, media types and bodies."""
    headers = {"Authorization": "Bearer t-admin"} if caller == "admin" else {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 24
    for operation in operations:
        takes_input = any(True for _ in operation.iter_parameters()) or bool(operation.body)
        if mode is GenerationMode.NEGATIVE and not takes_input:
            continue  # nothing to get wrong: there is no invalid call to make
        _exercise(operation, mode, headers)
