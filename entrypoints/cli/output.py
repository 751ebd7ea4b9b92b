"""Items on stdout: an aligned table for people, or JSON in the REST API's shape for scripts."""

from datetime import datetime
from enum import StrEnum

import typer

from domain.item import CLIENT_FIELDS, Item
from entrypoints.shapes import item_json

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


def _row(item: Item) -> tuple[str, ...]:
    return tuple(_text(getattr(item, column)) for column in TABLE_COLUMNS)


def show(item: Item, output: Output) -> None:
    if output is Output.json:
        typer.echo(item_json(item))
    else:
        ItemPages(output).add([item])


class ItemPages:
    """Items shown page by page as they come, none held: one table, whose columns widen where a
    later page needs more room, or one JSON array."""

    def __init__(self, output: Output) -> None:
        self._output = output
        self._widths = [len(column) for column in TABLE_COLUMNS]
        self._started = False

    def add(self, items: list[Item]) -> None:
        if self._output is Output.json:
            if items:
                opening = b"," if self._started else b"["
                typer.echo(opening + b",".join(item_json(item) for item in items), nl=False)
                self._started = True
            return
        rows = [_row(item) for item in items]
        if not self._started:
            rows.insert(0, TABLE_COLUMNS)
            self._started = True
        if not rows:
            return
        self._widths = [max(width, *(len(row[n]) for row in rows)) for n, width in enumerate(self._widths)]
        typer.echo(
            "\n".join(
                "  ".join(cell.ljust(width) for cell, width in zip(row, self._widths, strict=True)).rstrip()
                for row in rows
            )
        )

    def end(self) -> None:
        if self._output is Output.json:
            typer.echo("]" if self._started else "[]")
