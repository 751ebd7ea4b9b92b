"""Every error leaves as an RFC 9457 problem document; each domain error maps to one status here."""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from domain.errors import (
    BatchTooLarge,
    DomainError,
    FeedPositionPruned,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    InvalidCursor,
    InvalidInput,
    ItemNotFound,
    PreconditionFailed,
    StorageUnavailable,
)
from entrypoints.api.etags import etag_for
from entrypoints.api.methods import ROUTED_METHODS
from entrypoints.api.schemas import Problem
from entrypoints.observability.logs import request_id

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# How an OpenAPI response says it is a problem document.
PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
RETRY_AFTER_SECONDS = 2
# The header of every answer that says "try again later" (503, and 409 for a key in flight).
RETRY_LATER = {"Retry-After": str(RETRY_AFTER_SECONDS)}

# Domain error -> status (the most specific class listed wins).
# The detail of a 404 stays "Item not found": the tutorial's clients read it.
STATUS_OF: dict[type[DomainError], int] = {
    ItemNotFound: 404,
    InvalidInput: 422,
    BatchTooLarge: 413,
    InvalidCursor: 400,
    PreconditionFailed: 412,
    IdempotencyKeyReused: 422,
    IdempotencyKeyInFlight: 409,
    StorageUnavailable: 503,
    FeedPositionPruned: 410,
}


def problem(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problems a route may answer with."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": PROBLEM_CONTENT,
        }
        for status in statuses
    }


def _detail_of(error: DomainError) -> str:
    if isinstance(error, ItemNotFound):
        return "Item not found"
    if isinstance(error, StorageUnavailable):
        return "The database is unavailable; retry shortly"
    return str(error)


def _headers_of(error: DomainError) -> dict[str, str] | None:
    if isinstance(error, PreconditionFailed):
        return {"ETag": etag_for(error.item_id, error.current)}
    if isinstance(error, StorageUnavailable | IdempotencyKeyInFlight):
        return RETRY_LATER
    return None


async def _domain_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    status = next(STATUS_OF[kind] for kind in type(error).__mro__ if kind in STATUS_OF)
    headers = _headers_of(error)
    errors = None
    if isinstance(error, InvalidInput):
        errors = [{"loc": [error.field], "msg": error.message, "type": "value_error"}]
    return problem(status, _detail_of(error), errors=errors, headers=headers)


async def _validation_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    # Only where and why: the offending input itself is not echoed back.
    errors = [
        {"loc": list(entry["loc"]), "msg": entry["msg"], "type": entry["type"]} for entry in error.errors()
    ]
    summary = "; ".join(f"{'.'.join(str(part) for part in entry['loc'])}: {entry['msg']}" for entry in errors)
    return problem(422, f"Invalid request: {summary}", errors=errors)


def _allowed_methods(request: Request) -> str:
    """Every method some route answers on this path, asked of the routes themselves by matching."""
    allowed = {
        method
        for method in ROUTED_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.routes
        )
    }
    if "GET" in allowed:
        allowed.add("HEAD")  # served as GET without the body (middleware/head.py)
    return ", ".join(sorted(allowed))


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    headers = dict(error.headers or {})
    if error.status_code == 404 and detail == "Not Found":
        detail = "No such resource"
    if error.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return problem(error.status_code, detail, headers=headers)


async def _unexpected_error(request: Request, error: Exception) -> Response:
    # Only the request id connects the answer to the log line that has the details.
    # The observability middleware set the id (and echoes it in X-Request-ID) before routing.
    rid = request_id.get()
    logger.exception(
        "unhandled error on %s %s (request id %s)", request.method, request.url.path, rid, exc_info=error
    )
    detail = f"An unexpected error occurred; quote request id {rid} when reporting it"
    return problem(500, detail)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
