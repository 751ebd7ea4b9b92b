"""Body size (413) and media type (415) limits, and 500s that reveal nothing but a request id."""

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.api import assert_problem
from tests.support.asgi import ClientFactory, app_of
from tests.support.builders import batch_body, item_body, item_json

LIMIT = 1024


def oversized() -> bytes:
    return item_json(name="x", description="d" * LIMIT)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
async def test_a_body_over_the_limit_is_413(client_with: ClientFactory, method: str) -> None:
    async with client_with(max_body_bytes=LIMIT) as client:
        url = "/items/" if method == "POST" else "/items/1"
        response = await client.request(
            method, url, content=oversized(), headers={"content-type": "application/json"}
        )
        assert_problem(response, 413)
        assert (await client.get("/items/")).json() == []


async def test_a_chunked_body_over_the_limit_is_413_before_it_is_read_whole(
    client_with: ClientFactory,
) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100):
            sent += 1
            yield b" " * 512

    async with client_with(max_body_bytes=LIMIT) as client:
        response = await client.post(
            "/items/", content=chunks(), headers={"content-type": "application/json"}
        )
        assert_problem(response, 413)
    assert "content-length" not in response.request.headers
    assert sent < 100


async def test_a_body_at_the_limit_is_accepted(client_with: ClientFactory) -> None:
    # A valid body padded to exactly the limit with its description.
    body = item_json(name="x", description="d" * (LIMIT - len(item_json(name="x", description=""))))
    assert len(body) == LIMIT
    async with client_with(max_body_bytes=LIMIT) as client:
        response = await client.post("/items/", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 201, response.text


async def test_a_batch_body_has_its_own_larger_limit(client_with: ClientFactory) -> None:
    """POST /items/batch takes a body that POST /items/ refuses, and refuses one over its own limit."""
    body = json.dumps(batch_body(3, description="d" * LIMIT)).encode()
    json_type = {"content-type": "application/json"}
    async with client_with(max_body_bytes=LIMIT, batch_max_body_bytes=len(body)) as client:
        assert_problem(await client.post("/items/", content=oversized(), headers=json_type), 413)
        assert (await client.post("/items/batch", content=body, headers=json_type)).status_code == 201
        refused = await client.post("/items/batch", content=body + b" ", headers=json_type)
        assert f"larger than {len(body)} bytes" in assert_problem(refused, 413)["detail"]
        assert len((await client.get("/items/")).json()) == 3


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
async def test_a_body_that_is_not_json_is_415(client: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    response = await client.post("/items/", content=item_json(name="a"), headers=headers)
    assert_problem(response, 415)
    assert response.headers["accept-post"] == "application/json"
    assert (await client.get("/items/")).json() == []


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/merge-patch+json"])
async def test_json_media_types_are_accepted(client: httpx.AsyncClient, content_type: str) -> None:
    created = await client.post("/items/", json=item_body(name="a"))
    response = await client.patch(
        f"/items/{created.json()['id']}", content=b'{"name": "b"}', headers={"content-type": content_type}
    )
    assert response.status_code == 200, response.text


async def test_an_unexpected_error_is_a_500_problem_with_a_request_id_and_no_internals(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_of(client)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    response = await client.get("/boom", headers={"X-Request-ID": "req-42"})
    problem = assert_problem(response, 500)
    assert "secret" not in response.text
    assert "req-42" in problem["detail"]
    assert response.headers["x-request-id"] == "req-42"
    assert any("req-42" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("raw", [b"\xff", b'{"name": "\xc3"}', b"\xed\xa0\x80"])
async def test_a_body_that_is_not_utf8_is_422(client: httpx.AsyncClient, raw: bytes) -> None:
    response = await client.post("/items/", content=raw, headers={"content-type": "application/json"})
    assert assert_problem(response, 422)["errors"][0]["loc"] == ["body"]
