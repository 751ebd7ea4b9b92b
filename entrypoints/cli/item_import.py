"""`items import FILE`: new or exported items from a JSON Lines or CSV file, in batches through
CreateItems, streamed: at most two batches are held at a time (one being written while the next is
read), whatever the file's size.

Each batch is sent under an idempotency key made of its place in the file and its bytes, so running
the same command again, after a crash or with a bad line fixed, resumes: each batch an earlier run
committed is answered as a replay of that run's answer, and nothing is imported twice.
"""

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import suppress
from typing import Annotated, BinaryIO

import typer

from application.create_items import CreateItems
from application.idempotent_create import Created
from domain.errors import InvalidInput
from entrypoints.cli.item_files import FileFormat, FormatOption, file_format, opened_for_reading, size_of
from entrypoints.cli.item_lines import BadLine, Line, item_lines
from entrypoints.cli.progress import Progress, QuietOption
from entrypoints.cli.running import run, started_container
from entrypoints.container import settle

KEY_PREFIX = "import:"


def batch_key(batch: Sequence[Line]) -> str:
    """`import:` and the SHA-256 of the batch's first line number, the CSV header it was read by
    (empty in JSON Lines) and each line's bytes, every part length-prefixed: the same batch of the
    same file gets the same key in every run, and another batch, or the same lines elsewhere in a
    file, another key."""
    first = batch[0]
    digest = hashlib.sha256(f"{first.number}:{len(first.header)}:".encode() + first.header)
    for line in batch:
        digest.update(f"{len(line.raw)}:".encode() + line.raw)
    return KEY_PREFIX + digest.hexdigest()


# Lines read between two turns of the event loop while a batch is being written.
_LINES_PER_TURN = 50


async def _batches(lines: Iterator[Line], size: int) -> AsyncIterator[list[Line]]:
    """The lines in batches of `size`. Reading gives the event loop a turn every few lines, so the
    batch sent before goes on with its round trips meanwhile: the store writes one batch while the
    next is read and checked."""
    batch: list[Line] = []
    for line in lines:
        batch.append(line)
        if len(batch) % _LINES_PER_TURN == 0:
            await asyncio.sleep(0)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Tally:
    """Items created by this run, and those an earlier run had (their batch was answered as a replay)."""

    def __init__(self) -> None:
        self.new = 0
        self.already = 0

    def add(self, created: Created) -> None:
        if created.replayed:
            self.already += len(created.items)
        else:
            self.new += len(created.items)

    def __str__(self) -> str:
        return f"{self.new + self.already:,} items ({self.new:,} new, {self.already:,} already imported)"


def _stopped(error: BaseException, tally: _Tally) -> str:
    """What the run did, and how to resume it."""
    if isinstance(error, BadLine):
        where, first = f" at line {error.number}", "fix that line"
    else:
        where, first = "", "deal with the error below"
    return (
        f"stopped{where} after importing {tally}; {first}, then run the same command again to import "
        "the rest (nothing is imported twice)"
    )


async def _import(stream: BinaryIO, chosen: FileFormat, batch_size: int | None, quiet: bool) -> None:
    async with started_container() as container:
        create_items: CreateItems = await settle(container.create_items())
        most = create_items.max_items
        size = most if batch_size is None else batch_size
        if not 1 <= size <= most:
            raise InvalidInput("--batch-size", f"must be 1 to {most} (the BATCH_MAX_ITEMS setting)")
        total = size_of(stream)
        progress = Progress("importing", total, quiet=quiet)
        tally = _Tally()
        # One batch in flight while the next is read, each sent once the one before has landed: they
        # commit in file order, so a stop leaves the file's first batches committed. Only from a file
        # (from a pipe, reading may block the event loop until more is written) into a database
        # server (SQLite would write on this process's CPU, slower for the contention: measured).
        overlapping = total is not None and not container.settings().store_in_process
        in_flight: tuple[asyncio.Task[Created], int | None] | None = None

        async def land() -> None:
            nonlocal in_flight
            if in_flight is not None:
                (sending, read_to), in_flight = in_flight, None
                created = await sending
                tally.add(created)
                progress.advance(len(created.items), read_to)

        try:
            async for batch in _batches(item_lines(stream, chosen), size):
                await land()
                entries = [line.entry for line in batch]
                sending = asyncio.create_task(create_items(entries, idempotency_key=batch_key(batch)))
                in_flight = (sending, None if total is None else stream.tell())
                if not overlapping:
                    await land()
            await land()
        except Exception as error:
            # The batch in flight was read before the stop: it lands, or fails, before the report.
            with suppress(Exception):
                await land()
            progress.report(_stopped(error, tally))
            raise
        except BaseException as error:
            if in_flight is not None:
                in_flight[0].cancel()
            progress.report(_stopped(error, tally))
            raise
        progress.finish(f"imported {tally}")


def import_(
    file: Annotated[str, typer.Argument(help="a JSON Lines or CSV file; - for stdin")],
    format_: FormatOption = None,
    batch_size: Annotated[
        int | None, typer.Option(help="items per batch; default and most: the BATCH_MAX_ITEMS setting")
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Import items: new ones (name, description), or exported ones restored with their ids, times
    and versions. After a failure, run the same command again: it resumes, importing nothing twice."""
    chosen = file_format(file, format_)
    with opened_for_reading(file) as stream:
        run(lambda: _import(stream, chosen, batch_size, quiet))
