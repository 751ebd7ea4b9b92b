"""A write that reaches a server refusing writes (a standby, or a primary just demoted by a
failover or switchover) is a 503, and its connection is replaced, not pooled again."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import make_url

from adapters.sqlalchemy.engine import EngineOptions, create_engine
from adapters.sqlalchemy.migrator import upgrade
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.create_item import CreateItem
from bench.database import admin
from domain.errors import StorageUnavailable
from tests.support.builders import a_draft
from tests.support.databases import own_database

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.fixture
def postgres_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    yield from own_database("postgres", "read_only", request, tmp_path_factory)


@pytest.mark.postgres
async def test_a_write_refused_as_read_only_is_a_503_and_its_connection_is_replaced(
    postgres_database: str, postgres_url: str
) -> None:
    # One pooled connection: the write after the refusal runs on it unless it was replaced.
    engine = create_engine(postgres_database, EngineOptions(db_pool_size=1))
    database = make_url(postgres_database).database
    create = CreateItem(SqlAlchemyUnitOfWorkFactory(engine), lambda: NOW)
    try:
        await upgrade(engine)
        await engine.dispose()  # the pool starts empty: its connection is made after the next line
        # A standby's refusal (SQLSTATE 25006), for the sessions that start from now on.
        await admin(postgres_database, f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
        with pytest.raises(StorageUnavailable):
            await create(a_draft(name="refused"))
        # The primary is writable again: a session started before now would still be read-only.
        # (From the session's database: a new session on this one is read-only itself.)
        await admin(postgres_url, f'ALTER DATABASE "{database}" RESET default_transaction_read_only')
        assert (await create(a_draft(name="accepted"))).name == "accepted"
    finally:
        await engine.dispose()
