"""A unit of work is one connection and, for writers, one transaction."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sqlalchemy.engine import READ_ONLY_OPTIONS
from adapters.sqlalchemy.errors import translated_errors
from adapters.sqlalchemy.idempotency import SqlAlchemyIdempotencyKeys
from adapters.sqlalchemy.repository import SqlAlchemyItemRepository
from adapters.sqlalchemy.writer_turns import WriterTurns
from domain.ports import UnitOfWork


class SqlAlchemyUnitOfWork(UnitOfWork):
    items: SqlAlchemyItemRepository
    idempotency: SqlAlchemyIdempotencyKeys

    def __init__(self, engine: AsyncEngine, *, read_only: bool, writer_turns: WriterTurns | None) -> None:
        self._engine = engine
        self._read_only = read_only
        self._read_options = READ_ONLY_OPTIONS[engine.dialect.name]
        self._writer_turns = None if read_only else writer_turns
        self._connection: AsyncConnection | None = None
        self._holds_writer = False

    async def __aenter__(self) -> Self:
        if self._writer_turns is not None:
            await self._writer_turns.acquire()
            self._holds_writer = True
        try:
            with translated_errors():
                connection = await self._engine.connect()
                try:
                    if self._read_only:
                        # A lone SELECT needs no BEGIN/COMMIT round trips around it.
                        await connection.execution_options(**self._read_options)
                    else:
                        await connection.begin()
                except BaseException:
                    # BEGIN fails when the database is locked or gone: hand the connection back,
                    # or every failed request would keep one until the pool runs dry.
                    await connection.close()
                    raise
        except BaseException:
            self._release_writer()
            raise
        self._connection = connection
        self.items = SqlAlchemyItemRepository(connection)
        self.idempotency = SqlAlchemyIdempotencyKeys(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._connection is not None:
                try:
                    await self.rollback()
                finally:
                    await self._connection.close()
        finally:
            self._release_writer()

    async def commit(self) -> None:
        assert self._connection is not None, "commit outside the unit of work"
        with translated_errors():
            await self._connection.commit()

    async def rollback(self) -> None:
        if self._connection is not None and self._connection.in_transaction():
            with translated_errors():
                await self._connection.rollback()

    def _release_writer(self) -> None:
        if self._holds_writer and self._writer_turns is not None:
            self._holds_writer = False
            self._writer_turns.release()


class SqlAlchemyUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._writer_turns = WriterTurns.for_engine(engine) if engine.dialect.name == "sqlite" else None

    def __call__(self, *, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine, read_only=read_only, writer_turns=self._writer_turns)
