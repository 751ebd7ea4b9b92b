"""Items on stdout: an aligned table for people, or JSON in the REST API's shape for scripts."""

from enum import StrEnum

import orjson
import typer

from domain.item import Item
from entrypoints.api.schemas import ItemOut

TABLE_TEXT_WIDTH = 40


class Output(StrEnum):
    table = "table"
    json = "json"


def _cell(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TABLE_TEXT_WIDTH else flat[: TABLE_TEXT_WIDTH - 1] + "…"


def _table(items: list[Item]) -> str:
    header = ("id", "name", "description", "version", "updated_at")
    rows = [
        (str(i.id), _cell(i.name), _cell(i.description), str(i.version), i.updated_at.isoformat())
        for i in items
    ]
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
