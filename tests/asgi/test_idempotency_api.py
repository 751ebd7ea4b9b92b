"""Idempotency-Key on POST (draft-ietf-httpapi-idempotency-key-header) over every backend."""

import asyncio

import httpx
import pytest

from tests.support.api import assert_problem
from tests.support.asgi import ClientFactory
from tests.support.builders import item_body

KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"


async def listed(client: httpx.AsyncClient) -> list[int]:
    return [item["id"] for item in (await client.get("/items/?limit=100")).json()]


async def test_a_retry_gets_the_first_answer_and_creates_nothing(client: httpx.AsyncClient) -> None:
    body = item_body(name="once", description="only")
    first = await client.post("/items/", json=body, headers={"Idempotency-Key": KEY})
    await client.patch(f"/items/{first.json()['id']}", json={"name": "changed since"})
    retry = await client.post("/items/", json=body, headers={"Idempotency-Key": KEY})
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert retry.headers["location"] == first.headers["location"]
    assert "idempotent-replayed" not in first.headers
    assert retry.headers["idempotent-replayed"] == "true"
    assert await listed(client) == [first.json()["id"]]


async def test_the_quoted_form_of_the_draft_is_the_same_key(client: httpx.AsyncClient) -> None:
    first = await client.post("/items/", json=item_body(name="a"), headers={"Idempotency-Key": KEY})
    retry = await client.post("/items/", json=item_body(name="a"), headers={"Idempotency-Key": f'"{KEY}"'})
    assert retry.json() == first.json()


async def test_the_same_key_with_another_body_is_422(client: httpx.AsyncClient) -> None:
    await client.post("/items/", json=item_body(name="a"), headers={"Idempotency-Key": KEY})
    response = await client.post("/items/", json=item_body(name="b"), headers={"Idempotency-Key": KEY})
    assert "Idempotency-Key" in assert_problem(response, 422)["detail"]
    assert len(await listed(client)) == 1


async def test_without_a_key_every_post_creates(client: httpx.AsyncClient) -> None:
    for _ in range(2):
        await client.post("/items/", json=item_body(name="a"))
    assert len(await listed(client)) == 2


async def test_an_expired_key_creates_again(client_with: ClientFactory) -> None:
    async with client_with(idempotency_ttl=0.05) as client:
        first = await client.post("/items/", json=item_body(name="a"), headers={"Idempotency-Key": KEY})
        await asyncio.sleep(0.1)
        second = await client.post("/items/", json=item_body(name="a"), headers={"Idempotency-Key": KEY})
        assert second.json()["id"] != first.json()["id"]


@pytest.mark.parametrize("key", ["", "with space", "x" * 256, "naïve"])
async def test_a_malformed_key_is_422(client: httpx.AsyncClient, key: str) -> None:
    response = await client.post(
        "/items/", json=item_body(name="a"), headers={b"Idempotency-Key": key.encode()}
    )
    assert_problem(response, 422)
    assert await listed(client) == []


async def test_many_concurrent_retries_create_exactly_one_item(client: httpx.AsyncClient) -> None:
    body = item_body(name="raced")
    responses = await asyncio.gather(
        *(client.post("/items/", json=body, headers={"Idempotency-Key": KEY}) for _ in range(20))
    )
    # Each retry is answered with the one item, or told the first is still in flight.
    assert {response.status_code for response in responses} <= {201, 409}
    created = {response.json()["id"] for response in responses if response.status_code == 201}
    assert len(created) == 1
    assert await listed(client) == list(created)
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409)
            assert "retry-after" in response.headers
