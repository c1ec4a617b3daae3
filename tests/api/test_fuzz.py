"""The API fuzzed from its own OpenAPI document with schemathesis.

Every operation gets a bounded number of generated requests, valid and invalid, sent as a
caller the route admits (see `access.py`), so the fuzzer reaches the services instead of
bouncing off authentication, and judged by every check schemathesis has (`--checks all`): no
5xx; every answer matches the document (status, content type, headers, schema); a request the
schema admits is accepted or refused only for the state of things (401, 403, 404, 409, 429), and
one it refuses is refused; `OPTIONS` names every method of the path. Every error must also be
problem+json with a code. The fuzzer runs on
SQLite only, to keep `make test` short: the functional tests and the role matrix run on both
databases, and nothing in the API itself differs between them.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS as BUILT_IN_CHECKS
from schemathesis.checks import load_all_checks

from milestone.api.app import openapi_document
from milestone.api.problems import PROBLEM_MEDIA_TYPE

from .access import fuzz_principal
from .conftest import People
from .contract_hooks import positive_data_acceptance, positive_data_accepted

EXAMPLES_PER_OPERATION = 20


@schemathesis.check
def errors_are_problems(ctx: schemathesis.CheckContext, response: schemathesis.Response, case):
    """A 4xx or 5xx answer is RFC 7807 problem+json carrying a stable code."""
    if response.status_code < 400:
        return None
    media_type = response.headers.get("content-type", [""])[0]
    if media_type != PROBLEM_MEDIA_TYPE:
        raise AssertionError(f"error answered as {media_type!r}, not {PROBLEM_MEDIA_TYPE}")
    body = response.json()
    if not isinstance(body.get("code"), str) or body.get("status") != response.status_code:
        raise AssertionError(f"problem without a code or with a wrong status: {body}")
    return True


load_all_checks()
CHECKS = [check for check in BUILT_IN_CHECKS.get_all() if check is not positive_data_acceptance]
"""`--checks all`: every built-in check (positive data accepted, negative data refused, the
`Allow` header, missing headers, authentication not ignored, ...) and ours."""
assert positive_data_accepted in CHECKS and errors_are_problems in CHECKS


class CurrentApp:
    """An ASGI app that hands each request to the app of the running test."""

    def __init__(self) -> None:
        self.target: FastAPI | None = None

    async def __call__(self, scope, receive, send) -> None:
        assert self.target is not None, "no test app installed"
        await self.target(scope, receive, send)


CURRENT_APP = CurrentApp()
schema = schemathesis.openapi.from_dict(openapi_document())
schema.app = CURRENT_APP


@schema.parametrize()
@pytest.mark.parametrize("database_reset", ["sqlite"], indirect=True)
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_fuzzed(case, app: FastAPI, people: People) -> None:
    CURRENT_APP.target = app  # this test's app, over this test's database
    # Credentials of a caller the route admits, unless the fuzzer took them away on purpose
    # to see the request refused.
    negated = case.operation.schema.is_security_param_negated(case)
    headers = None if negated else people.headers[fuzz_principal(case.method, case.path)]
    case.call_and_validate(headers=headers, checks=CHECKS)
