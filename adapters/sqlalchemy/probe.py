"""Readiness of a SQL store: answers within a bounded time, with the schema at the code's head."""

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.errors import STORE_ERRORS
from adapters.sqlalchemy.migrator import schema_state
from domain.ports import StoreProbe


class SqlAlchemyStoreProbe(StoreProbe):
    def __init__(self, engine: AsyncEngine, timeout: float) -> None:
        self._engine = engine
        self._timeout = timeout

    async def __call__(self) -> str | None:
        try:
            async with asyncio.timeout(self._timeout):
                state = await schema_state(self._engine)
        except TimeoutError:
            return f"the database did not answer within {self._timeout:g} s"
        except STORE_ERRORS as error:
            return f"the database is unreachable ({type(error).__name__})"
        return None if state.is_current else state.advice()
