"""The private names of dependencies the service relies on, one test per fence: each fails, naming
the fence to rewrite, the day an upgrade removes the name or changes what it does."""

import logging
import sqlite3
from typing import Any

import pytest
from sqlalchemy.pool import Pool, QueuePool

from adapters.sqlalchemy.pool_invalidation import invalidate_pool
from entrypoints.observability.logs import skip_caller_lookup


def _in_memory() -> Any:
    """A driver connection that needs nothing (SQLAlchemy types it as its DBAPI protocol)."""
    return sqlite3.connect(":memory:")


def test_sqlalchemy_can_still_mark_a_whole_pool_stale() -> None:
    fence = "adapters/sqlalchemy/pool_invalidation.py"
    assert hasattr(Pool, "_invalidate"), f"SQLAlchemy no longer has Pool._invalidate: rewrite {fence}"
    pool = QueuePool(_in_memory, pool_size=2)
    idle, failed = pool.connect(), pool.connect()
    idle_driver_connection = idle.dbapi_connection
    idle.close()

    invalidate_pool(pool, failed)

    assert not failed.is_valid, f"{fence} no longer closes the connection that failed"
    replaced = pool.connect()
    assert replaced.dbapi_connection is not idle_driver_connection, (
        f"{fence} no longer has the pool replace the connections made before the failure"
    )
    replaced.close()
    pool.dispose()


def test_logging_can_still_skip_the_caller_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    fence = "entrypoints.observability.logs.skip_caller_lookup"
    assert hasattr(logging, "_srcfile"), f"logging no longer has _srcfile: rewrite {fence}"
    # The value logging gives it at import, so that records find their caller before the switch.
    monkeypatch.setattr(logging, "_srcfile", logging.addLevelName.__code__.co_filename)
    records: list[logging.LogRecord] = []
    logger = logging.getLogger("tests.private_names")
    monkeypatch.setattr(logger, "handle", records.append)
    logger.critical("found")

    skip_caller_lookup()
    logger.critical("skipped")

    found, skipped = (record.funcName for record in records)
    assert found == "test_logging_can_still_skip_the_caller_lookup"
    assert skipped == "(unknown function)", f"{fence} no longer stops records finding their caller"
