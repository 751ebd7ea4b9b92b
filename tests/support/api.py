"""Talking to the REST API over any httpx client (in-process or a real server): items and problems."""

import re
from typing import Any

import httpx

from tests.support.builders import item_body


async def create(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """POST an item (item_body with `fields` changed); the created item."""
    response = await client.post("/items/", json=item_body(**fields))
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    assert "Traceback" not in response.text
    return body


NEXT = re.compile(r'^<([^>]+)>; rel="next"$')


async def follow(client: httpx.AsyncClient, url: str) -> tuple[list[dict[str, Any]], int]:
    """Every item reached by following rel="next" from `url`, and how many pages that took."""
    items: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    while next_url is not None:
        response = await client.get(next_url)
        assert response.status_code == 200, response.text
        items += response.json()
        pages += 1
        link = response.headers.get("link")
        next_url = None if link is None else NEXT.match(link).group(1)  # type: ignore[union-attr]
    return items, pages
