"""Migrations are a command of the image of their own: starting the service never changes a
PostgreSQL schema (the compose file's migration job runs them before the service starts)."""

from collections.abc import Iterator

import pytest

from bench.service import free_port
from entrypoints.cli.exit_codes import ExitCode
from tests.support.container import BuiltImage, run_once
from tests.support.databases import own_database

pytestmark = [pytest.mark.container, pytest.mark.postgres]


@pytest.fixture
def empty_postgres(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The environment that points the container at a new PostgreSQL database with nothing in it."""
    for database_url in own_database("postgres", "migrations", request, tmp_path_factory):
        yield {"DATABASE_URL": database_url}


def _items(image: BuiltImage, database: dict[str, str], *command: str) -> tuple[int, str, str]:
    """`items COMMAND` in a one-shot container on the host's network (its PostgreSQL is on 127.0.0.1)."""
    result = run_once(image.id, "--network=host", "--read-only", env=database, command=command)
    return result.returncode, result.stdout, result.stderr


def test_the_service_refuses_a_schema_its_migration_job_has_not_made(
    image: BuiltImage, empty_postgres: dict[str, str]
) -> None:
    # Should it serve after all, then on the loopback only.
    loopback = {"HOST": "127.0.0.1", "PORT": str(free_port())}
    code, _, error = _items(image, {**empty_postgres, **loopback}, "serve")
    assert code == ExitCode.SCHEMA_NOT_CURRENT, error
    assert "items migrate upgrade" in error
    # Starting changed nothing: the database is still without a schema.
    assert _items(image, empty_postgres, "migrate", "current")[1].startswith("current: none")


def test_migrate_upgrade_brings_an_empty_database_to_the_codes_revision(
    image: BuiltImage, empty_postgres: dict[str, str]
) -> None:
    upgraded, output, error = _items(image, empty_postgres, "migrate", "upgrade")
    current, state, _ = _items(image, empty_postgres, "migrate", "current")
    assert upgraded == ExitCode.OK, error
    assert output.startswith("schema: none -> ")
    assert current == ExitCode.OK, state
