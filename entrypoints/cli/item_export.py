"""`items export [FILE]`: every item, as one consistent snapshot (ExportItems), page by page: JSON
Lines, one item a line as the REST API shows it, or CSV, a header row and then the same values.
`items import` reads either back."""

import csv
import io
from collections.abc import Iterable
from contextlib import aclosing
from typing import Annotated, BinaryIO

import orjson
import typer

from application.export_items import ExportItems
from domain.item import Item
from entrypoints.cli.item_files import STDIO, FileFormat, FormatOption, file_format, opened_for_writing
from entrypoints.cli.progress import Progress, QuietOption
from entrypoints.cli.running import run, started_container
from entrypoints.container import settle
from entrypoints.shapes import ANSWER_FIELDS, item_json


def _json_lines(page: list[Item]) -> bytes:
    return b"".join(item_json(item) + b"\n" for item in page)


def _csv_rows(rows: Iterable[Iterable[object]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode()


def _csv_lines(page: list[Item]) -> bytes:
    # Each value as the JSON line has it (times in its RFC 3339 form), in ANSWER_FIELDS' order.
    return _csv_rows(orjson.loads(item_json(item)).values() for item in page)


async def _export(stream: BinaryIO, chosen: FileFormat, quiet: bool) -> None:
    async with started_container() as container:
        export_items: ExportItems = await settle(container.export_items())
        progress = Progress("exporting", quiet=quiet)
        encoded = _json_lines
        if chosen is FileFormat.csv:
            stream.write(_csv_rows([ANSWER_FIELDS]))
            encoded = _csv_lines
        # Closed on the way out, failed or not: its snapshot ends before the store closes.
        async with aclosing(export_items()) as pages:
            async for page in pages:
                stream.write(encoded(page))
                progress.advance(len(page))
        progress.finish(f"exported {progress.items:,} items")


def export(
    file: Annotated[str, typer.Argument(help="where to write it; - for stdout")] = STDIO,
    format_: FormatOption = None,
    quiet: QuietOption = False,
) -> None:
    """Export every item, all as they were at one moment, to JSON Lines or CSV (`items import` reads
    both); the file appears only once it is whole."""
    chosen = file_format(file, format_)
    with opened_for_writing(file) as stream:
        # On a terminal the items themselves are the progress; a bar would only garble them.
        run(lambda: _export(stream, chosen, quiet or stream.isatty()))
