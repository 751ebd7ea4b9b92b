"""ETags and conditional requests: If-None-Match on GET, If-Match on PUT, PATCH and DELETE."""

import asyncio
from typing import Any

import httpx
import pytest

from tests.support.api import assert_problem, create
from tests.support.builders import item_body

CHANGES = [("PUT", item_body(name="new")), ("PATCH", {"name": "new"}), ("DELETE", None)]


def etag(item_id: int, version: int) -> str:
    return f'"{item_id}.{version}"'


async def test_reads_and_writes_carry_a_strong_etag_of_id_and_version(client: httpx.AsyncClient) -> None:
    created = await client.post("/items/", json=item_body(name="a"))
    item_id = created.json()["id"]
    assert created.headers["etag"] == etag(item_id, 1)
    assert (await client.get(f"/items/{item_id}")).headers["etag"] == etag(item_id, 1)
    patched = await client.patch(f"/items/{item_id}", json={"name": "b"})
    assert patched.headers["etag"] == etag(item_id, 2)


async def get_if_none_match(client: httpx.AsyncClient, header: str) -> tuple[dict[str, Any], httpx.Response]:
    item = await create(client)
    url = f"/items/{item['id']}"
    return item, await client.get(url, headers={"If-None-Match": header.format(id=item["id"])})


@pytest.mark.parametrize("header", ['"{id}.1"', 'W/"{id}.1"', '"x", "{id}.1"', "*"])
async def test_get_with_a_matching_if_none_match_is_304(client: httpx.AsyncClient, header: str) -> None:
    item, response = await get_if_none_match(client, header)
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag(item["id"], 1)


async def test_get_after_a_change_is_200_again(client: httpx.AsyncClient) -> None:
    item = await create(client)
    await client.patch(f"/items/{item['id']}", json={"name": "changed"})
    response = await client.get(f"/items/{item['id']}", headers={"If-None-Match": etag(item["id"], 1)})
    assert response.status_code == 200


@pytest.mark.parametrize(("method", "body"), CHANGES)
async def test_a_change_with_the_current_etag_applies(
    client: httpx.AsyncClient, method: str, body: dict[str, str] | None
) -> None:
    item = await create(client)
    response = await client.request(
        method, f"/items/{item['id']}", json=body, headers={"If-Match": etag(item["id"], 1)}
    )
    assert response.status_code in (200, 204)


@pytest.mark.parametrize(("method", "body"), CHANGES)
@pytest.mark.parametrize("stale", ['"{id}.7"', 'W/"{id}.1"', '"999.1"', '"{id}.01"'])
async def test_a_change_with_a_stale_or_weak_etag_is_412_with_the_current_one(
    client: httpx.AsyncClient, method: str, body: dict[str, str] | None, stale: str
) -> None:
    item = await create(client)
    url = f"/items/{item['id']}"
    response = await client.request(method, url, json=body, headers={"If-Match": stale.format(id=item["id"])})
    assert_problem(response, 412)
    assert response.headers["etag"] == etag(item["id"], 1)
    assert (await client.get(url)).json() == item


@pytest.mark.parametrize(("method", "body"), CHANGES)
async def test_if_match_star_applies_to_an_existing_item(
    client: httpx.AsyncClient, method: str, body: dict[str, str] | None
) -> None:
    item = await create(client)
    response = await client.request(method, f"/items/{item['id']}", json=body, headers={"If-Match": "*"})
    assert response.status_code in (200, 204)


@pytest.mark.parametrize(("method", "body"), CHANGES)
async def test_a_conditional_change_of_a_missing_item_is_404(
    client: httpx.AsyncClient, method: str, body: dict[str, str] | None
) -> None:
    response = await client.request(method, "/items/999", json=body, headers={"If-Match": "*"})
    assert assert_problem(response, 404)["detail"] == "Item not found"


@pytest.mark.parametrize("header", ["", "1", "{id}.1", '"unterminated', "W/x"])
async def test_an_unreadable_if_match_matches_nothing_and_changes_nothing(
    client: httpx.AsyncClient, header: str
) -> None:
    item = await create(client)
    url = f"/items/{item['id']}"
    response = await client.put(
        url, json=item_body(name="x"), headers={"If-Match": header.format(id=item["id"])}
    )
    assert_problem(response, 412)
    assert (await client.get(url)).json() == item


@pytest.mark.parametrize("header", ["", "1", "{id}.1", "W/x"])
async def test_an_unreadable_if_none_match_is_ignored(client: httpx.AsyncClient, header: str) -> None:
    _item, response = await get_if_none_match(client, header)
    assert response.status_code == 200


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_of_two_concurrent_changes_with_one_if_match_exactly_one_wins(
    client: httpx.AsyncClient, method: str
) -> None:
    item = await create(client)
    url = f"/items/{item['id']}"
    headers = {"If-Match": etag(item["id"], 1)}
    responses = await asyncio.gather(
        *(client.request(method, url, json=item_body(name=f"writer {n}"), headers=headers) for n in range(2))
    )
    assert sorted(response.status_code for response in responses) == [200, 412]
    winner = next(response for response in responses if response.status_code == 200)
    assert (await client.get(url)).json() == winner.json()
    assert winner.json()["version"] == 2
