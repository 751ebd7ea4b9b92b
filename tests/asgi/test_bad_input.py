"""Hostile and careless input: always a clear 4xx problem, never a 500, nothing stored changes."""

from typing import Any

import httpx
import pytest

from tests.support.api import assert_problem, create
from tests.support.builders import LEFT_OUT, UNKNOWN_FIELD, item_body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (item_body(name=LEFT_OUT), "name"),
        (item_body(name=""), "name"),
        (item_body(name="x" * 101), "name"),
        (item_body(name="nul\u0000"), "name"),
        (item_body(name=42), "name"),
        (item_body(name=None), "name"),
        (item_body(name=["a"]), "name"),
        (item_body(description="d" * 10_001), "description"),
        (item_body(description=3.5), "description"),
        (item_body(description=None), "description"),
        ({**item_body(), UNKNOWN_FIELD: 3}, UNKNOWN_FIELD),
    ],
)
async def test_invalid_create_is_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(await client.post("/items/", json=body), 422)
    assert any(error["loc"][-1] == field for error in problem["errors"])
    assert (await client.get("/items/")).json() == []


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"[]", b'"a string"', b"null", b'{"name": "\\ud800"}', b'{"name": "a"' + b" " * 10],
)
async def test_malformed_bodies_are_4xx(client: httpx.AsyncClient, raw: bytes) -> None:
    response = await client.post("/items/", content=raw, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
    assert_problem(response, response.status_code)
    assert (await client.get("/items/")).json() == []


async def test_lone_surrogate_in_a_patch_leaves_the_item_unchanged(client: httpx.AsyncClient) -> None:
    item = await create(client)
    response = await client.patch(
        f"/items/{item['id']}", content=b'{"name": "\\udfff"}', headers={"content-type": "application/json"}
    )
    assert_problem(response, 422)
    assert (await client.get(f"/items/{item['id']}")).json() == item


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "x" * 101}, {"name": None}, {"version": 9}])
async def test_invalid_patch_leaves_the_item_unchanged(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    item = await create(client)
    assert_problem(await client.patch(f"/items/{item['id']}", json=body), 422)
    assert (await client.get(f"/items/{item['id']}")).json() == item


@pytest.mark.parametrize("item_id", ["0", "-1", str(2**63), str(10**30), "abc", "1.5"])
async def test_ids_outside_the_range_are_4xx_not_database_errors(
    client: httpx.AsyncClient, item_id: str
) -> None:
    for method in ("GET", "DELETE"):
        response = await client.request(method, f"/items/{item_id}")
        assert response.status_code in (404, 422), response.text
        assert_problem(response, response.status_code)


async def test_the_largest_id_is_simply_not_found(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get(f"/items/{2**63 - 1}"), 404)


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "skip=-1", "limit=abc", f"skip={2**63}", f"skip={10**40}"]
)
async def test_list_parameters_out_of_bounds_are_422(client: httpx.AsyncClient, query: str) -> None:
    assert_problem(await client.get(f"/items/?{query}"), 422)


async def test_the_deepest_skip_is_an_empty_page(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/items/?skip={2**63 - 1}&limit=100")
    assert response.status_code == 200
    assert response.json() == []


async def test_unknown_route_and_wrong_method_are_problems(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/nowhere"), 404)
    assert_problem(await client.put("/items/"), 405)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/items/", "GET, HEAD, POST"),
        ("POST", "/items/1", "DELETE, GET, HEAD, PATCH, PUT"),
        ("POST", "/health/live", "GET, HEAD"),
    ],
)
async def test_a_wrong_method_names_the_allowed_ones(
    client: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await client.request(method, path)
    assert_problem(response, 405)
    assert response.headers["Allow"] == allowed
