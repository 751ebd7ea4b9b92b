"""Items on stdout: an aligned table for people, or JSON in the REST API's shape for scripts."""

from datetime import datetime
from enum import StrEnum

import orjson
import typer

from domain.item import CLIENT_FIELDS, Item
from entrypoints.api.schemas import ItemOut

TABLE_TEXT_WIDTH = 40


class Output(StrEnum):
    table = "table"
    json = "json"


def _cell(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TABLE_TEXT_WIDTH else flat[: TABLE_TEXT_WIDTH - 1] + "…"


def _text(value: object) -> str:
    """A cell: text flattened to one line and cut to width, timestamps in ISO 8601, the rest as str."""
    if isinstance(value, str):
        return _cell(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# The table's columns, each an Item attribute: the id, every field a client sets, then the version and
# when it was last changed. A new field shows up here without an edit.
TABLE_COLUMNS = ("id", *CLIENT_FIELDS, "version", "updated_at")


def _table(items: list[Item]) -> str:
    header = TABLE_COLUMNS
    rows = [tuple(_text(getattr(item, column)) for column in TABLE_COLUMNS) for item in items]
    widths = [max(len(row[n]) for row in [header, *rows]) for n in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


def show(items: Item | list[Item], output: Output) -> None:
    many = items if isinstance(items, list) else [items]
    if output is Output.table:
        typer.echo(_table(many))
        return
    shaped = [ItemOut.model_validate(item, from_attributes=True).model_dump(mode="json") for item in many]
    typer.echo(orjson.dumps(shaped if isinstance(items, list) else shaped[0]).decode())
