"""The lines of a file `items import` reads, JSON Lines or CSV, each checked and made into what
CreateItems takes: a draft for a new item, or an exported item to restore as it was. The first bad
line stops the reading, with its number and why."""

import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import MISSING, dataclass, fields
from datetime import datetime
from types import NoneType
from typing import Any, BinaryIO, get_args, get_type_hints

import orjson

from domain.errors import InvalidInput
from domain.item import ITEM_FIELDS, ITEM_ID_MAX, ITEM_ID_MIN, Item, ItemDraft, as_utc
from entrypoints.cli.item_files import FileFormat


class BadLine(InvalidInput):
    """A line of an import file that cannot be imported: where it is, and why."""

    def __init__(self, number: int, reason: str) -> None:
        super().__init__(f"line {number}", reason)
        self.number = number


@dataclass(frozen=True, slots=True)
class Line:
    """One item of the file: the line it starts on (from 1), its bytes as read without the line
    ending (a CSV record may span lines), the CSV header its values were read by (empty in JSON
    Lines), and what it asks CreateItems for."""

    number: int
    raw: bytes
    header: bytes
    entry: ItemDraft | Item


# A new item's line has ItemDraft's fields (those without a default are required); an exported
# item's line has every field of Item, as `items export` writes them. A new field is named there.
_DRAFT_FIELDS = tuple(field.name for field in fields(ItemDraft))
_DRAFT_REQUIRED = tuple(field.name for field in fields(ItemDraft) if field.default is MISSING)
_EXPORTED_ONLY = tuple(name for name in ITEM_FIELDS if name not in _DRAFT_FIELDS)
# Each field's type, as Item declares it (an id is None only until an item is stored).
_TYPES: dict[str, type] = {
    name: next(kind for kind in get_args(hint) or (hint,) if kind is not NoneType)
    for name, hint in get_type_hints(Item).items()
}
_EXPECTED = {
    str: "text",
    int: "a whole number",
    datetime: "an RFC 3339 time with its offset, as `items export` writes it (2026-03-04T05:06:07.891011Z)",
}
_KINDS = {False: "new items", True: "exported items"}


def _checked_names(number: int, names: Iterable[str], noun: str, file_exported: bool | None) -> bool:
    """Whether the names are those of an exported item (else a new one's); refused when one is
    unknown, missing, or of the other kind than the file's lines so far."""
    given = list(names)
    if unknown := [name for name in given if name not in ITEM_FIELDS]:
        raise BadLine(
            number,
            f"unknown {noun} {', '.join(unknown)}: a new item has {', '.join(_DRAFT_FIELDS)}, "
            f"an exported one also {', '.join(_EXPORTED_ONLY)}",
        )
    if len(set(given)) != len(given):
        raise BadLine(number, f"names a {noun} twice")
    exported = any(name in _EXPORTED_ONLY for name in given)
    if file_exported is not None and exported != file_exported:
        raise BadLine(
            number,
            f"is not of the kind of the lines before it ({_KINDS[file_exported]}): a file either "
            f"creates new items or restores exported ones (with {', '.join(_EXPORTED_ONLY)}), not both",
        )
    required = ITEM_FIELDS if exported else _DRAFT_REQUIRED
    if missing := [name for name in required if name not in given]:
        raise BadLine(number, f"lacks {', '.join(missing)}: {_KINDS[exported]} have {', '.join(required)}")
    return exported


def _value(name: str, value: object) -> object:
    kind = _TYPES[name]
    if kind is datetime and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                return as_utc(moment)
    elif type(value) is kind:  # exactly: True is no whole number
        return value
    raise InvalidInput(name, f"must be {_EXPECTED[kind]}")


def _entry(number: int, values: dict[str, object], exported: bool) -> ItemDraft | Item:
    try:
        checked: dict[str, Any] = {name: _value(name, value) for name, value in values.items()}
        if not exported:
            return ItemDraft(**checked)
        if not ITEM_ID_MIN <= checked["id"] <= ITEM_ID_MAX:
            raise InvalidInput("id", f"must be {ITEM_ID_MIN} to {ITEM_ID_MAX}")
        return Item(**checked)
    except InvalidInput as error:
        raise BadLine(number, str(error)) from None


def _physical_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """Each line and its number, line ending kept; a byte order mark before the first is dropped."""
    for number, raw in enumerate(stream, start=1):
        yield number, raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw


def _json_lines(stream: BinaryIO) -> Iterator[Line]:
    exported: bool | None = None
    for number, raw in _physical_lines(stream):
        text = raw.rstrip(b"\r\n")
        if not text.strip():
            continue
        try:
            values = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise BadLine(number, f"is not JSON ({error.msg} at column {error.colno})") from None
        if not isinstance(values, dict):
            raise BadLine(number, "is not a JSON object")
        exported = _checked_names(number, values, "field", exported)
        yield Line(number, text, b"", _entry(number, values, exported))


def _from_text(name: str, text: str) -> object:
    """A CSV value as JSON would carry it: digits as a number where the field is one."""
    return int(text) if _TYPES[name] is int and text.isascii() and text.isdigit() else text


def _csv_lines(stream: BinaryIO) -> Iterator[Line]:
    read: list[tuple[int, bytes]] = []  # the physical lines of the record being read

    def text_lines() -> Iterator[str]:
        for number, raw in _physical_lines(stream):
            read.append((number, raw))
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise BadLine(number, "is not UTF-8 text") from None

    records = csv.reader(text_lines(), strict=True)
    header: list[str] | None = None
    header_raw = b""
    exported = False
    while True:
        try:
            row = next(records)
        except StopIteration:
            return
        except csv.Error as error:
            raise BadLine(read[0][0], f"is not CSV ({error})") from None
        number, raw = read[0][0], b"".join(part for _, part in read).rstrip(b"\r\n")
        read.clear()
        if not row:
            continue
        if header is None:
            exported = _checked_names(number, row, "column", None)
            header, header_raw = row, raw
        elif len(row) != len(header):
            raise BadLine(number, f"has {len(row)} values where the header has {len(header)} columns")
        else:
            values = {name: _from_text(name, text) for name, text in zip(header, row, strict=True)}
            yield Line(number, raw, header_raw, _entry(number, values, exported))


def item_lines(stream: BinaryIO, file_format: FileFormat) -> Iterator[Line]:
    """The file's items, read as they are asked for: a whole file is never held."""
    return _csv_lines(stream) if file_format is FileFormat.csv else _json_lines(stream)
