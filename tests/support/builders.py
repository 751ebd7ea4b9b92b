"""Items and requests with every field filled in: the one place tests and the bench list an item's fields.

A new field is an edit to ITEM_FIELDS here (a valid example value), not to every test that makes an
item: each builder takes the fields it is asked to change as keyword arguments and fills in the rest.
"""

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from domain.item import Item, ItemDraft

NOW = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)

# Every field a client gives when it creates or replaces an item, with a valid value.
ITEM_FIELDS: dict[str, Any] = {"name": "Teapot", "description": "Short and stout"}
# The fields the service itself sets, in the API's answer beside the client's.
SERVER_FIELDS = frozenset({"id", "created_at", "updated_at", "version"})

# A field no item will ever have: the example of an unknown field (a plausible name, such as "price"
# or "sku", may become a real field one day and silently turn an invalid-input test into a valid one).
UNKNOWN_FIELD = "not_a_field_x9"


class _LeftOut:
    def __repr__(self) -> str:
        return "LEFT_OUT"


# An override that leaves a field out (to test its default, or that it is required).
LEFT_OUT: Any = _LeftOut()


def item_fields(**overrides: Any) -> dict[str, Any]:
    """An item's client fields, valid, with `overrides` applied: the keyword arguments of Item.new,
    CreateItem and ReplaceItem."""
    unknown = overrides.keys() - ITEM_FIELDS.keys()
    assert not unknown, f"not an item field: {sorted(unknown)}"
    fields = {**ITEM_FIELDS, **overrides}
    return {field: value for field, value in fields.items() if value is not LEFT_OUT}


def item_body(**overrides: Any) -> dict[str, Any]:
    """The JSON body of a create (POST) or a replace (PUT), valid, with `overrides` applied."""
    return item_fields(**overrides)


def batch_body(count: int, **overrides: Any) -> list[dict[str, Any]]:
    """The JSON body of a batch create (POST /items/batch): `count` item bodies, each named after
    its index (so an answer can be matched to the request), `overrides` applied to every one."""
    return [item_body(**{"name": f"{ITEM_FIELDS['name']} {index}", **overrides}) for index in range(count)]


def item_json(**overrides: Any) -> bytes:
    """item_body as the bytes of a request (for raw HTTP and byte-exact tests)."""
    return json.dumps(item_body(**overrides), ensure_ascii=False).encode()


def a_draft(**overrides: Any) -> ItemDraft:
    """A batch create's entry for a new item (CreateItems)."""
    return ItemDraft(**item_fields(**overrides))


def an_item(*, now: datetime = NOW, **overrides: Any) -> Item:
    """A new (unstored) domain Item created at `now`."""
    return Item.drafted(a_draft(**overrides), now)


def a_stored_item(
    *,
    id: int = 1,
    version: int = 1,
    created_at: datetime = NOW,
    updated_at: datetime | None = None,
    **overrides: Any,
) -> Item:
    """An Item as a store gives it back: with its id, version and timestamps (updated_at defaults to
    created_at), and its client fields as an_item fills them in."""
    moment = updated_at or created_at
    return replace(an_item(now=created_at, **overrides), id=id, version=version, updated_at=moment)


def cli_create_args(**overrides: Any) -> list[str]:
    """The arguments of `items create`: the name, then each other field as its option."""
    fields = item_fields(**overrides)
    options = [
        part for field, value in fields.items() if field != "name" for part in (_option(field), str(value))
    ]
    return [str(fields["name"]), *options]


def _option(field: str) -> str:
    return "--" + field.replace("_", "-")
