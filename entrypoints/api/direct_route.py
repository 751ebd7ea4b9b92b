"""The /items routes' request handling: each request's parameters parsed by a plan made once, when
the route is declared, instead of by FastAPI's per-request dependency solving.

FastAPI still reads the endpoint's signature, for the OpenAPI document and for the fields that
validate: each parameter is validated by the very field FastAPI built for it (`route.dependant`),
under the same `loc`, so every 422 is the one FastAPI would give. What a request no longer pays for
is the generic work around that (which kind each parameter is, its aliases, whether it repeats,
telemetry hooks, exit stacks for dependencies with `yield`).

Served this way: the Request, path and header parameters, a query model, one JSON body, and
endpoints that return a Response. A route declaring anything else is refused at start-up. The
routes are given to the app itself (app.py): a router included with `include_router` has FastAPI
serve its routes with its own handler, as any APIRoute's.
"""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import request_response

Errors = list[dict[str, Any]]


class _Field(Protocol):
    """What DirectRoute reads of the fields FastAPI builds for a route's parameters (FastAPI's
    `ModelField`, from a private module). tests/unit/test_private_names.py fails the day an upgrade
    changes it; tests/asgi/test_direct_route.py compares every answer with FastAPI's own routes'."""

    @property
    def name(self) -> str: ...

    @property
    def alias(self) -> str: ...

    @property
    def field_info(self) -> Any: ...

    def validate(
        self, value: Any, values: dict[str, Any] = ..., *, loc: tuple[int | str, ...] = ...
    ) -> Any: ...

    def get_default(self) -> Any: ...


def _missing(loc: tuple[int | str, ...]) -> dict[str, Any]:
    """A required value not sent, as FastAPI words it."""
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": None}


def _validated(
    field: _Field, value: Any, loc: tuple[int | str, ...], values: dict[str, Any], errors: Errors
) -> None:
    checked, field_errors = field.validate(value, {}, loc=loc)
    if field_errors:
        errors.extend(field_errors)
    else:
        values[field.name] = checked


_UNIONS = (typing.Union, type(int | None))


def _repeats(annotation: Any) -> bool:
    """A list-typed query field (`id=4&id=9`), optional or not."""
    kinds = typing.get_args(annotation) if typing.get_origin(annotation) in _UNIONS else ()
    return any(typing.get_origin(kind) in (list, tuple, set, frozenset) for kind in (annotation, *kinds))


Step = Callable[[Request, dict[str, Any], Errors], None]
BodyStep = Callable[[bytes, dict[str, Any], Errors], Any]


def _path_step(field: _Field) -> Step:
    loc = ("path", field.alias)

    def parse(request: Request, values: dict[str, Any], errors: Errors) -> None:
        _validated(field, request.path_params[field.alias], loc, values, errors)

    return parse


def _header_step(field: _Field) -> Step:
    header = field.alias  # the header's name: FastAPI has converted the underscores already
    loc = ("header", header)
    default = field.get_default()

    def parse(request: Request, values: dict[str, Any], errors: Errors) -> None:
        value = request.headers.get(header)
        if value is None:
            values[field.name] = default
        else:
            _validated(field, value, loc, values, errors)

    return parse


def _query_model_step(field: _Field, model: type[BaseModel]) -> Step:
    """The whole query validated in one step by its model (extra names too, for its extra policy)."""
    repeated = {
        model_field.alias or name
        for name, model_field in model.model_fields.items()
        if _repeats(model_field.annotation)
    }
    loc = ("query",)

    def parse(request: Request, values: dict[str, Any], errors: Errors) -> None:
        query = request.query_params
        given: dict[str, Any] = {}
        for name in query:
            # A name given twice that is no list takes its last value, as FastAPI reads it.
            given[name] = query.getlist(name) if name in repeated else query[name]
        _validated(field, given, loc, values, errors)

    return parse


def _json_body_step(field: _Field) -> BodyStep:
    loc = ("body",)
    required = field.field_info.is_required()

    def parse(body: bytes, values: dict[str, Any], errors: Errors) -> Any:
        # The body limits middleware has let through only JSON media types with a UTF-8 body.
        if not body:
            if required:
                errors.append(_missing(loc))
            else:
                values[field.name] = field.get_default()
            return None
        try:
            document = json.loads(body)
        except json.JSONDecodeError as error:
            invalid = {
                "type": "json_invalid",
                "loc": ("body", error.pos),
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": error.msg},
            }
            raise RequestValidationError([invalid], body=error.doc) from error
        except (ValueError, RecursionError) as error:
            # JSON that Python will not hold (an integer of over 4300 digits, nesting deeper than
            # the recursion limit): FastAPI's answer to a body it cannot parse.
            raise HTTPException(400, "There was an error parsing the body") from error
        _validated(field, document, loc, values, errors)
        return document

    return parse


class DirectRoute(APIRoute):
    """An APIRoute served by its plan (module docstring); declared as any other, via
    `APIRouter(route_class=DirectRoute)`."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        super().__init__(path, endpoint, **options)
        if typing.get_type_hints(endpoint).get("return") is not Response:
            raise TypeError(f"{endpoint.__name__}: a DirectRoute's endpoint returns a Response")
        self.app = request_response(self._serve_with(endpoint, *self._plan()))

    def _plan(self) -> tuple[str | None, list[Step], BodyStep | None]:
        dependant = self.dependant
        parsed = [
            *dependant.path_params,
            *dependant.query_params,
            *dependant.header_params,
            *dependant.body_params,
        ]
        declared = len(inspect.signature(self.endpoint).parameters)
        query_models = [_query_model(field) for field in dependant.query_params]
        if (
            dependant.dependencies
            or dependant.cookie_params
            or len(dependant.body_params) > 1
            or None in query_models
            or declared != len(parsed) + (dependant.request_param_name is not None)
        ):
            raise TypeError(
                f"{self.path}: a DirectRoute takes only the Request, path and header parameters, "
                "a query model and one body"
            )
        steps = [_path_step(field) for field in dependant.path_params]
        steps += [
            _query_model_step(field, model)
            for field, model in zip(dependant.query_params, query_models, strict=True)
            if model is not None
        ]
        steps += [_header_step(field) for field in dependant.header_params]
        body = _json_body_step(dependant.body_params[0]) if dependant.body_params else None
        return dependant.request_param_name, steps, body

    @staticmethod
    def _serve_with(
        endpoint: Callable[..., Awaitable[Response]],
        request_name: str | None,
        steps: Sequence[Step],
        body_step: BodyStep | None,
    ) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            values: dict[str, Any] = {}
            errors: Errors = []
            # FastAPI's order: path, query, header, then the body.
            for step in steps:
                step(request, values, errors)
            body = None if body_step is None else body_step(await request.body(), values, errors)
            if errors:
                raise RequestValidationError(errors, body=body)
            if request_name is not None:
                values[request_name] = request
            return await endpoint(**values)

        return serve


def _query_model(field: _Field) -> type[BaseModel] | None:
    annotation = field.field_info.annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
