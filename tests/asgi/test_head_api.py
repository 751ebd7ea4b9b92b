"""HEAD answers like GET, without the body (RFC 9110 9.3.2)."""

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from entrypoints.api.middleware.head import HeadAsGet
from tests.support.api import create


async def test_head_of_an_item_has_the_get_headers_and_no_body(client: httpx.AsyncClient) -> None:
    item = await create(client)
    url = f"/items/{item['id']}"
    got, head = await client.get(url), await client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    for header in ("etag", "content-length", "content-type"):
        assert head.headers[header] == got.headers[header]


async def test_head_of_a_missing_item_is_404(client: httpx.AsyncClient) -> None:
    response = await client.head("/items/424242")
    assert response.status_code == 404
    assert response.content == b""
    assert response.headers["content-type"] == "application/problem+json"


async def test_head_honours_if_none_match(client: httpx.AsyncClient) -> None:
    item = await create(client)
    response = await client.head(f"/items/{item['id']}", headers={"If-None-Match": f'"{item["id"]}.1"'})
    assert response.status_code == 304


@pytest.mark.parametrize("path", ["/items/", "/health/live", "/health/ready"])
async def test_head_works_wherever_get_does(client: httpx.AsyncClient, path: str) -> None:
    response = await client.head(path)
    assert response.status_code == 200
    assert response.content == b""


async def test_head_is_logged_as_head(client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="items.access")
    await client.head("/items/")
    assert [record.getMessage() for record in caplog.records if record.name == "items.access"] == [
        "HEAD /items/ 200"
    ]


async def test_head_leaves_the_server_s_scope_as_it_was() -> None:
    """The server reads the scope it passed (the method says whether a body follows the answer)."""
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["method"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope: Scope = {"type": "http", "method": "HEAD", "path": "/", "headers": []}
    await HeadAsGet(app)(scope, receive, send)
    assert seen == ["GET"]
    assert scope["method"] == "HEAD"
    assert sent[-1] == {"type": "http.response.body", "body": b""}
