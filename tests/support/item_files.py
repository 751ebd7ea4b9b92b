"""Files for `items import`: new items as JSON Lines or CSV, every client field filled in by the
builders; a line given as text is written as it is (a bad line)."""

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from tests.support.builders import item_body

Line = dict[str, Any] | str


def new_items(count: int) -> list[dict[str, Any]]:
    """`count` new items' bodies, each name unique ("item 0", "item 1", ...)."""
    return [item_body(name=f"item {n}", description=f"line {n + 1}") for n in range(count)]


def jsonl(lines: Iterable[Line]) -> bytes:
    return b"".join(
        (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)).encode() + b"\n"
        for line in lines
    )


def csv_of(header: list[str], rows: Iterable[Iterable[object]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode()


def csv_items(items: list[dict[str, Any]]) -> bytes:
    """Bodies as CSV: a header of their fields, then a row each."""
    header = list(items[0])
    return csv_of(header, ([item[field] for field in header] for item in items))
