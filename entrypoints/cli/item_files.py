"""The files `items import` reads and `items export` writes: their format, and opening them (`-` is
stdin or stdout)."""

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

STDIO = "-"


class FileFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


_BY_SUFFIX = {
    ".csv": FileFormat.csv,
    ".jsonl": FileFormat.jsonl,
    ".ndjson": FileFormat.jsonl,
    ".json": FileFormat.jsonl,
}

FormatOption = Annotated[
    FileFormat | None,
    typer.Option("--format", help="jsonl or csv; default: from the file name's extension, jsonl for -"),
]


def file_format(path: str, given: FileFormat | None) -> FileFormat:
    if given is not None:
        return given
    if path == STDIO:
        return FileFormat.jsonl
    try:
        return _BY_SUFFIX[Path(path).suffix.lower()]
    except KeyError:
        known = ", ".join(_BY_SUFFIX)
        raise typer.BadParameter(f"{path}: name it {known}, or say --format", param_hint="FILE") from None


@contextmanager
def opened_for_reading(path: str) -> Iterator[BinaryIO]:
    if path == STDIO:
        yield sys.stdin.buffer
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115  # closed below; opening alone may be refused
    except OSError as error:
        raise typer.BadParameter(f"cannot read {path}: {error.strerror}", param_hint="FILE") from None
    with stream:
        yield stream


def size_of(stream: BinaryIO) -> int | None:
    """The bytes left to read when the stream is a regular file (a pipe or terminal has no size)."""
    try:
        status = os.fstat(stream.fileno())
        return status.st_size - stream.tell() if stat.S_ISREG(status.st_mode) else None
    except OSError:
        return None


@contextmanager
def opened_for_writing(path: str) -> Iterator[BinaryIO]:
    """stdout, or the file, which takes its name only once everything is written: a failed export
    leaves no partial file that would look whole."""
    if path == STDIO:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    partial = target.with_name(f"{target.name}.partial")
    try:
        stream = partial.open("wb")
    except OSError as error:
        raise typer.BadParameter(f"cannot write {path}: {error.strerror}", param_hint="FILE") from None
    try:
        with stream:
            yield stream
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
