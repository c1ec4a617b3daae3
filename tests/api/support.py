"""Helpers the API tests share."""

from __future__ import annotations

from typing import Any

from milestone.api.problems import PROBLEM_MEDIA_TYPE

PASSWORD = "correct horse battery"


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is a problem+json document with this status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["status"] == status
    assert body["type"] == f"urn:milestone:problem:{code}"
    return body
