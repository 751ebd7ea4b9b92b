"""`items export` writes every item, as one snapshot, in the REST API's shape; `items export | items
import -` into an empty database restores every field, ids, times and versions included."""

import subprocess
from pathlib import Path

import orjson
import pytest

from adapters.clock import utc_now
from application.create_items import CreateItems
from application.delete_item import DeleteItem
from application.update_item import UpdateItem
from domain.item import Item
from domain.ports import UnitOfWorkFactory
from entrypoints.cli.exit_codes import ExitCode
from entrypoints.shapes import ANSWER_FIELDS, item_json
from tests.support.builders import a_draft, cli_create_args
from tests.support.cli import COMMAND_SECONDS, Items, items_env, items_process
from tests.support.databases import in_store
from tests.support.item_files import jsonl, new_items
from tests.support.processes import kill_group
from tests.support.stores import every_item

# Text that JSON must escape and CSV must quote, over one line or several.
DESCRIPTIONS = ["plain", "a, b", 'say "hi"', "two\nlines", "three\r\nlines\n", "Straße ΩΩ", ""]


async def varied(uow: UnitOfWorkFactory) -> list[Item]:
    """Items of every kind an export meets: changed ones (a later version and time), and a gap in
    the ids where one was deleted."""
    await CreateItems(uow, utc_now)(
        [a_draft(name=f"item {n}", description=text) for n, text in enumerate(DESCRIPTIONS)]
    )
    update = UpdateItem(uow, utc_now)
    await update(2, description="changed")
    await update(2, name="renamed")
    await DeleteItem(uow)(4)
    return await every_item(uow)


def piped(source_url: str, target_url: str, file_format: str) -> tuple[bytes, bytes]:
    """`items export --format F | items import - --format F`: each one's stderr."""
    exporter = items_process(
        source_url, "export", "--format", file_format, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        importer = items_process(
            target_url, "import", "-", "--format", file_format, stdin=exporter.stdout, stderr=subprocess.PIPE
        )
        assert exporter.stdout is not None
        exporter.stdout.close()  # the importer's now: it alone holds the pipe's reading end
        try:
            _, imported = importer.communicate(timeout=COMMAND_SECONDS)
        finally:
            kill_group(importer)
        _, exported = exporter.communicate(timeout=COMMAND_SECONDS)
    finally:
        kill_group(exporter)
    assert (exporter.returncode, importer.returncode) == (ExitCode.OK, ExitCode.OK), exported + imported
    return exported, imported


@pytest.mark.parametrize("file_format", ["jsonl", "csv"])
def test_export_piped_into_import_restores_every_field_in_an_empty_database(
    durable_url: str, empty_database_url: str, file_format: str
) -> None:
    source = in_store(durable_url, varied)
    exported, imported = piped(durable_url, empty_database_url, file_format)
    assert exported.decode().splitlines()[-1].startswith(f"exported {len(source)} items in ")
    assert imported.decode().splitlines()[-1].startswith(f"imported {len(source)} items ({len(source)} new, ")
    assert in_store(empty_database_url, every_item) == source
    # The store numbers new items after the restored ones.
    created = Items(items_env(empty_database_url))(
        "create", *cli_create_args(name="after the restore"), "-o", "json"
    )
    assert orjson.loads(created.stdout)["id"] == max(item.id or 0 for item in source) + 1


def test_each_line_is_an_item_in_the_api_shape_in_id_order(durable_url: str) -> None:
    source = in_store(durable_url, varied)
    exported = Items(items_env(durable_url))("export")
    assert exported.exit_code == ExitCode.OK, exported.stderr
    assert exported.stdout_bytes.splitlines() == [item_json(item) for item in source]
    assert orjson.loads(exported.stdout_bytes.splitlines()[0])["created_at"].endswith("Z")


def test_a_csv_file_gets_a_header_row_and_appears_once_whole(tmp_path: Path) -> None:
    items = Items(items_env(f"sqlite+aiosqlite:///{tmp_path / 'items.db'}"))
    items("import", "-", input=jsonl(new_items(3)))
    target = tmp_path / "items.csv"
    assert items("export", str(target), "--quiet").exit_code == ExitCode.OK
    lines = target.read_text().splitlines()
    assert (lines[0].split(","), len(lines)) == (list(ANSWER_FIELDS), 4)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["items.csv", "items.db"]


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "items.jsonl"
    result = Items(items_env("postgresql+asyncpg://postgres@127.0.0.1:1/none"))("export", str(target))
    assert result.exit_code == ExitCode.UNAVAILABLE
    assert list(tmp_path.iterdir()) == []


def test_an_export_is_one_snapshot_while_writes_commit(durable_url: str) -> None:
    items = Items(items_env(durable_url))
    # More than the pipe and stdout's buffer hold: the exporter is still reading pages, blocked on
    # writing, while the writes below commit.
    assert items("import", "-", "--quiet", input=jsonl(new_items(3000))).exit_code == ExitCode.OK
    before = in_store(durable_url, every_item)
    exporter = items_process(durable_url, "export", "--quiet", stdout=subprocess.PIPE)
    try:
        assert exporter.stdout is not None
        first = exporter.stdout.readline()
        assert items("update", "3000", "--name", "renamed meanwhile").exit_code == ExitCode.OK
        assert items("delete", "2999").exit_code == ExitCode.OK
        assert items("create", *cli_create_args(name="created meanwhile")).exit_code == ExitCode.OK
        rest = exporter.stdout.read()
        assert exporter.wait(timeout=COMMAND_SECONDS) == ExitCode.OK
    finally:
        kill_group(exporter)
    assert [first, *rest.splitlines(keepends=True)] == [item_json(item) + b"\n" for item in before]


def test_a_reader_that_stops_early_ends_the_export_with_exit_141_and_one_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'items.db'}"
    # More than the pipe holds, so the export is still writing when the reader goes (`| head -1`).
    assert (
        Items(items_env(url))("import", "-", "--quiet", input=jsonl(new_items(3000))).exit_code == ExitCode.OK
    )
    exporter = items_process(url, "export", "--quiet", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert exporter.stdout is not None
        exporter.stdout.readline()
        exporter.stdout.close()
        _, stderr = exporter.communicate(timeout=COMMAND_SECONDS)
    finally:
        kill_group(exporter)
    assert exporter.returncode == ExitCode.OUTPUT_CLOSED
    assert stderr.decode().splitlines() == ["error: the output was closed before the end (broken pipe)"]
