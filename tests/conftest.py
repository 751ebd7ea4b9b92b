"""Backends for the tests: memory always; SQLite on a temp file; PostgreSQL when reachable.

PostgreSQL: TEST_DATABASE_URL names a server database to connect through (default: the local
`test` database). The session creates its own database beside it and drops it at the end.
Under CI=true an unreachable server fails the run instead of skipping.

What each fault or cluster test measured (`fault_report`) is printed as it runs and again in a
"fault tests" section at the end of the run, so the figures are in every test log, not only
under `pytest -s`.
"""

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from hypothesis import settings
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.memory import MemoryUnitOfWorkFactory
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.migrator import upgrade
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from bench.database import admin
from domain.ports import UnitOfWorkFactory
from tests.support.databases import own_database

# Property-based tests: HYPOTHESIS_PROFILE=ci (the default: quick, what `make test` runs) or soak
# (`make soak`: many more examples). No deadline: an example's time depends on the machine's load.
settings.register_profile("ci", max_examples=50, deadline=None)
settings.register_profile("soak", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# A fault report travels as a user property of the test's report, so that it reaches the run's
# summary from xdist's worker processes too.
_FAULT_REPORT = "fault_report"
_REPORTED: list[str] = []


@pytest.fixture
def fault_report(request: pytest.FixtureRequest) -> Callable[[str], None]:
    def report(text: str) -> None:
        print(text)
        request.node.user_properties.append((_FAULT_REPORT, text))

    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Every phase's report carries the properties so far; the teardown's has them all.
    if report.when == "teardown":
        _REPORTED.extend(str(text) for name, text in report.user_properties if name == _FAULT_REPORT)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if lines := _REPORTED:
        terminalreporter.section("fault tests")
        for line in lines:
            terminalreporter.write_line(line)


DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BACKENDS = ["memory", "sqlite", "postgres"]


async def _migrated(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a database of this session's own, its schema at head, or a skip saying why there is
    none."""
    server_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
    name = f"items_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(admin(server_url, f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        reason = f"PostgreSQL unreachable at {make_url(server_url)!r}: {error!r}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true requires it)")
        pytest.skip(reason)
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        asyncio.run(_migrated(url))
        yield url
    finally:
        asyncio.run(admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file holding the schema at head and nothing else, made once per test process: each
    test's SQLite store starts as a copy of it (migrating a new file per test cost 0.2 s each)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "items.db"
    asyncio.run(_migrated(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh, empty store's URL per test, for each backend, its schema at head."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        copy = tmp_path_factory.mktemp("sqlite") / "items.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), copy)
        return f"sqlite+aiosqlite:///{copy}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def uow_factory(database_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    if database_url == "memory://":
        yield MemoryUnitOfWorkFactory()
        return
    engine = create_engine(database_url)
    try:
        # The pool's first connection (and SQLAlchemy's first-connect statements) before the test,
        # as `items serve`'s schema check makes it at start-up.
        async with engine.connect():
            pass
        # The store's schema is at head already (database_url): what earlier tests left is cleared.
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                await connection.execute(
                    text("TRUNCATE items, idempotency_keys, item_changes, relays RESTART IDENTITY")
                )
                await connection.execute(
                    text("UPDATE item_changes_pruned SET transaction_id = NULL, sequence = NULL")
                )
        yield SqlAlchemyUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database with nothing in it, of this test's own: a new SQLite file or PostgreSQL database."""
    yield from own_database(request.param, "empty", request, tmp_path_factory)


@pytest.fixture(params=["sqlite", "postgres"])
def durable_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty durable store per test: a new SQLite file or a new PostgreSQL database."""
    yield from own_database(request.param, "durable", request, tmp_path_factory)
