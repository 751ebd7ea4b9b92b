"""Readiness of a SQL store: answers within a bounded time, with the schema at the code's head,
and, for SQLite, files this process may write (a read-only file still answers every read)."""

import asyncio
import os
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.engine import sqlite_file
from adapters.sqlalchemy.errors import STORE_ERRORS
from adapters.sqlalchemy.migrator import schema_state
from domain.ports import StoreProbe


def _sqlite_files(engine: AsyncEngine) -> tuple[Path, ...]:
    path = sqlite_file(engine.url) if engine.dialect.name == "sqlite" else None
    return () if path is None else (path, path.with_name(path.name + "-wal"))


class SqlAlchemyStoreProbe(StoreProbe):
    def __init__(self, engine: AsyncEngine, timeout: float) -> None:
        self._engine = engine
        self._timeout = timeout
        self._files = _sqlite_files(engine)

    async def __call__(self) -> str | None:
        # access() also sees what permissions do not: an immutable file refuses even root.
        if any(path.exists() and not os.access(path, os.W_OK) for path in self._files):
            return "the SQLite database file is not writable"
        try:
            async with asyncio.timeout(self._timeout):
                state = await schema_state(self._engine)
        except TimeoutError:
            return f"the database did not answer within {self._timeout:g} s"
        except STORE_ERRORS as error:
            return f"the database is unreachable ({type(error).__name__})"
        return None if state.is_current else state.advice()
