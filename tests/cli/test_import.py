"""`items import` streams a JSON Lines or CSV file in batches through CreateItems; the first bad line
stops it, naming the line and why, with only the whole batches before it committed; the same command
run again after the fix imports the rest, and nothing twice."""

import re
from collections.abc import Sequence
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from domain.item import CLIENT_FIELDS, NAME_MAX_LENGTH
from entrypoints.cli.exit_codes import ExitCode
from tests.support.builders import ITEM_FIELDS, LEFT_OUT, UNKNOWN_FIELD, a_stored_item, item_body
from tests.support.cli import Items, items_env
from tests.support.databases import in_store
from tests.support.item_files import Line, csv_items, csv_of, jsonl, new_items
from tests.support.stores import every_item

BATCH = 10
SUMMARY = re.compile(
    r"^imported ([\d,]+) items \(([\d,]+) new, ([\d,]+) already imported\) in \d+\.\d s, [\d,]+ items/s$"
)


@pytest.fixture
def items(durable_url: str) -> Items:
    return Items(items_env(durable_url))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """For what does not depend on the store: reading and checking the file."""
    return f"sqlite+aiosqlite:///{tmp_path / 'items.db'}"


@pytest.fixture
def sqlite_items(sqlite_url: str) -> Items:
    return Items(items_env(sqlite_url))


def summary(stderr: str) -> tuple[int, int, int]:
    """The summary's counts: items, new ones, ones an earlier run had imported."""
    found = SUMMARY.match(stderr.splitlines()[-1])
    assert found, stderr
    total, new, already = (int(count.replace(",", "")) for count in found.groups())
    return total, new, already


def stored_fields(database_url: str) -> list[dict[str, object]]:
    """The client fields of every stored item, in id order: comparable with the file's bodies."""
    return [
        {field: getattr(item, field) for field in CLIENT_FIELDS}
        for item in in_store(database_url, every_item)
    ]


def a_file(tmp_path: Path, content: bytes, name: str = "items.jsonl") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def with_line(lines: Sequence[Line], number: int, line: Line) -> list[Line]:
    """The lines with line `number` (from 1) replaced."""
    return [*lines[: number - 1], line, *lines[number:]]


def test_a_jsonl_file_is_imported_in_batches(items: Items, durable_url: str, tmp_path: Path) -> None:
    bodies = new_items(25)
    result = items("import", a_file(tmp_path, jsonl(bodies)), "--batch-size", str(BATCH))
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout == ""
    assert summary(result.stderr) == (25, 25, 0)
    assert stored_fields(durable_url) == bodies


def test_a_csv_file_is_imported(items: Items, durable_url: str, tmp_path: Path) -> None:
    # Values CSV must quote: separators, quotes, line breaks (one record over several lines), non-ASCII.
    bodies = [
        item_body(name=f"item {n}", description=text)
        for n, text in enumerate(
            ["plain", "a, b", 'say "hi"', "two\nlines", "three\r\nlines\n", "Straße ΩΩ", ""]
        )
    ]
    result = items("import", a_file(tmp_path, csv_items(bodies), "items.csv"), "--batch-size", "3")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert summary(result.stderr) == (7, 7, 0)
    assert stored_fields(durable_url) == bodies


def test_stdin_is_read_as_jsonl_or_as_the_format_given(sqlite_items: Items, sqlite_url: str) -> None:
    bodies = new_items(4)
    assert sqlite_items("import", "-", input=jsonl(bodies[:2])).exit_code == ExitCode.OK
    assert (
        sqlite_items("import", "-", "--format", "csv", input=csv_items(bodies[2:])).exit_code == ExitCode.OK
    )
    assert stored_fields(sqlite_url) == bodies


def test_a_description_may_be_left_out(sqlite_items: Items, sqlite_url: str, tmp_path: Path) -> None:
    result = sqlite_items("import", a_file(tmp_path, jsonl([item_body(description=LEFT_OUT)])))
    assert result.exit_code == ExitCode.OK, result.stderr
    assert stored_fields(sqlite_url) == [item_body(description="")]


def test_a_bad_line_stops_the_import_after_the_whole_batches_before_it(
    items: Items, durable_url: str, tmp_path: Path
) -> None:
    bodies = new_items(25)
    too_long = item_body(name="x" * (NAME_MAX_LENGTH + 1))
    result = items(
        "import", a_file(tmp_path, jsonl(with_line(bodies, 23, too_long))), "--batch-size", str(BATCH)
    )
    assert result.exit_code == ExitCode.INVALID_INPUT
    *_, stopped, error = result.stderr.splitlines()
    assert error == f"error: line 23: name: must be 1 to {NAME_MAX_LENGTH} characters long"
    assert stopped.startswith("stopped at line 23 after importing 20 items (20 new, 0 already imported); fix")
    assert "run the same command again" in stopped
    assert stored_fields(durable_url) == bodies[:20]


def test_fixing_the_bad_line_and_running_again_imports_the_rest_once(
    items: Items, durable_url: str, tmp_path: Path
) -> None:
    bodies = new_items(25)
    path = a_file(tmp_path, jsonl(with_line(bodies, 23, item_body(name=""))))
    assert items("import", path, "--batch-size", str(BATCH)).exit_code == ExitCode.INVALID_INPUT
    Path(path).write_bytes(jsonl(bodies))
    again = items("import", path, "--batch-size", str(BATCH))
    assert again.exit_code == ExitCode.OK, again.stderr
    assert summary(again.stderr) == (25, 5, 20)
    assert stored_fields(durable_url) == bodies


def _exported(**overrides: object) -> dict[str, object]:
    """An exported item's line, as `items export` writes it."""
    item = a_stored_item(id=7, version=3)
    return {
        "id": item.id,
        **item_body(),
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
        "version": item.version,
        **overrides,
    }


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not JSON", "is not JSON (unexpected character"),
        ('["a", "list"]', "is not a JSON object"),
        (
            {**item_body(), UNKNOWN_FIELD: 1},
            f"unknown field {UNKNOWN_FIELD}: a new item has ",
        ),
        (item_body(name=LEFT_OUT), "lacks name: new items have name"),
        ({**item_body(), "description": 7}, "description: must be text"),
        ({**item_body(), "name": None}, "name: must be text"),
        (_exported(), "is not of the kind of the lines before it (new items)"),
    ],
)
def test_a_bad_new_item_line_is_refused_with_its_number_and_why(
    sqlite_items: Items, sqlite_url: str, tmp_path: Path, line: Line, reason: str
) -> None:
    path = a_file(tmp_path, jsonl(with_line(new_items(5), 3, line)))
    result = sqlite_items("import", path, "--batch-size", "2")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.splitlines()[-1].startswith(f"error: line 3: {reason}"), result.stderr
    assert len(stored_fields(sqlite_url)) == 2


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (_exported(id=0), "id: must be 1 to 9223372036854775807"),
        (_exported(id="8"), "id: must be a whole number"),
        (_exported(id=True), "id: must be a whole number"),
        (_exported(version=0), "version: must be at least 1"),
        (_exported(created_at="2026-03-04T05:06:07"), "created_at: must be an RFC 3339 time with its offset"),
        (_exported(updated_at="yesterday"), "updated_at: must be an RFC 3339 time with its offset"),
        ({key: value for key, value in _exported().items() if key != "version"}, "lacks version"),
        (item_body(), "is not of the kind of the lines before it (exported items)"),
    ],
)
def test_a_bad_exported_item_line_is_refused_with_its_number_and_why(
    sqlite_items: Items, sqlite_url: str, tmp_path: Path, line: Line, reason: str
) -> None:
    path = a_file(tmp_path, jsonl([_exported(id=1), _exported(id=2), line]))
    result = sqlite_items("import", path, "--batch-size", "2")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.splitlines()[-1].startswith(f"error: line 3: {reason}"), result.stderr
    assert [item.id for item in in_store(sqlite_url, every_item)] == [1, 2]


# A CSV file of two new items (lines 1 to 3), for a bad fourth line.
TWO_NEW = csv_items([item_body(name="a"), item_body(name="b")])


@pytest.mark.parametrize(
    ("content", "number", "reason"),
    [
        (csv_of(["name", UNKNOWN_FIELD], [["a", "b"]]), 1, f"unknown column {UNKNOWN_FIELD}"),
        (csv_of(["description"], [["a"]]), 1, "lacks name"),
        (csv_of(["name", "name"], [["a", "b"]]), 1, "names a column twice"),
        (TWO_NEW + b"c\n", 4, f"has 1 values where the header has {len(ITEM_FIELDS)} columns"),
        (TWO_NEW + b'"c"d\n', 4, "is not CSV"),
        (TWO_NEW + b"\xff\n", 4, "is not UTF-8 text"),
    ],
)
def test_a_bad_csv_header_or_row_is_refused_with_its_number_and_why(
    sqlite_items: Items, sqlite_url: str, tmp_path: Path, content: bytes, number: int, reason: str
) -> None:
    result = sqlite_items("import", a_file(tmp_path, content, "items.csv"), "--batch-size", "2")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.splitlines()[-1].startswith(f"error: line {number}: {reason}"), result.stderr
    # A bad header is found before any row is read; a bad row after the whole batches before it.
    assert len(stored_fields(sqlite_url)) == (0 if number == 1 else 2)


def test_exported_items_are_restored_with_their_ids_times_and_versions(
    sqlite_items: Items, sqlite_url: str, tmp_path: Path
) -> None:
    item = a_stored_item(id=41, version=5)
    # Any offset names the same moment, kept in UTC.
    line = _exported(
        id=41, version=5, updated_at=item.updated_at.astimezone(timezone(timedelta(hours=2))).isoformat()
    )
    result = sqlite_items("import", a_file(tmp_path, jsonl([line])))
    assert result.exit_code == ExitCode.OK, result.stderr
    assert in_store(sqlite_url, every_item) == [item]


def test_restoring_an_id_already_taken_exits_5(sqlite_items: Items, tmp_path: Path) -> None:
    path = a_file(tmp_path, jsonl([_exported(id=1)]))
    assert sqlite_items("import", path).exit_code == ExitCode.OK
    clash = a_file(tmp_path, jsonl([_exported(id=1, name="another")]), "clash.jsonl")
    result = sqlite_items("import", clash)
    assert result.exit_code == ExitCode.CONFLICT
    assert result.stderr.splitlines()[-1] == "error: Item 1 already exists"


def test_batches_default_to_and_stop_at_the_batch_max_items_setting(
    sqlite_items: Items, sqlite_url: str, tmp_path: Path
) -> None:
    path = a_file(tmp_path, jsonl(with_line(new_items(10), 7, "{")))
    refused = sqlite_items("import", path, "--batch-size", "5", BATCH_MAX_ITEMS="4")
    assert refused.exit_code == ExitCode.INVALID_INPUT
    assert (
        refused.stderr.splitlines()[-1] == "error: --batch-size: must be 1 to 4 (the BATCH_MAX_ITEMS setting)"
    )
    assert sqlite_items("import", path, BATCH_MAX_ITEMS="4").exit_code == ExitCode.INVALID_INPUT
    assert len(stored_fields(sqlite_url)) == 4


@pytest.mark.parametrize(("name", "complaint"), [("items.txt", "--format"), ("missing.jsonl", "cannot read")])
def test_a_file_of_unknown_kind_or_missing_is_a_usage_error(
    sqlite_items: Items, tmp_path: Path, name: str, complaint: str
) -> None:
    if name.endswith(".txt"):
        a_file(tmp_path, jsonl(new_items(1)), name)
    result = sqlite_items("import", str(tmp_path / name))
    assert result.exit_code == ExitCode.USAGE
    assert complaint in result.stderr


def test_progress_and_summary_go_to_stderr_and_quiet_silences_them(
    sqlite_items: Items, tmp_path: Path
) -> None:
    path = a_file(tmp_path, jsonl(new_items(3)))
    shown = sqlite_items("import", path)
    assert (shown.stdout, summary(shown.stderr)) == ("", (3, 3, 0))
    quiet = sqlite_items("import", path, "--quiet")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (ExitCode.OK, "", "")
