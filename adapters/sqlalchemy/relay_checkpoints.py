"""RelayCheckpoints in the relays table: a lease any process can take once it has run out, and
the published position, moved only by the lease's holder (a fenced write)."""

from datetime import datetime

from sqlalchemy import bindparam, or_, update
from sqlalchemy.dialects import postgresql, sqlite

from adapters.sqlalchemy.drivers import Statements
from adapters.sqlalchemy.mapping import position_from_row
from adapters.sqlalchemy.tables import relays
from domain.feed import FeedPosition, RelayLease
from domain.ports import RelayCheckpoints

_R = relays.c
_HOLD = (
    update(relays)
    .where(
        _R.name == bindparam("relay"),
        or_(_R.holder == bindparam("holder_now"), _R.lease_until <= bindparam("now")),
    )
    .values(holder=bindparam("holder_now"), lease_until=bindparam("until"))
    .returning(_R.transaction_id, _R.sequence)
)
_ADVANCE = (
    update(relays)
    .where(_R.name == bindparam("relay"), _R.holder == bindparam("holder_now"))
    .values(transaction_id=bindparam("to_transaction_id"), sequence=bindparam("to_sequence"))
    .returning(_R.name)
)
# A relay's first lease: its row, already run out, for _HOLD to take (a racing first insert is ignored).
_FIRST = {
    "postgresql": postgresql.insert(relays).on_conflict_do_nothing(),
    "sqlite": sqlite.insert(relays).on_conflict_do_nothing(),
}


class SqlAlchemyRelayCheckpoints(RelayCheckpoints):
    def __init__(self, statements: Statements) -> None:
        self._statements = statements

    async def hold(self, relay: str, holder: str, now: datetime, until: datetime) -> RelayLease | None:
        parameters = {"relay": relay, "holder_now": holder, "now": now, "until": until}
        async with self._statements.transaction():
            row = await self._statements.row(_HOLD, parameters)
            if row is None:
                first = {"name": relay, "holder": holder, "lease_until": now}
                await self._statements.execute(_FIRST[self._statements.dialect_name], first)
                row = await self._statements.row(_HOLD, parameters)
        if row is None:
            return None
        return RelayLease(relay, holder, until, position_from_row(row))

    async def advance(self, relay: str, holder: str, position: FeedPosition) -> bool:
        parameters = {
            "relay": relay,
            "holder_now": holder,
            "to_transaction_id": position.transaction,
            "to_sequence": position.sequence,
        }
        return await self._statements.row(_ADVANCE, parameters) is not None
