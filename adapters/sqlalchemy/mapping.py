"""Rows to entities and back: the one place that knows both shapes.

Every Item field is stored in the column of its name, so the lists below are derived from the
entity (domain.item) and the tables (tables.py) rather than written out; the only item column this file
names is name_folded, the one computed from a field.
"""

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Column, DateTime

from adapters.sqlalchemy.tables import item_changes, items
from domain.feed import ChangeKind, FeedPosition, RecordedChange
from domain.item import CLIENT_FIELDS, ITEM_FIELDS, Item, ItemChange, as_utc
from domain.listing import fold_name

# The columns an item is read from, in the entity's order (each field in the column of its name).
ITEM_COLUMNS: tuple[Column[Any], ...] = tuple(items.c[name] for name in ITEM_FIELDS)
# The item's times, which a kept JSON answer holds as text (_item_from_json_values).
_TIMESTAMPS = frozenset(name for name in ITEM_FIELDS if isinstance(items.c[name].type, DateTime))
# Columns computed from a client field, kept beside it so that every backend searches and sorts alike.
DERIVED: dict[str, tuple[str, Callable[[Any], Any]]] = {"name_folded": ("name", fold_name)}
# What a change may set: the client fields and the columns derived from them (repository.py).
CHANGED_COLUMNS: tuple[str, ...] = (*CLIENT_FIELDS, *DERIVED)
# What a new item is inserted with: every field but the id (the store assigns it), and the derived columns.
INSERTED_COLUMNS: tuple[str, ...] = (*(name for name in ITEM_FIELDS if name != "id"), *DERIVED)


def items_from_rows(rows: Sequence[Sequence[Any]]) -> list[Item]:
    """Items from rows of ITEM_COLUMNS (a driver's rows: tuples or asyncpg Records), which hold
    ITEM_FIELDS' values in the order Item.restored takes them."""
    restored = Item.restored
    return [restored(*row) for row in rows]


def item_from_row(row: Sequence[Any]) -> Item:
    (item,) = items_from_rows((row,))
    return item


def _field_values(item: Item) -> dict[str, Any]:
    return {name: getattr(item, name) for name in ITEM_FIELDS}


def item_stored(item: Item, item_id: int) -> Item:
    """`item` as the store now holds it under `item_id`: as given, its times in UTC (as
    item_from_row would read it back)."""
    values = _field_values(item)
    values["id"] = item_id
    return Item.restored(**values)


def _derived(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """The derived columns' values, from the client fields in `values` (None stays None: kept)."""
    derived = {}
    for column, (source, compute) in DERIVED.items():
        given = values[prefix + source]
        derived[prefix + column] = None if given is None else compute(given)
    return derived


# The columns a recorded change is read from: its own, then the item's fields but the id and the
# version (the change's item_id and version), each in the column of its name.
_CHANGE_ITEM_FIELDS = tuple(name for name in ITEM_FIELDS if name not in ("id", "version"))
CHANGE_COLUMNS = (
    item_changes.c.transaction_id,
    item_changes.c.sequence,
    item_changes.c.item_id,
    item_changes.c.kind,
    item_changes.c.version,
    item_changes.c.recorded_at,
    *(item_changes.c[name] for name in _CHANGE_ITEM_FIELDS),
)


def change_from_row(row: Sequence[Any]) -> RecordedChange:
    transaction_id, sequence, item_id, kind, version, recorded_at, *fields = row
    item = None
    if kind != ChangeKind.DELETED:
        values = dict(zip(_CHANGE_ITEM_FIELDS, fields, strict=True))
        item = Item.restored(id=item_id, version=version, **values)
    position = FeedPosition(transaction_id, sequence)
    return RecordedChange(position, item_id, ChangeKind(kind), version, as_utc(recorded_at), item)


def position_from_row(row: Sequence[Any] | None) -> FeedPosition | None:
    """A (transaction_id, sequence) row as a position; None for no row or NULLs."""
    if row is None or row[0] is None:
        return None
    return FeedPosition(row[0], row[1])


def values_from_item(item: Item) -> dict[str, Any]:
    """The INSERT's values, by the names of INSERTED_COLUMNS and in their order."""
    values = {name: getattr(item, name) for name in ITEM_FIELDS if name != "id"}
    return values | _derived(values)


def values_from_change(item_id: int, change: ItemChange) -> dict[str, Any]:
    """The parameters of the change statement (repository.py): None keeps a stored field."""
    new = {f"new_{name}": getattr(change, name) for name in CLIENT_FIELDS}
    return {"item_id": item_id, **new, **_derived(new, "new_"), "now": change.at}


def items_to_json(created: Sequence[Item]) -> str:
    """What a create made, as the idempotency table keeps it to replay the answer exactly: one item
    as a JSON object (as every key stored before batches holds it), a batch's as an array; times in
    RFC 3339, as datetime.fromisoformat reads them back."""
    if len(created) == 1:
        return orjson.dumps(_field_values(created[0])).decode()
    return orjson.dumps([_field_values(item) for item in created]).decode()


def _item_from_json_values(values: dict[str, Any]) -> Item:
    for name in _TIMESTAMPS:
        values[name] = datetime.fromisoformat(values[name])
    return Item(**values)


def items_from_json(text: str) -> tuple[Item, ...]:
    values = json.loads(text)
    if isinstance(values, dict):
        return (_item_from_json_values(values),)
    return tuple(map(_item_from_json_values, values))
