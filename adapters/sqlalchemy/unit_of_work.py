"""A unit of work is one pooled connection and, for writers, one transaction.

The connection comes from SQLAlchemy's pool, which keeps its size, time-out, pings, metrics events
and disconnect handling; the statements run on the driver connection inside it (drivers.py).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from adapters.sqlalchemy.change_feed import SqlAlchemyChangeFeed
from adapters.sqlalchemy.compiled import StatementCompiler
from adapters.sqlalchemy.drivers import AiosqliteStatements, AsyncpgStatements, Statements
from adapters.sqlalchemy.errors import translated_errors
from adapters.sqlalchemy.idempotency import SqlAlchemyIdempotencyKeys
from adapters.sqlalchemy.pool_invalidation import invalidate_pool
from adapters.sqlalchemy.relay_checkpoints import SqlAlchemyRelayCheckpoints
from adapters.sqlalchemy.repository import SqlAlchemyItemRepository
from adapters.sqlalchemy.writer_turns import WriterTurns
from domain.errors import StorageUnavailable
from domain.ports import UnitOfWork


class SqlAlchemyUnitOfWork(UnitOfWork):
    items: SqlAlchemyItemRepository
    idempotency: SqlAlchemyIdempotencyKeys
    changes: SqlAlchemyChangeFeed
    relays: SqlAlchemyRelayCheckpoints

    def __init__(self, factory: SqlAlchemyUnitOfWorkFactory, *, read_only: bool) -> None:
        self._factory = factory
        # Readers and single writes run without a transaction: a lone statement is atomic by itself.
        self._transactional = not read_only
        self._snapshot = False
        self._writer_turns = None if read_only else factory.writer_turns
        self._pooled: PoolProxiedConnection | None = None
        self._statements: Statements | None = None
        self._in_transaction = False
        self._holds_writer = False

    def single_write(self) -> Self:
        self._transactional = False
        return self

    def snapshot(self) -> Self:
        self._transactional = self._snapshot = True
        return self

    async def __aenter__(self) -> Self:
        if self._writer_turns is not None:
            await self._writer_turns.acquire()
            self._holds_writer = True
        try:
            with translated_errors():
                # The pool may connect or ping here, which SQLAlchemy does inside a greenlet.
                self._pooled = await greenlet_spawn(self._factory.engine.sync_engine.pool.connect)
            self._statements = self._factory.statements(self._pooled.driver_connection)
            if self._transactional:
                try:
                    await self._statements.begin(snapshot=self._snapshot)
                except BaseException:
                    # BEGIN fails when the database is locked or gone: hand the connection back,
                    # or every failed request would keep one until the pool runs dry.
                    self._give_back()
                    raise
                self._in_transaction = True
        except BaseException:
            self._release_writer()
            raise
        self.items = SqlAlchemyItemRepository(self._statements)
        self.idempotency = SqlAlchemyIdempotencyKeys(self._statements)
        self.changes = SqlAlchemyChangeFeed(self._statements)
        self.relays = SqlAlchemyRelayCheckpoints(self._statements)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        discard: BaseException | None = None
        try:
            if self._pooled is not None:
                try:
                    if self._left_unusable(exc):
                        # asyncpg's connection is in an unknown state (it may still count an
                        # operation as in progress): never reuse it. Closing it is the rollback
                        # (the server ends a dead session's transaction).
                        discard = exc
                    else:
                        await self.rollback()
                finally:
                    self._give_back(discard)
        finally:
            self._release_writer()

    async def commit(self) -> None:
        assert self._statements is not None, "commit outside the unit of work"
        if self._in_transaction:
            self._in_transaction = False
            await self._statements.commit()

    async def rollback(self) -> None:
        if self._in_transaction and self._statements is not None:
            self._in_transaction = False
            if not self._statements.is_closed():
                await self._statements.rollback()

    def _left_unusable(self, exc: BaseException | None) -> bool:
        """Whether the unit ended by a store failure or a cancellation mid-statement, on a driver
        whose connection does not survive one (asyncpg)."""
        if exc is None or self._statements is None or self._statements.survives_interruption:
            return False
        return isinstance(exc, StorageUnavailable) or not isinstance(exc, Exception)

    def _give_back(self, discard: BaseException | None = None) -> None:
        """Hand the connection back to the pool, or, with `discard` (why), close it instead."""
        pooled, self._pooled = self._pooled, None
        if pooled is None:
            return
        if self._statements is not None and self._statements.is_closed():
            # The server closed it (a restart, an outage): every connection pooled before now is
            # as stale, so the pool replaces them all at their next checkout, as SQLAlchemy's own
            # disconnect handling does, instead of each one failing a request first.
            invalidate_pool(self._factory.engine.sync_engine.pool, pooled)
        elif discard is not None:
            pooled.invalidate(discard)
        else:
            pooled.close()

    def _release_writer(self) -> None:
        if self._holds_writer and self._writer_turns is not None:
            self._holds_writer = False
            self._writer_turns.release()


class SqlAlchemyUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.writer_turns = WriterTurns.for_engine(engine) if engine.dialect.name == "sqlite" else None
        self._compile = StatementCompiler(engine.dialect)
        self._statements = AsyncpgStatements if engine.dialect.name == "postgresql" else AiosqliteStatements

    def statements(self, driver_connection: object) -> Statements:
        return self._statements(driver_connection, self._compile)  # type: ignore[arg-type]

    def __call__(self, *, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self, read_only=read_only)
