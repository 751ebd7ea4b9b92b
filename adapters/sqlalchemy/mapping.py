"""Rows to entities and back: the one place that knows both shapes."""

from typing import Any

from sqlalchemy import Row

from domain.item import Item, as_utc


def item_from_row(row: Row[Any]) -> Item:
    return Item(
        id=row.id,
        name=row.name,
        description=row.description,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        version=row.version,
    )


def values_from_item(item: Item) -> dict[str, Any]:
    return {
        "name": item.name,
        "description": item.description,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "version": item.version,
    }
