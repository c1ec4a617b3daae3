"""Roles × routes: each kind of caller is let through exactly the routes the table gives it.

A request that the table forbids must be refused with 401 or 403 before its body is even
looked at; one it allows must get past authentication (any other answer: 2xx, 404, 409, 422).
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from .access import ACCESS, EVERYONE
from .conftest import People

PATH_PARAMETER = re.compile(r"\{[^}]+\}")
NO_SUCH_ID = "999999"
"""Path parameters name nothing that exists, so a request let through changes nothing (an
operator rotating the fixture merchant's key would lock the merchant out of the next rows)."""
REFUSED = {401, 403}


def app_routes(client: TestClient) -> set[tuple[str, str]]:
    paths = client.get("/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, item in paths.items() for method in item}


def test_every_route_is_in_the_table(client: TestClient) -> None:
    routes = app_routes(client)
    assert routes - ACCESS.keys() == set(), "routes nobody decided access for"
    assert ACCESS.keys() - routes == set(), "table rows for routes that do not exist"


def test_each_caller_reaches_exactly_its_routes(client: TestClient, people: People) -> None:
    wrong: list[str] = []
    for (method, template), allowed in sorted(ACCESS.items()):
        path = PATH_PARAMETER.sub(NO_SUCH_ID, template)
        for name in sorted(EVERYONE):
            response = client.request(method, path, headers=people.headers[name])
            refused = response.status_code in REFUSED
            if refused == (name in allowed):
                verdict = "refused" if refused else f"let through ({response.status_code})"
                wrong.append(f"{method} {template} as {name}: {verdict}")
            if refused:
                assert response.json()["code"] in {
                    "not_authenticated",
                    "invalid_token",
                    "forbidden",
                    "invalid_api_key",
                }
    assert wrong == []


def test_a_revoked_key_and_a_foreign_token_are_refused_everywhere(
    client: TestClient, people: People
) -> None:
    forged = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.invalid"}
    for (method, template), allowed in ACCESS.items():
        if allowed == EVERYONE:
            continue
        response = client.request(method, PATH_PARAMETER.sub(NO_SUCH_ID, template), headers=forged)
        assert response.status_code == 401, (method, template)


@pytest.mark.parametrize("name", ["olga", "aldo"])
def test_staff_cannot_act_as_an_owner(client: TestClient, people: People, name: str) -> None:
    response = client.get("/api/v1/wallet", headers=people.headers[name])
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
