"""Batches over every backend: POST /items/batch creates all or none; GET /items/?id=... gets many."""

from typing import Any

import httpx
import pytest

from application.get_items import GET_MANY_MAX
from domain.item import ITEM_ID_MAX
from tests.support.api import assert_problem, follow
from tests.support.asgi import ClientFactory
from tests.support.builders import UNKNOWN_FIELD, batch_body, item_body

KEY = "0b6f1c52-batch-4f43-9d0e-2a7e6c1d5b90"
# Where the bad item goes in a batch: well inside it, so neither end is special.
BAD_INDEX = 17


async def stored(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    items, _pages = await follow(client, "/items/?limit=100")
    return items


async def create_batch(client: httpx.AsyncClient, count: int) -> list[dict[str, Any]]:
    response = await client.post("/items/batch", json=batch_body(count))
    assert response.status_code == 201, response.text
    created: list[dict[str, Any]] = response.json()
    return created


def ids_query(*item_ids: int) -> str:
    return "/items/?" + "&".join(f"id={item_id}" for item_id in item_ids)


async def test_a_batch_is_created_in_the_order_sent(client: httpx.AsyncClient) -> None:
    body = batch_body(25)
    response = await client.post("/items/batch", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert [item["name"] for item in created] == [entry["name"] for entry in body]
    assert len({item["id"] for item in created}) == 25
    assert {item["version"] for item in created} == {1}
    assert created == await stored(client)


async def test_a_batch_answer_has_no_single_item_headers(client: httpx.AsyncClient) -> None:
    response = await client.post("/items/batch", json=batch_body(2))
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert {"etag", "location", "idempotent-replayed"}.isdisjoint(response.headers)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (item_body(name=""), "name"),
        (item_body(description=None), "description"),
        ({**item_body(), UNKNOWN_FIELD: 3}, UNKNOWN_FIELD),
    ],
)
async def test_one_bad_item_is_named_by_its_index_and_nothing_is_stored(
    client: httpx.AsyncClient, bad: dict[str, Any], field: str
) -> None:
    body = batch_body(30)
    body[BAD_INDEX] = bad
    problem = assert_problem(await client.post("/items/batch", json=body), 422)
    assert [error["loc"] for error in problem["errors"]] == [["body", BAD_INDEX, field]]
    assert await stored(client) == []


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_the_batch_resource_takes_only_post(client: httpx.AsyncClient, method: str) -> None:
    """/items/batch is not taken for an item's address whose id fails to parse (a 422)."""
    response = await client.request(method, "/items/batch", json=batch_body(1))
    assert_problem(response, 405)
    assert response.headers["allow"] == "POST"
    assert await stored(client) == []


@pytest.mark.parametrize("body", [[], item_body(), "Teapot", None])
async def test_a_body_that_is_no_array_of_items_is_422(client: httpx.AsyncClient, body: Any) -> None:
    problem = assert_problem(await client.post("/items/batch", json=body), 422)
    assert [error["loc"] for error in problem["errors"]] == [["body"]]
    assert await stored(client) == []


async def test_a_batch_over_the_bound_is_413_naming_it_and_stores_nothing(client_with: ClientFactory) -> None:
    async with client_with(batch_max_items=3) as client:
        problem = assert_problem(await client.post("/items/batch", json=batch_body(4)), 413)
        assert "at most 3 items" in problem["detail"]
        assert await stored(client) == []
        assert len(await create_batch(client, 3)) == 3


async def test_a_retry_under_its_key_gets_the_first_answer_and_creates_nothing(
    client: httpx.AsyncClient,
) -> None:
    body = batch_body(5)
    first = await client.post("/items/batch", json=body, headers={"Idempotency-Key": KEY})
    retry = await client.post("/items/batch", json=body, headers={"Idempotency-Key": f'"{KEY}"'})
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await stored(client) == first.json()


async def test_the_same_key_with_another_batch_is_422(client: httpx.AsyncClient) -> None:
    first = await client.post("/items/batch", json=batch_body(2), headers={"Idempotency-Key": KEY})
    response = await client.post("/items/batch", json=batch_body(3), headers={"Idempotency-Key": KEY})
    assert "Idempotency-Key" in assert_problem(response, 422)["detail"]
    assert await stored(client) == first.json()


async def test_a_key_used_by_a_single_create_is_another_request_for_a_batch(
    client: httpx.AsyncClient,
) -> None:
    """One item created alone and the same item in a batch of one differ in their answers' shape."""
    first = await client.post("/items/", json=item_body(), headers={"Idempotency-Key": KEY})
    response = await client.post("/items/batch", json=[item_body()], headers={"Idempotency-Key": KEY})
    assert_problem(response, 422)
    assert await stored(client) == [first.json()]


async def test_a_batch_get_answers_in_the_order_asked_each_once_and_names_the_missing(
    client: httpx.AsyncClient,
) -> None:
    first, _second, third = (item["id"] for item in await create_batch(client, 3))
    absent = third + 1000
    response = await client.get(ids_query(third, absent, first, third, ITEM_ID_MAX, absent))
    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [third, first]
    assert response.headers["missing-ids"] == f"{absent}, {ITEM_ID_MAX}"
    assert "link" not in response.headers


async def test_a_batch_get_answers_the_items_as_a_get_of_each_does(client: httpx.AsyncClient) -> None:
    created = await create_batch(client, 2)
    response = await client.get(ids_query(*(item["id"] for item in created)))
    assert response.json() == [(await client.get(f"/items/{item['id']}")).json() for item in created]
    assert "missing-ids" not in response.headers


async def test_a_batch_get_of_only_missing_ids_is_an_empty_array(client: httpx.AsyncClient) -> None:
    response = await client.get(ids_query(7, 9))
    assert (response.status_code, response.json(), response.headers["missing-ids"]) == (200, [], "7, 9")


@pytest.mark.parametrize("bad", ["0", "-1", str(ITEM_ID_MAX + 1), "x"])
async def test_each_id_is_checked_as_a_path_id_is(client: httpx.AsyncClient, bad: str) -> None:
    response = await client.get(f"/items/?id=1&id={bad}")
    assert [error["loc"] for error in assert_problem(response, 422)["errors"]] == [["query", "id", 1]]
    assert_problem(await client.get(f"/items/{bad}"), 422)


async def test_a_batch_get_holds_at_most_a_pages_worth_of_ids(client: httpx.AsyncClient) -> None:
    assert (await client.get(ids_query(*range(1, GET_MANY_MAX + 1)))).status_code == 200
    response = await client.get(ids_query(*range(1, GET_MANY_MAX + 2)))
    assert [error["loc"] for error in assert_problem(response, 422)["errors"]] == [["query", "id"]]


@pytest.mark.parametrize("paging", ["skip=1", "limit=5", "sort=-id", "q=tea", "cursor=abc"])
async def test_ids_with_a_paging_parameter_are_422_naming_it(client: httpx.AsyncClient, paging: str) -> None:
    problem = assert_problem(await client.get(f"/items/?id=1&{paging}"), 422)
    assert f"drop {paging.partition('=')[0]}" in problem["detail"]


async def test_ids_with_the_paging_defaults_spelt_out_are_a_batch_get(client: httpx.AsyncClient) -> None:
    """Generated clients send every parameter's default; that is no page asked for."""
    [item] = await create_batch(client, 1)
    response = await client.get(f"/items/?skip=0&limit=10&sort=id&id={item['id']}")
    assert (response.status_code, response.json()) == (200, [item])


async def test_head_of_a_batch_get_has_its_headers_and_no_body(client: httpx.AsyncClient) -> None:
    [item] = await create_batch(client, 1)
    url = ids_query(item["id"], 424242)
    got, head = await client.get(url), await client.head(url)
    assert (head.status_code, head.content) == (200, b"")
    for header in ("missing-ids", "content-length", "content-type"):
        assert head.headers[header] == got.headers[header]
