"""The `items` command drives the same use-cases as the REST API; exit codes and errors are its contract."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from typer.testing import Result

from adapters.sqlalchemy import migrator
from bench.service import free_port
from entrypoints.cli.exit_codes import ExitCode
from entrypoints.cli.output import TABLE_COLUMNS
from tests.support.builders import cli_create_args, item_fields
from tests.support.cli import Items

# The revision the code expects and the one a step below it: read, so a new migration needs no edit here.
HEAD = migrator.head()
BEFORE_HEAD = ScriptDirectory.from_config(migrator.alembic_config()).get_revision(HEAD).down_revision


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'items.db'}"


@pytest.fixture
def items(sqlite_url: str) -> Iterator[Items]:
    yield Items({"DATABASE_URL": sqlite_url, "LOG_FORMAT": "text"})


def _single_error_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_create_then_get_returns_the_item_as_json(items: Items) -> None:
    fields = item_fields(description="short and stout")
    created = items("create", *cli_create_args(**fields), "--output", "json")
    assert created.exit_code == ExitCode.OK, created.stderr
    item = json.loads(created.stdout)
    assert {field: item[field] for field in fields} == fields and item["version"] == 1
    fetched = items("get", str(item["id"]), "-o", "json")
    assert json.loads(fetched.stdout) == item


def test_list_as_a_table_shows_a_header_and_one_row_per_item(items: Items) -> None:
    for name in ("Teapot", "Cup"):
        assert items("create", *cli_create_args(name=name)).exit_code == ExitCode.OK
    table = items("list").stdout.splitlines()
    assert table[0].split() == list(TABLE_COLUMNS)
    assert TABLE_COLUMNS[:2] == ("id", "name")
    assert [row.split()[:2] for row in table[1:]] == [["1", "Teapot"], ["2", "Cup"]]


def test_update_changes_only_the_fields_given(items: Items) -> None:
    items("create", *cli_create_args(name="Teapot", description="stout"))
    updated = json.loads(items("update", "1", "--name", "Kettle", "-o", "json").stdout)
    assert (updated["name"], updated["description"], updated["version"]) == ("Kettle", "stout", 2)


def test_a_deleted_item_is_not_found_with_exit_3(items: Items) -> None:
    items("create", *cli_create_args())
    assert items("delete", "1").exit_code == ExitCode.OK
    missing = items("get", "1")
    assert missing.exit_code == ExitCode.NOT_FOUND
    assert _single_error_line(missing) == "error: Item 1 not found"


def test_invalid_input_exits_4_with_one_line(items: Items) -> None:
    result = items("create", *cli_create_args(name="x" * 101))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "name" in _single_error_line(result)
    assert items("list", "--limit", "0").exit_code == ExitCode.INVALID_INPUT


def test_a_stale_expected_version_exits_5(items: Items) -> None:
    items("create", *cli_create_args())
    result = items("update", "1", "--name", "Kettle", "--expected-version", "7")
    assert result.exit_code == ExitCode.CONFLICT
    _single_error_line(result)


def test_an_unreachable_database_exits_6(items: Items) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none"
    result = items("list", DATABASE_URL=url, DB_CONNECT_TIMEOUT="2")
    assert result.exit_code == ExitCode.UNAVAILABLE
    assert "unavailable" in _single_error_line(result)


def test_a_schema_behind_the_code_exits_7_and_says_to_migrate(items: Items) -> None:
    result = items("list", MIGRATE_ON_START="false")
    assert result.exit_code == ExitCode.SCHEMA_NOT_CURRENT
    assert "run `items migrate upgrade`" in _single_error_line(result)


def test_an_invalid_setting_exits_8_naming_it(items: Items) -> None:
    result = items("list", DATABASE_URL="mysql://somewhere/db")
    assert result.exit_code == ExitCode.BAD_SETTINGS
    assert "DATABASE_URL" in _single_error_line(result)


def test_an_unknown_command_exits_2(items: Items) -> None:
    assert items("frobnicate").exit_code == ExitCode.USAGE


def test_migrate_upgrade_current_and_downgrade(items: Items) -> None:
    upgraded = items("migrate", "upgrade")
    assert (upgraded.exit_code, upgraded.stdout) == (ExitCode.OK, f"schema: none -> {HEAD}\n")
    assert items("migrate", "current").stdout.split() == ["current:", HEAD, "head:", HEAD]
    assert items("migrate", "downgrade", "base").exit_code == ExitCode.OK
    behind = items("migrate", "current")
    assert behind.exit_code == ExitCode.SCHEMA_NOT_CURRENT
    assert behind.stdout.split()[:2] == ["current:", "none"]


def test_migrate_to_an_unknown_revision_exits_4(items: Items) -> None:
    result = items("migrate", "downgrade", "nonsense")
    assert result.exit_code == ExitCode.INVALID_INPUT
    _single_error_line(result)


def test_migrate_downgrade_takes_a_relative_step(items: Items) -> None:
    items("migrate", "upgrade")
    stepped = items("migrate", "downgrade", "-1")
    assert (stepped.exit_code, stepped.stdout) == (ExitCode.OK, f"schema: {HEAD} -> {BEFORE_HEAD}\n")
