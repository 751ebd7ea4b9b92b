"""GET /changes: the feed over HTTP, its cursor, long polling, and its problems."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from domain.ports import UnitOfWorkFactory
from tests.support.builders import item_body
from tests.support.feed import MARKER, pages_so_far


async def follow(client: httpx.AsyncClient, cursor: str | None = None, **params: float) -> dict[str, Any]:
    query: dict[str, str | float] = {**params, **({"cursor": cursor} if cursor else {})}
    response = await client.get("/changes", params=query)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_each_write_appears_once_with_the_item_as_it_left_it(client: httpx.AsyncClient) -> None:
    created = (await client.post("/items/", json=item_body(name="Teapot"))).json()
    item = f"/items/{created['id']}"
    patched = (await client.patch(item, json={"description": "Tall"})).json()
    assert (await client.patch(item, json={"description": "Tall"})).status_code == 200  # no-op
    assert (await client.put(item, json=item_body(name="x"), headers={"If-Match": '"9"'})).status_code == 412
    assert (await client.delete(item)).status_code == 204
    changes, cursor = await pages_so_far(client)
    assert [(c["kind"], c["version"], c["item"]) for c in changes] == [
        ("created", 1, created),
        ("updated", 2, patched),
        ("deleted", 3, None),
    ]
    assert [c["deduplication_id"] for c in changes] == [f"{created['id']}:{v}" for v in (1, 2, 3)]
    assert await follow(client, cursor) == {"changes": [], "next_cursor": cursor}


async def test_a_reader_pages_through_the_feed_by_cursor(client: httpx.AsyncClient) -> None:
    for name in "abcd":
        await client.post("/items/", json=item_body(name=name))
    await pages_so_far(client)
    names, cursor, pages = [], None, 0
    while (page := await follow(client, cursor, limit=2))["changes"]:
        names += [change["item"]["name"] for change in page["changes"]]
        cursor, pages = page["next_cursor"], pages + 1
    assert (names, pages) == ([*"abcd", MARKER], 3)


async def test_an_empty_feed_has_no_cursor_yet(client: httpx.AsyncClient) -> None:
    assert await follow(client) == {"changes": [], "next_cursor": None}
    assert (await client.get("/changes/head")).json() == {"cursor": None}


async def test_a_waiting_reader_gets_the_change_as_soon_as_it_is_kept(client: httpx.AsyncClient) -> None:
    async with asyncio.timeout(20):  # a hang guard, not a timing
        waiting = asyncio.create_task(follow(client, wait=15))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await client.post("/items/", json=item_body(name="awaited"))
        page = await waiting
    assert [change["item"]["name"] for change in page["changes"]] == ["awaited"]


async def test_a_wait_with_nothing_new_ends_empty(client: httpx.AsyncClient) -> None:
    _, cursor = await pages_so_far(client)
    async with asyncio.timeout(10):
        assert await follow(client, cursor, wait=0.3) == {"changes": [], "next_cursor": cursor}


async def test_a_reader_behind_pruned_changes_is_told_to_resync(
    client: httpx.AsyncClient, uow_factory: UnitOfWorkFactory
) -> None:
    _, old_cursor = await pages_so_far(client)
    await pages_so_far(client)
    async with uow_factory() as uow:
        await uow.changes.prune(datetime.now(UTC) + timedelta(hours=1))
        await uow.commit()
    for cursor in (None, old_cursor):
        response = await client.get("/changes", params={"cursor": cursor} if cursor else {})
        assert response.status_code == 410
        assert response.headers["content-type"] == "application/problem+json"
        assert "resync from GET /items/" in response.json()["detail"]
    head = (await client.get("/changes/head")).json()["cursor"]
    await client.post("/items/", json=item_body(name="after the resync"))
    changes, _ = await pages_so_far(client, head)
    assert [change["item"]["name"] for change in changes] == ["after the resync"]


async def test_bad_feed_input_is_a_problem(client: httpx.AsyncClient) -> None:
    await client.post("/items/", json=item_body(name="a"))
    await client.post("/items/", json=item_body(name="b"))
    listing_cursor = (await client.get("/items/", params={"limit": 1})).headers["Link"].split("cursor=")[1]
    listing_cursor = listing_cursor.split(">")[0]
    cases = {
        "not-a-cursor": 400,
        listing_cursor: 400,
    }
    for cursor, status in cases.items():
        response = await client.get("/changes", params={"cursor": cursor})
        assert response.status_code == status, cursor
        assert response.headers["content-type"] == "application/problem+json"
    for params in (
        {"limit": 0},
        {"limit": 1001},
        {"wait": -1},
        {"wait": 31},
        {"wait": "soon"},
        {"cursor": ""},
    ):
        response = await client.get("/changes", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"


async def test_the_feed_is_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert document["paths"]["/changes"]["get"]["operationId"] == "listChanges"
    assert document["paths"]["/changes/head"]["get"]["operationId"] == "getChangeFeedHead"
    assert {"ChangePage", "ChangeOut", "FeedHeadOut"} <= set(document["components"]["schemas"])
