"""The REST contract over every backend: the tutorial's clients, plus PUT and PATCH."""

from datetime import datetime, timedelta

import httpx
import pytest

from tests.support.api import assert_problem, create
from tests.support.builders import LEFT_OUT, SERVER_FIELDS, item_body

# The client's fields (every one the builder fills in) and the service's own, and nothing else.
ITEM_FIELDS = SERVER_FIELDS | item_body().keys()


async def test_create_answers_201_with_the_item_and_its_location(client: httpx.AsyncClient) -> None:
    body = item_body()
    response = await client.post("/items/", json=body)
    assert response.status_code == 201
    item = response.json()
    assert item.keys() == ITEM_FIELDS
    assert {field: item[field] for field in body} == body and item["version"] == 1
    assert response.headers["location"] == f"/items/{item['id']}"


async def test_description_defaults_to_empty(client: httpx.AsyncClient) -> None:
    response = await client.post("/items/", json=item_body(name="bare", description=LEFT_OUT))
    assert response.json()["description"] == ""


async def test_timestamps_are_timezone_aware_utc_iso_8601(client: httpx.AsyncClient) -> None:
    item = await create(client)
    for field in ("created_at", "updated_at"):
        moment = datetime.fromisoformat(item[field])
        assert moment.utcoffset() == timedelta(0)
    fetched = (await client.get(f"/items/{item['id']}")).json()
    assert fetched["created_at"] == item["created_at"]


async def test_get_returns_the_stored_item(client: httpx.AsyncClient) -> None:
    item = await create(client)
    response = await client.get(f"/items/{item['id']}")
    assert response.status_code == 200
    assert response.json() == item


async def test_get_of_a_missing_item_is_404_item_not_found(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/items/424242"), 404)
    assert body["detail"] == "Item not found"


async def test_list_pages_in_creation_order(client: httpx.AsyncClient) -> None:
    items = [await create(client, name=f"item {n}") for n in range(12)]
    first = (await client.get("/items/")).json()
    assert [i["id"] for i in first] == [i["id"] for i in items[:10]]
    rest = (await client.get("/items/?skip=10&limit=10")).json()
    assert [i["id"] for i in rest] == [i["id"] for i in items[10:]]


@pytest.mark.parametrize("path", ["/items", "/items/"])
async def test_collection_answers_with_and_without_trailing_slash(
    client: httpx.AsyncClient, path: str
) -> None:
    created = await client.post(path, json=item_body(name="slash"))
    assert created.status_code == 201
    listed = await client.get(path)
    assert listed.status_code == 200
    assert listed.json() == [created.json()]


async def test_delete_answers_204_then_404(client: httpx.AsyncClient) -> None:
    item = await create(client)
    deleted = await client.delete(f"/items/{item['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert assert_problem(await client.get(f"/items/{item['id']}"), 404)["detail"] == "Item not found"
    assert assert_problem(await client.delete(f"/items/{item['id']}"), 404)["detail"] == "Item not found"


async def test_put_replaces_every_field(client: httpx.AsyncClient) -> None:
    item = await create(client, name="old", description="old description")
    response = await client.put(f"/items/{item['id']}", json=item_body(name="new", description=LEFT_OUT))
    assert response.status_code == 200
    replaced = response.json()
    assert (replaced["name"], replaced["description"], replaced["version"]) == ("new", "", 2)
    assert replaced["created_at"] == item["created_at"]
    assert replaced["updated_at"] >= item["updated_at"]


async def test_patch_changes_only_the_given_fields(client: httpx.AsyncClient) -> None:
    item = await create(client, name="old", description="kept")
    response = await client.patch(f"/items/{item['id']}", json={"name": "new"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["description"]) == ("new", "kept")


async def test_patch_with_null_description_clears_it(client: httpx.AsyncClient) -> None:
    item = await create(client, name="a", description="to clear")
    response = await client.patch(f"/items/{item['id']}", json={"description": None})
    assert response.json()["description"] == ""


async def test_empty_patch_changes_nothing(client: httpx.AsyncClient) -> None:
    item = await create(client)
    response = await client.patch(f"/items/{item['id']}", json={})
    assert response.status_code == 200
    assert response.json() == item


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_changing_a_missing_item_is_404(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/items/999", json=item_body(name="x"))
    assert assert_problem(response, 404)["detail"] == "Item not found"
