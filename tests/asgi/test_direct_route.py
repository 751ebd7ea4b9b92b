"""DirectRoute parses a request as FastAPI would: the same endpoints declared twice, once served by
DirectRoute and once by FastAPI's own APIRoute, give the same answer to every input below, good or
bad (status and validation errors, loc by loc). And a route it cannot serve is refused at start-up."""

from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Body, Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.routing import APIRoute

from entrypoints.api.direct_route import DirectRoute
from entrypoints.api.problems import install_problem_handlers
from entrypoints.api.schemas import ListParameters
from entrypoints.shapes import ItemIn

ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Key = Annotated[str | None, Header(min_length=1, max_length=8, pattern=r"^[!-~]+$")]


def _echo(**values: object) -> Response:
    return Response(repr(sorted(values.items())).encode(), 200)


def _router(route_class: type[APIRoute]) -> APIRouter:
    router = APIRouter(route_class=route_class)

    @router.get("/items/{item_id}")
    async def get_one(
        item_id: ItemId, request: Request, if_none_match: Annotated[str | None, Header()] = None
    ) -> Response:
        return _echo(item_id=item_id, if_none_match=if_none_match, path=request.url.path)

    @router.get("/items/")
    async def list_some(query: Annotated[ListParameters, Query()]) -> Response:
        return _echo(query=query)

    @router.post("/items/")
    async def create_one(body: ItemIn, idempotency_key: Key = None) -> Response:
        return _echo(body=body, key=idempotency_key)

    @router.post("/batch")
    async def create_many(body: Annotated[list[ItemIn], Body(min_length=1)]) -> Response:
        return _echo(body=body)

    @router.put("/items/{item_id}")
    async def replace_one(item_id: ItemId, body: ItemIn, key: Key = None) -> Response:
        return _echo(item_id=item_id, body=body, key=key)

    return router


def _app(route_class: type[APIRoute]) -> FastAPI:
    # The routes themselves, as app.py gives them: an included router is served by FastAPI's handler.
    app = FastAPI(routes=_router(route_class).routes)
    # The service's problem documents: they carry each error's loc, msg and type, not its input.
    install_problem_handlers(app)
    return app


DIRECT, FASTAPI = _app(DirectRoute), _app(APIRoute)

PATHS = ["1", "0", "-1", "abc", "1.5", "2147483648", "99999999999999999999999", "%20", "1e3", "+7", "٣"]
QUERIES = [
    "",
    "limit=0",
    "limit=abc",
    "limit=1&limit=2000",
    "limit=2000&limit=1",
    "skip=-1&limit=101",
    "sort=bogus",
    "sort=-name&q=tea",
    "q=",
    "q=%00",
    "cursor=",
    "id=1&id=x",
    "id=1&id=2",
    "id=1&limit=5",
    "id=",
    "&".join(f"id={n}" for n in range(1, 103)),
    "extra=1&limit=5",
    "limit=5&limit=",
]
HEADERS: list[dict[str, str]] = [
    {},
    {"idempotency-key": ""},
    {"idempotency-key": "k"},
    {"idempotency-key": "far too long"},
    {"idempotency-key": "a b"},
    {"if-none-match": '"x"'},
    {"key": "k1"},
]
BODIES = [
    b"",
    b"{",
    b"[",
    b"null",
    b'"text"',
    b"[]",
    b"{}",
    b'{"name": 1}',
    b'{"name": ""}',
    b'{"name": "Teapot"}',
    b'{"name": "Teapot", "extra": 1}',
    b'{"name": "Teapot", "description": null}',
    b'[{"name": "Teapot"}, {"name": ""}, {}]',
    b'[{"name": "Teapot"}]',
    b'{"name": "Tea\\ud800"}',
    b"NaN",
    b'{"name": "a"} trailing',
    b"1" * 5000,
    b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b"[" * 30000,
]


async def _both(method: str, url: str, **request: object) -> tuple[tuple[int, object], tuple[int, object]]:
    answers = []
    for app in (DIRECT, FASTAPI):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            answer = await client.request(method, url, **request)  # type: ignore[arg-type]
            is_json = answer.headers.get("content-type", "").endswith("json")
            answers.append((answer.status_code, answer.json() if is_json else answer.text))
    direct, fastapi = answers
    return direct, fastapi


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("headers", HEADERS[:1] + HEADERS[5:6])
async def test_path_and_headers_as_fastapi_parses_them(path: str, headers: dict[str, str]) -> None:
    direct, fastapi = await _both("GET", f"/items/{path}", headers=headers)
    assert direct == fastapi


@pytest.mark.parametrize("query", QUERIES)
async def test_a_query_model_as_fastapi_parses_it(query: str) -> None:
    direct, fastapi = await _both("GET", f"/items/?{query}")
    assert direct == fastapi


URLS = ["/items/", "/batch", "/items/7", "/items/x"]


async def _sent_to(url: str, body: bytes, headers: dict[str, str]) -> None:
    method = "PUT" if url.startswith("/items/") and url != "/items/" else "POST"
    sent = {"content": body, "headers": {"content-type": "application/json", **headers}}
    direct, fastapi = await _both(method, url, **sent)
    assert direct == fastapi


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("body", BODIES)
async def test_bodies_as_fastapi_parses_them(url: str, body: bytes) -> None:
    await _sent_to(url, body, {})


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("headers", HEADERS[1:])
@pytest.mark.parametrize("body", [b'{"name": "Teapot"}', b'[{"name": ""}]'])
async def test_headers_beside_a_body_as_fastapi_parses_them(
    url: str, headers: dict[str, str], body: bytes
) -> None:
    await _sent_to(url, body, headers)


def test_a_route_it_cannot_serve_is_refused_when_declared() -> None:
    router = APIRouter(route_class=DirectRoute)

    async def needs_a_dependency(value: Annotated[int, Depends(lambda: 1)]) -> Response:
        return Response()

    async def answers_a_model(item_id: ItemId) -> ItemIn:
        return ItemIn(name="Teapot")

    async def takes_a_scalar_query(limit: int = 5) -> Response:
        return Response()

    for endpoint in (needs_a_dependency, answers_a_model, takes_a_scalar_query):
        with pytest.raises(TypeError, match="DirectRoute"):
            router.add_api_route("/x/{item_id}", endpoint)


async def test_a_router_included_with_a_prefix_answers_at_its_prefixed_paths() -> None:
    app = FastAPI()
    app.include_router(_router(DirectRoute), prefix="/v2")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/v2/items/7")).status_code == 200
        assert (await client.get("/items/7")).status_code == 404
