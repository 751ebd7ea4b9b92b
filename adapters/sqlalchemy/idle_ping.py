"""Connections that sat idle in the pool are checked before use; busy ones are not.

Pinging on every checkout (pool_pre_ping) costs asyncpg three round trips (BEGIN, ";", ROLLBACK)
per request. Under load a connection comes back and goes out again within milliseconds, and its
last statement just showed it alive. One that sat idle may have been cut by a database restart
meanwhile, and the first request after a quiet restart must not be the one to find out: it is
pinged, and a dead one is replaced (SQLAlchemy then also drops the rest of the pool).
"""

from time import monotonic
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine

IDLE_SECONDS_BEFORE_PING = 0.5
_RETURNED_AT = "returned_at"


def ping_when_idle(engine: AsyncEngine, idle_seconds: float = IDLE_SECONDS_BEFORE_PING) -> None:
    pool, dialect = engine.sync_engine.pool, engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def _stamp(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = monotonic()

    @event.listens_for(pool, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # A new connection has no stamp (record.info is cleared when one is replaced).
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or monotonic() - returned_at < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError(f"an idle connection failed its ping: {error}") from error
