"""Compiled Core statements run on the driver's own connection: asyncpg or aiosqlite.

SQLAlchemy's AsyncConnection costs several greenlet switches per statement, and on SQLite its
cursor adapter makes four hops to aiosqlite's thread (cursor, execute, fetch, close); those cost
more CPU than the statements themselves. Here a statement is one driver call: asyncpg's
fetch/fetchrow/execute (so asyncpg's own instrumentation sees each statement), or one aiosqlite
call (one hop). Errors leave as domain errors (errors.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

import aiosqlite
import asyncpg
from asyncpg.transaction import Transaction
from sqlalchemy import Column
from sqlalchemy.sql import ClauseElement

from adapters.sqlalchemy.compiled import StatementCompiler
from adapters.sqlalchemy.engine import SQLITE_BEGIN_WRITE
from adapters.sqlalchemy.errors import translated_errors
from domain.errors import DomainError

Row = Sequence[Any]
Parameters = Mapping[str, Any]


class Statements(ABC):
    """One connection's statements and transaction, in the driver's terms."""

    # Whether the connection is still usable after a statement on it was cancelled midway.
    survives_interruption = True

    def __init__(self, compile_: StatementCompiler) -> None:
        self._compile = compile_
        self.dialect_name = compile_.dialect.name

    async def rows(self, statement: ClauseElement, parameters: Parameters) -> Sequence[Row]:
        compiled = self._compile(statement, tuple(parameters))
        with translated_errors():
            found = await self._fetch(compiled.sql, compiled.arguments(parameters))
        if not compiled.column_conversions:
            return found
        return [compiled.row(row) for row in found]

    async def row(self, statement: ClauseElement, parameters: Parameters) -> Row | None:
        found = await self.rows(statement, parameters)
        return found[0] if found else None

    def json_rows(self, columns: Sequence[Column[Any]], rows: Iterable[Sequence[Any]]) -> str:
        """A batch of rows as one parameter (compiled.StatementCompiler.json_rows)."""
        return self._compile.json_rows(columns, rows)

    async def execute(self, statement: ClauseElement, parameters: Parameters) -> None:
        compiled = self._compile(statement, tuple(parameters))
        with translated_errors():
            await self._execute(compiled.sql, compiled.arguments(parameters))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A transaction around the block, committed when it ends well; inside a unit of work's
        own transaction the block simply joins it (and the unit commits)."""
        if self.in_transaction():
            yield
            return
        await self.begin()
        try:
            yield
        except BaseException:
            if not self.is_closed():
                # The block's own error is the one to report; a failed rollback only adds noise.
                with suppress(DomainError):
                    await self.rollback()
            raise
        await self.commit()

    async def begin(self, *, snapshot: bool = False) -> None:
        """A write transaction; with `snapshot`, a read-only one whose reads all see one moment."""
        with translated_errors():
            await (self._begin_snapshot() if snapshot else self._begin())

    async def commit(self) -> None:
        with translated_errors():
            await self._commit()

    async def rollback(self) -> None:
        with translated_errors():
            await self._rollback()

    @abstractmethod
    async def _fetch(self, sql: str, arguments: list[Any]) -> Sequence[Row]: ...

    @abstractmethod
    async def _execute(self, sql: str, arguments: list[Any]) -> None: ...

    @abstractmethod
    async def _begin(self) -> None: ...

    @abstractmethod
    async def _begin_snapshot(self) -> None: ...

    @abstractmethod
    async def _commit(self) -> None: ...

    @abstractmethod
    async def _rollback(self) -> None: ...

    @abstractmethod
    def in_transaction(self) -> bool: ...

    @abstractmethod
    def is_closed(self) -> bool:
        """Whether the connection is gone (the server closed it, or it was cut)."""


class AsyncpgStatements(Statements):
    survives_interruption = False

    def __init__(self, connection: asyncpg.Connection, compile_: StatementCompiler) -> None:
        super().__init__(compile_)
        self._connection = connection
        self._transaction: Transaction | None = None

    async def _fetch(self, sql: str, arguments: list[Any]) -> Sequence[Row]:
        records: list[asyncpg.Record] = await self._connection.fetch(sql, *arguments)
        return records

    async def row(self, statement: ClauseElement, parameters: Parameters) -> Row | None:
        # fetchrow, not fetch: what a lone row asks asyncpg for (and what its tracing names).
        compiled = self._compile(statement, tuple(parameters))
        with translated_errors():
            found = await self._connection.fetchrow(compiled.sql, *compiled.arguments(parameters))
        return found if found is None else compiled.row(found)

    async def _execute(self, sql: str, arguments: list[Any]) -> None:
        await self._connection.execute(sql, *arguments)

    async def _begin(self) -> None:
        transaction = self._connection.transaction()
        await transaction.start()
        self._transaction = transaction

    async def _begin_snapshot(self) -> None:
        transaction = self._connection.transaction(isolation="repeatable_read", readonly=True)
        await transaction.start()
        self._transaction = transaction

    async def _commit(self) -> None:
        transaction, self._transaction = self._transaction, None
        assert transaction is not None, "commit without a transaction"
        await transaction.commit()

    async def _rollback(self) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is not None:
            await transaction.rollback()

    def in_transaction(self) -> bool:
        return bool(self._connection.is_in_transaction())

    def is_closed(self) -> bool:
        return bool(self._connection.is_closed())


class AiosqliteStatements(Statements):
    """The connection runs in the driver's autocommit mode (engine.py): transactions are explicit.
    A cancelled call still runs to its end on aiosqlite's thread, and calls after it queue behind."""

    def __init__(self, connection: aiosqlite.Connection, compile_: StatementCompiler) -> None:
        super().__init__(compile_)
        self._connection = connection

    async def _fetch(self, sql: str, arguments: list[Any]) -> Sequence[Row]:
        return list(await self._connection.execute_fetchall(sql, arguments))

    async def _execute(self, sql: str, arguments: list[Any]) -> None:
        await self._connection.execute(sql, arguments)

    async def _begin(self) -> None:
        await self._connection.execute(SQLITE_BEGIN_WRITE)

    async def _begin_snapshot(self) -> None:
        # A deferred transaction: in WAL mode its first read fixes what every later read sees,
        # without taking the write lock.
        await self._connection.execute("BEGIN DEFERRED")

    async def _commit(self) -> None:
        await self._connection.commit()

    async def _rollback(self) -> None:
        if self._connection.in_transaction:
            await self._connection.rollback()

    def in_transaction(self) -> bool:
        return bool(self._connection.in_transaction)

    def is_closed(self) -> bool:
        return False
