"""A span per statement run on an aiosqlite connection, while tracing runs.

SQLite's statements run on aiosqlite's Connection directly (adapters/sqlalchemy/drivers.py), where
SQLAlchemy's engine events do not see them; the OpenTelemetry project keeps no aiosqlite
instrumentation, and its sqlite3 one cannot see these calls (they run on aiosqlite's own thread,
outside the request's context, through sqlite3's execute shortcut rather than a cursor). So this
does for aiosqlite what opentelemetry-instrumentation-asyncpg does for asyncpg: it wraps the
Connection's statement methods in the event loop, where the request's span is current, and names
each span after the statement's first word, with the same attributes.
"""

from collections.abc import Awaitable, Callable
from typing import Any

import aiosqlite
import wrapt
from aiosqlite.context import Result
from opentelemetry.instrumentation.utils import is_instrumentation_enabled, unwrap
from opentelemetry.trace import SpanKind, Tracer

# Every public aiosqlite call that runs SQL; commit and rollback run COMMIT and ROLLBACK.
_STATEMENTS = ("execute", "execute_fetchall", "execute_insert", "executemany")
_TRANSACTION_ENDS = {"commit": "COMMIT", "rollback": "ROLLBACK"}


class AiosqliteInstrumentation:
    def __init__(self, tracer: Tracer) -> None:
        self._tracer = tracer

    def instrument(self) -> None:
        for method in _STATEMENTS:
            wrapt.wrap_function_wrapper(aiosqlite.Connection, method, self._statement)
        for method in _TRANSACTION_ENDS:
            wrapt.wrap_function_wrapper(aiosqlite.Connection, method, self._transaction_end)

    def uninstrument(self) -> None:
        for method in (*_STATEMENTS, *_TRANSACTION_ENDS):
            unwrap(aiosqlite.Connection, method)

    def _statement(self, wrapped: Callable[..., Any], _instance: Any, args: Any, kwargs: Any) -> Any:
        sql = args[0] if args else kwargs["sql"]
        # aiosqlite answers these with a Result, which may be awaited or used with `async with`.
        return Result(self._traced(sql, wrapped(*args, **kwargs)))

    def _transaction_end(self, wrapped: Callable[..., Any], _instance: Any, args: Any, kwargs: Any) -> Any:
        return self._traced(_TRANSACTION_ENDS[wrapped.__name__], wrapped(*args, **kwargs))

    async def _traced(self, sql: str, call: Awaitable[Any]) -> Any:
        if not is_instrumentation_enabled():
            return await call
        words = sql.split(maxsplit=1)
        attributes = {"db.system": "sqlite", "db.statement": sql}
        with self._tracer.start_as_current_span(
            words[0] if words else "sqlite", kind=SpanKind.CLIENT, attributes=attributes
        ):
            # A failing statement's span records the exception and an error status.
            return await call
