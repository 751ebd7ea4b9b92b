"""Answers are built straight from domain items (schemas.item_json), not validated per request:
these tests prove they are what the published schema (ItemOut) says, byte for byte."""

from datetime import UTC, datetime, timedelta, timezone

import httpx
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from domain.item import DESCRIPTION_MAX_LENGTH, ITEM_ID_MAX, NAME_MAX_LENGTH, Item
from entrypoints.api.app import create_app
from entrypoints.settings import Settings
from entrypoints.shapes import ItemOut, item_json, items_json
from tests.support.builders import a_stored_item, batch_body, item_body

texts = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))
moments = st.datetimes(
    min_value=datetime(1970, 1, 1), timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7))])
)
# Stored items with every field the builder fills in; these vary the ones that have rules to explore.
items = st.builds(
    a_stored_item,
    id=st.integers(1, ITEM_ID_MAX),
    name=texts.filter(lambda name: 1 <= len(name) <= NAME_MAX_LENGTH),
    description=texts.filter(lambda text: len(text) <= DESCRIPTION_MAX_LENGTH),
    created_at=moments.map(lambda moment: moment.astimezone(UTC)),
    updated_at=moments.map(lambda moment: moment.astimezone(UTC)),
    version=st.integers(1, 2**31 - 1),
)

ITEMS_OUT = TypeAdapter(list[ItemOut])


def published(item: Item) -> bytes:
    return ItemOut.model_validate(item, from_attributes=True).model_dump_json().encode()


@given(items)
def test_an_items_answer_is_its_published_representation(item: Item) -> None:
    assert item_json(item) == published(item)


@given(st.lists(items, max_size=5))
def test_a_pages_answer_is_the_list_of_published_representations(page: list[Item]) -> None:
    assert items_json(page) == b"[" + b",".join(published(item) for item in page) + b"]"


def test_each_route_is_matched_once_not_through_an_included_router() -> None:
    app = create_app(Settings(database_url="memory://"))
    paths = {getattr(route, "path_format", None) for route in app.routes}
    assert {"/items/", "/items", "/items/{item_id}", "/health/live", "/health/ready", "/metrics"} <= paths


async def test_every_answer_of_a_round_trip_validates_against_the_schema(client: httpx.AsyncClient) -> None:
    created = await client.post("/items/", json=item_body(name="Teapot", description="stout"))
    url = created.headers["location"]
    answers = [created, await client.get(url), await client.put(url, json=item_body(name="Kettle"))]
    answers.append(await client.patch(url, json={"description": "tall"}))
    for answer in answers:
        ItemOut.model_validate_json(answer.content, strict=False)
    page = await client.get("/items/")
    assert [ItemOut.model_validate(entry).id for entry in page.json()] == [created.json()["id"]]


async def test_every_answer_of_a_batch_validates_against_the_schema(client: httpx.AsyncClient) -> None:
    """Both batch operations publish an array of ItemOut, which each answer is."""
    paths = (await client.get("/openapi.json")).json()["paths"]
    published = [
        paths["/items/batch"]["post"]["responses"]["201"],
        paths["/items/"]["get"]["responses"]["200"],
    ]
    for response in published:
        assert response["content"]["application/json"]["schema"]["items"] == {
            "$ref": "#/components/schemas/ItemOut"
        }
    keyed = {"Idempotency-Key": "k"}
    created = await client.post("/items/batch", json=batch_body(3), headers=keyed)
    replayed = await client.post("/items/batch", json=batch_body(3), headers=keyed)
    assert replayed.headers["idempotent-replayed"] == "true"
    ids = [item["id"] for item in created.json()]
    got = await client.get("/items/", params={"id": [*ids, 424242]})
    for answer in (created, replayed, got):
        assert answer.status_code in (200, 201), answer.text
        assert len(ITEMS_OUT.validate_json(answer.content, strict=False)) == 3
