"""Rows to entities and back: the one place that knows both shapes."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapters.sqlalchemy.tables import item_changes, items
from domain.feed import ChangeKind, FeedPosition, RecordedChange
from domain.item import Item, ItemChange, as_utc
from domain.listing import fold_name

# The columns an item is read from, in the order item_from_row takes them (name_folded stays behind).
ITEM_COLUMNS = (
    items.c.id,
    items.c.name,
    items.c.description,
    items.c.created_at,
    items.c.updated_at,
    items.c.version,
)


def item_from_row(row: Sequence[Any]) -> Item:
    """An item from a row of ITEM_COLUMNS (a driver's row: a tuple or an asyncpg Record)."""
    item_id, name, description, created_at, updated_at, version = row
    return Item.restored(
        id=item_id,
        name=name,
        description=description,
        created_at=as_utc(created_at),
        updated_at=as_utc(updated_at),
        version=version,
    )


# The columns a recorded change is read from, in the order change_from_row takes them.
CHANGE_COLUMNS = (
    item_changes.c.transaction_id,
    item_changes.c.sequence,
    item_changes.c.item_id,
    item_changes.c.kind,
    item_changes.c.version,
    item_changes.c.recorded_at,
    item_changes.c.name,
    item_changes.c.description,
    item_changes.c.created_at,
    item_changes.c.updated_at,
)


def change_from_row(row: Sequence[Any]) -> RecordedChange:
    transaction_id, sequence, item_id, kind, version, recorded_at, name, description, created, updated = row
    item = None
    if kind != ChangeKind.DELETED:
        item = Item.restored(
            id=item_id,
            name=name,
            description=description,
            created_at=as_utc(created),
            updated_at=as_utc(updated),
            version=version,
        )
    position = FeedPosition(transaction_id, sequence)
    return RecordedChange(position, item_id, ChangeKind(kind), version, as_utc(recorded_at), item)


def position_from_row(row: Sequence[Any] | None) -> FeedPosition | None:
    """A (transaction_id, sequence) row as a position; None for no row or NULLs."""
    if row is None or row[0] is None:
        return None
    return FeedPosition(row[0], row[1])


def values_from_item(item: Item) -> dict[str, Any]:
    return {
        "name": item.name,
        "name_folded": fold_name(item.name),
        "description": item.description,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "version": item.version,
    }


def values_from_change(item_id: int, change: ItemChange) -> dict[str, Any]:
    """The parameters of the change statement (repository.py): None keeps a stored field."""
    return {
        "item_id": item_id,
        "new_name": change.name,
        "new_name_folded": None if change.name is None else fold_name(change.name),
        "new_description": change.description,
        "now": change.at,
    }


def item_to_json(item: Item) -> str:
    return json.dumps(
        {
            "id": item.id,
            "name": item.name,
            "description": item.description,
            "created_at": item.created_at.isoformat(),
            "updated_at": item.updated_at.isoformat(),
            "version": item.version,
        }
    )


def item_from_json(text: str) -> Item:
    fields = json.loads(text)
    return Item(
        id=fields["id"],
        name=fields["name"],
        description=fields["description"],
        created_at=datetime.fromisoformat(fields["created_at"]),
        updated_at=datetime.fromisoformat(fields["updated_at"]),
        version=fields["version"],
    )
