"""Rows to entities and back: the one place that knows both shapes."""

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from domain.item import Item, as_utc
from domain.listing import fold_name


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
        "name_folded": fold_name(item.name),
        "description": item.description,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "version": item.version,
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
