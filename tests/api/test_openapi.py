"""The OpenAPI document advertises the bounds the domain enforces."""

import httpx

from domain.item import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH
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
    """The route spells its sort tokens out (a Literal for the schema); they must stay the domain's."""
    spec = (await client.get("/openapi.json")).json()
    sort = next(p for p in spec["paths"]["/items/"]["get"]["parameters"] if p["name"] == "sort")
    assert sorted(sort["schema"]["enum"]) == sorted(SORT_TOKENS)
