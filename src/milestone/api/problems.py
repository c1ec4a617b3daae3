"""Every error the API answers is an RFC 7807 problem document with a stable `code`.

The services' refusals (`MilestoneError`, `RuleError`) keep their codes and messages; FastAPI's
own failures (validation, unknown route, wrong method) and anything unexpected get codes of
their own, so a client never has to parse a message or meet an HTML error page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import Scope

from milestone.errors import MilestoneError
from milestone.rules.errors import RuleError

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:milestone:problem:"
"""A problem's `type` is a URN naming its code: stable, and it promises no page to fetch."""

PROBLEM_SCHEMA_REF = "#/components/schemas/ProblemPublic"
RESERVED_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "code"})
HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "route_not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
}
RULE_ERROR_STATUS = 422

log = logging.getLogger(__name__)


class ProblemPublic(BaseModel):
    """An RFC 7807 problem document; `code` is the stable name clients match on."""

    type: str = Field(examples=["urn:milestone:problem:insufficient_balance"])
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    code: str = Field(examples=["insufficient_balance"])
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None
    """For `invalid_request`: where each problem of the request is and what it is."""

    model_config = {"extra": "allow"}


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, object] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": code.replace("_", " ").capitalize(),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance is not None:
        body["instance"] = instance
    for name, value in (extra or {}).items():
        if name not in RESERVED_MEMBERS:
            body[name] = json_safe(value)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def json_safe(value: object) -> Any:
    """`value` as JSON can carry it: bytes as 0x-hex, containers recursively, others as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item) for item in value]
    return str(value)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every exception the app can meet with problem+json."""
    app.add_exception_handler(MilestoneError, _milestone_error)
    app.add_exception_handler(RuleError, _rule_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(Exception, _unexpected)


async def _milestone_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, MilestoneError)
    headers = error.details.get("headers")
    headers = headers if isinstance(headers, dict) else None
    extra = {name: value for name, value in error.details.items() if name != "headers"}
    return problem_response(
        error.http_status, error.code, error.message,
        instance=request.url.path, headers=headers, extra=extra,
    )


async def _rule_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RuleError)
    return problem_response(RULE_ERROR_STATUS, error.code, error.message, instance=request.url.path)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"loc": [str(part) for part in item.get("loc", ())], "msg": str(item.get("msg", "")),
         "type": str(item.get("type", ""))}
        for item in error.errors()
    ]
    where = "; ".join(f"{'.'.join(item['loc'])}: {item['msg']}" for item in errors[:3])
    return problem_response(
        422, "invalid_request", f"the request is not valid: {where}",
        instance=request.url.path, extra={"errors": errors},
    )


async def _http_exception(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    headers = error.headers
    if error.status_code == 405:
        # FastAPI makes one route per method, and Starlette's 405 names the methods of the
        # first route whose path matched; the path's methods are those of all its routes.
        allow = ", ".join(allowed_methods(request))
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": allow})
        headers = {**(headers or {}), "Allow": allow}
    code = HTTP_CODES.get(error.status_code, "http_error")
    detail = error.detail if isinstance(error.detail, str) else code.replace("_", " ")
    return problem_response(
        error.status_code, code, detail, instance=request.url.path, headers=headers
    )


ROUTED_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")
STATIC_METHODS = ["GET", "HEAD"]
"""What the web app's files (a `StaticFiles` mount) answer."""


def api_methods(app: Any, scope: Scope) -> list[str]:
    """The methods the API's routes (not the web app's files) answer on the scope's path."""
    routes = [route for route in app.router.routes if not isinstance(route, Mount)]
    return [
        method for method in ROUTED_METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    ]


def allowed_methods(request: Request) -> list[str]:
    """Every method some route fully answers on the request's path, and OPTIONS.

    The web app is mounted at `/`, so it matches every path with every method; it serves a
    path only where no API route does, and then with GET and HEAD alone (as `milestone serve`
    runs, `OPTIONS /api/v1/...` otherwise named all six methods).
    """
    methods = api_methods(request.app, request.scope)
    if not methods and any(
        isinstance(route, Mount) and route.matches(request.scope)[0] is Match.FULL
        for route in request.app.router.routes
    ):
        methods = STATIC_METHODS
    return [*methods, "OPTIONS"]


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return problem_response(
        500, "internal_error", "the server failed to answer; the failure was logged",
        instance=request.url.path,
    )


def problem_responses(*statuses: int | str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries saying these statuses answer with problem+json."""
    return {
        status: {
            "description": HTTP_CODES.get(status, "refused").replace("_", " ").capitalize()
            if isinstance(status, int) else "Refused: the `code` says why",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
        }
        for status in statuses
    }


COMMON_RESPONSES = problem_responses("4XX", 422)
"""On every route: any refusal is a problem; 422 replaces FastAPI's own validation schema."""
