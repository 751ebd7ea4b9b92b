"""The OpenAPI document advertises the bounds the domain enforces."""

import httpx
import pytest

from application.get_items import GET_MANY_MAX
from domain.item import DESCRIPTION_MAX_LENGTH, ITEM_ID_MAX, ITEM_ID_MIN, NAME_MAX_LENGTH
from domain.listing import LIST_LIMIT_MAX, SORT_TOKENS


async def test_openapi_document_advertises_bounds(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    assert schemas["ItemIn"]["properties"]["name"]["maxLength"] == NAME_MAX_LENGTH
    assert schemas["ItemIn"]["properties"]["name"]["minLength"] == 1
    assert schemas["ItemIn"]["properties"]["description"]["maxLength"] == DESCRIPTION_MAX_LENGTH
    assert schemas["ItemIn"]["additionalProperties"] is False
    listing = spec["paths"]["/items/"]["get"]
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == LIST_LIMIT_MAX
    get_one = spec["paths"]["/items/{item_id}"]["get"]
    assert "application/problem+json" in get_one["responses"]["404"]["content"]


async def test_interactive_docs_are_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


async def test_openapi_document_advertises_headers_and_problems(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    listing = spec["paths"]["/items/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"skip", "limit", "sort", "q", "cursor"}
    assert "Link" in listing["responses"]["200"]["headers"]
    create = spec["paths"]["/items/"]["post"]
    key = next(p for p in create["parameters"] if p["name"] == "idempotency-key")
    assert (key["in"], key["schema"]["maxLength"]) == ("header", 255)
    assert {"409", "413", "415", "422"} <= create["responses"].keys()
    one = spec["paths"]["/items/{item_id}"]
    assert "ETag" in one["get"]["responses"]["200"]["headers"]
    assert "304" in one["get"]["responses"]
    for method in ("put", "patch", "delete"):
        assert any(p["name"] == "if-match" for p in one[method]["parameters"])
        assert "application/problem+json" in one[method]["responses"]["412"]["content"]


async def test_openapi_document_offers_exactly_the_domains_sort_orders(client: httpx.AsyncClient) -> None:
    """The route's Literal is built from the domain's tokens: the schema lists them all, in their order."""
    spec = (await client.get("/openapi.json")).json()
    sort = next(p for p in spec["paths"]["/items/"]["get"]["parameters"] if p["name"] == "sort")
    assert (
        sort["schema"]["enum"]
        == list(SORT_TOKENS)
        == ["id", "-id", "created_at", "-created_at", "name", "-name"]
    )


OPERATION_IDS = {
    ("post", "/items/"): "createItem",
    ("post", "/items/batch"): "createItems",
    ("get", "/items/"): "listItems",
    ("get", "/items/{item_id}"): "getItem",
    ("put", "/items/{item_id}"): "replaceItem",
    ("patch", "/items/{item_id}"): "updateItem",
    ("delete", "/items/{item_id}"): "deleteItem",
    ("get", "/health/live"): "getLiveness",
    ("get", "/health/ready"): "getReadiness",
    ("get", "/metrics"): "getMetrics",
    ("get", "/changes"): "listChanges",
    ("get", "/changes/head"): "getChangeFeedHead",
}


async def test_every_operation_has_its_short_stable_operation_id(client: httpx.AsyncClient) -> None:
    """Client generators name their functions after these: they must not follow the framework's
    path-derived defaults (create_item_items__post)."""
    spec = (await client.get("/openapi.json")).json()
    found = {
        (method, path): operation["operationId"]
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    }
    assert found == OPERATION_IDS


async def test_descending_sorts_have_member_names(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    sort = next(p for p in spec["paths"]["/items/"]["get"]["parameters"] if p["name"] == "sort")
    names = dict(zip(sort["schema"]["enum"], sort["schema"]["x-enum-varnames"], strict=True))
    assert names["-created_at"] == "CREATED_AT_DESC"
    assert names["name"] == "NAME"
    assert all(name.isidentifier() and name.isupper() for name in names.values())


async def test_a_problems_errors_have_a_schema(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert schemas["Problem"]["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/FieldError"}
    assert set(schemas["FieldError"]["required"]) == {"loc", "msg", "type"}


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
async def test_health_probes_describe_their_answer(client: httpx.AsyncClient, path: str) -> None:
    spec = (await client.get("/openapi.json")).json()
    ok = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/Health"}
    assert spec["components"]["schemas"]["Health"]["required"] == ["status"]
    assert (await client.get(path)).json() == {"status": "ok"}


async def test_patch_declares_both_json_media_types(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    content = spec["paths"]["/items/{item_id}"]["patch"]["requestBody"]["content"]
    assert set(content) == {"application/json", "application/merge-patch+json"}
    assert {media["schema"]["$ref"] for media in content.values()} == {"#/components/schemas/ItemPatch"}


async def test_a_batch_create_takes_items_as_a_single_create_does(client: httpx.AsyncClient) -> None:
    """The same item schema and the same Idempotency-Key header, its replay header documented."""
    paths = (await client.get("/openapi.json")).json()["paths"]
    single, batch = paths["/items/"]["post"], paths["/items/batch"]["post"]
    body = batch["requestBody"]["content"]["application/json"]["schema"]
    assert (body["type"], body["minItems"]) == ("array", 1)
    assert body["items"] == {"$ref": "#/components/schemas/ItemIn"}
    assert batch["parameters"] == single["parameters"]
    assert set(batch["responses"]["201"]["headers"]) == {"Idempotent-Replayed"}
    assert {"409", "413", "415", "422"} <= batch["responses"].keys()


async def test_a_batch_get_is_the_listing_with_repeated_ids(client: httpx.AsyncClient) -> None:
    listing = (await client.get("/openapi.json")).json()["paths"]["/items/"]["get"]
    ids = next(p for p in listing["parameters"] if p["name"] == "id")
    schema = ids["schema"]
    assert (ids["in"], schema["type"], schema["maxItems"]) == ("query", "array", GET_MANY_MAX)
    assert (schema["items"]["minimum"], schema["items"]["maximum"]) == (ITEM_ID_MIN, ITEM_ID_MAX)
    assert set(listing["responses"]["200"]["headers"]) == {"Link", "Missing-Ids"}
