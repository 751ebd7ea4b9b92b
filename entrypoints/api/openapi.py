"""The OpenAPI document, adjusted once when first asked for: what FastAPI cannot say by itself."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from entrypoints.api.methods import READ_METHODS
from entrypoints.api.problems import PROBLEM_CONTENT, PROBLEM_JSON

BEARER_SCHEME = "bearerAuth"
_PROBLEM = {"description": "Any other error, such as 405 or 500", "content": PROBLEM_CONTENT}
_UNAUTHORIZED = {
    "description": "Unauthorized: no valid bearer key",
    "content": PROBLEM_CONTENT,
    "headers": {"WWW-Authenticate": {"description": "the Bearer challenge", "schema": {"type": "string"}}},
}


def install_openapi(app: FastAPI, *, bearer: bool, bearer_for_reads: bool) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            _optional_parameters_are_absent_not_null(spec)
            _errors_are_problem_documents(spec)
            _descending_sorts_are_named(spec)
            if bearer:
                _require_bearer(spec, for_reads=bearer_for_reads)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _operations(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(method, operation) for path in spec["paths"].values() for method, operation in path.items()]


def _optional_parameters_are_absent_not_null(spec: dict[str, Any]) -> None:
    """An optional query or header parameter is left out, never sent as null: say just its type."""
    for _method, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            variants = [variant for variant in schema.get("anyOf", []) if variant != {"type": "null"}]
            if len(variants) == 1 and len(schema["anyOf"]) == 2:
                del schema["anyOf"]
                schema.update(variants[0])


def _descending_sorts_are_named(spec: dict[str, Any]) -> None:
    """A descending sort token ("-name") is no identifier, so a client generator would call it
    VALUE_1: x-enum-varnames (read by openapi-python-client and openapi-generator) names each."""
    for _method, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            values = parameter["schema"].get("enum", [])
            if any(isinstance(value, str) and value.startswith("-") for value in values):
                parameter["schema"]["x-enum-varnames"] = [_member_name(value) for value in values]


def _member_name(token: str) -> str:
    field = token.removeprefix("-").upper()
    return f"{field}_DESC" if token.startswith("-") else field


def _errors_are_problem_documents(spec: dict[str, Any]) -> None:
    """Errors are only ever problem+json (FastAPI also lists application/json for a response model),
    and any status not listed, such as 405 or 500, is a problem document too."""
    for _method, operation in _operations(spec):
        responses = operation["responses"]
        for status, response in responses.items():
            if status.startswith(("4", "5")) and PROBLEM_JSON in response.get("content", {}):
                response["content"].pop("application/json", None)
        responses["default"] = _PROBLEM


def _require_bearer(spec: dict[str, Any], *, for_reads: bool) -> None:
    components = spec.setdefault("components", {})
    components.setdefault("securitySchemes", {})[BEARER_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "description": "one of the keys in the API_KEYS setting",
    }
    for method, operation in _operations(spec):
        if for_reads or method.upper() not in READ_METHODS:
            operation["security"] = [{BEARER_SCHEME: []}]
            operation["responses"]["401"] = _UNAUTHORIZED
