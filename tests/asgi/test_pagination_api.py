"""Listing over HTTP: Link headers with signed cursors, sort and q, and offset paging as before."""

import re

import httpx
import pytest

from domain.listing import SORT_TOKENS
from tests.support.api import NEXT, assert_problem, create, follow
from tests.support.asgi import ClientFactory
from tests.support.builders import UNKNOWN_FIELD


async def test_following_next_links_visits_every_item_once(client: httpx.AsyncClient) -> None:
    created = [await create(client, name=f"item {n}") for n in range(7)]
    items, pages = await follow(client, "/items/?limit=3")
    assert [item["id"] for item in items] == [item["id"] for item in created]
    assert pages == 3


@pytest.mark.parametrize("sort", SORT_TOKENS)
async def test_every_sort_order_pages_by_cursor(client: httpx.AsyncClient, sort: str) -> None:
    """Each sort field's values go into a cursor and come back out (the codec follows domain.listing)."""
    created = [await create(client, name=name) for name in ("b", "a", "c")]
    items, pages = await follow(client, f"/items/?limit=1&sort={sort}")
    assert sorted(item["id"] for item in items) == sorted(item["id"] for item in created)
    assert pages == 3


async def test_the_last_page_has_no_next_link(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.get("/items/?limit=1")
    assert "link" not in response.headers
    assert len(response.json()) == 1


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("name", ["apple", "Banana", "cherry"]), ("-name", ["cherry", "Banana", "apple"])],
)
async def test_sorting_by_name_ignores_case(
    client: httpx.AsyncClient, sort: str, expected: list[str]
) -> None:
    for name in ("cherry", "apple", "Banana"):
        await create(client, name=name)
    items, _ = await follow(client, f"/items/?limit=1&sort={sort}")
    assert [item["name"] for item in items] == expected


async def test_newest_first_is_sort_minus_created_at(client: httpx.AsyncClient) -> None:
    created = [await create(client, name=f"item {n}") for n in range(4)]
    items, _ = await follow(client, "/items/?limit=3&sort=-created_at")
    assert [item["id"] for item in items] == [item["id"] for item in reversed(created)]


async def test_q_filters_by_name_ignoring_case_across_pages(client: httpx.AsyncClient) -> None:
    for name in ("Teapot", "TEACUP", "kettle", "steam", "50% off"):
        await create(client, name=name)
    items, _ = await follow(client, "/items/?limit=1&sort=name&q=tea")
    assert [item["name"] for item in items] == ["steam", "TEACUP", "Teapot"]
    only, _ = await follow(client, "/items/?q=%25")
    assert [item["name"] for item in only] == ["50% off"]


async def test_offset_paging_still_works_and_links_onward_by_cursor(client: httpx.AsyncClient) -> None:
    created = [await create(client, name=f"item {n}") for n in range(5)]
    response = await client.get("/items/?skip=1&limit=2")
    assert [item["id"] for item in response.json()] == [item["id"] for item in created[1:3]]
    rest, _ = await follow(client, NEXT.match(response.headers["link"]).group(1))  # type: ignore[union-attr]
    assert [item["id"] for item in rest] == [item["id"] for item in created[3:]]


async def next_cursor(client: httpx.AsyncClient, query: str = "limit=1") -> str:
    await create(client, name="a")
    await create(client, name="b")
    link = (await client.get(f"/items/?{query}")).headers["link"]
    cursor = re.search(r"cursor=([^&>]+)", link)
    assert cursor is not None
    return cursor.group(1)


@pytest.mark.parametrize("cursor", ["garbage", "a.b", ".", "eyJ4Ijox.AAAA", "%00", "x" * 1000])
async def test_a_garbage_cursor_is_400(client: httpx.AsyncClient, cursor: str) -> None:
    problem = assert_problem(await client.get("/items/", params={"cursor": cursor}), 400)
    assert problem["errors"][0]["loc"] == ["cursor"]


async def test_a_tampered_cursor_is_400(client: httpx.AsyncClient) -> None:
    cursor = await next_cursor(client)
    payload, tag = cursor.split(".")
    forged = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    assert_problem(await client.get("/items/", params={"cursor": f"{forged}.{tag}"}), 400)


@pytest.mark.parametrize("other", ["sort=name", "q=a", "sort=-id"])
async def test_a_cursor_used_with_another_sort_or_search_is_400(
    client: httpx.AsyncClient, other: str
) -> None:
    cursor = await next_cursor(client)
    problem = assert_problem(await client.get(f"/items/?cursor={cursor}&{other}"), 400)
    assert "sort and q" in problem["detail"]


async def test_a_cursor_and_skip_together_are_422(client: httpx.AsyncClient) -> None:
    cursor = await next_cursor(client)
    assert_problem(await client.get(f"/items/?cursor={cursor}&skip=1"), 422)


async def test_cursors_from_another_secret_are_400(client_with: ClientFactory) -> None:
    async with client_with(cursor_secret="one") as first:
        cursor = await next_cursor(first)
    async with client_with(cursor_secret="two") as second:
        assert_problem(await second.get(f"/items/?cursor={cursor}"), 400)


@pytest.mark.parametrize("query", [f"sort={UNKNOWN_FIELD}", "sort=", "q=", "q=" + "x" * 101])
async def test_bad_sort_or_search_is_422(client: httpx.AsyncClient, query: str) -> None:
    assert_problem(await client.get(f"/items/?{query}"), 422)
