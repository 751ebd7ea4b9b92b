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

from domain.errors import (
    DomainError,
    InvalidItem,
    InvalidQuery,
    ItemNotFound,
    StorageUnavailable,
    VersionConflict,
)
from entrypoints.api.schemas import Problem

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 2

# Domain error -> status. The detail of a 404 stays "Item not found": the tutorial's clients read it.
STATUS_OF: dict[type[DomainError], int] = {
    ItemNotFound: 404,
    InvalidItem: 422,
    InvalidQuery: 422,
    VersionConflict: 409,
    StorageUnavailable: 503,
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
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def _detail_of(error: DomainError) -> str:
    if isinstance(error, ItemNotFound):
        return "Item not found"
    if isinstance(error, StorageUnavailable):
        return "The database is unavailable; retry shortly"
    return str(error)


async def _domain_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    status = next(code for kind, code in STATUS_OF.items() if isinstance(error, kind))
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None
    errors = None
    if isinstance(error, InvalidItem | InvalidQuery):
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


async def _http_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    if error.status_code == 404 and detail == "Not Found":
        detail = "No such resource"
    return problem(error.status_code, detail, headers=error.headers)


async def _unexpected_error(request: Request, error: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(500, "An unexpected error occurred")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
