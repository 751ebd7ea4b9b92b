"""ChangeFeed over item_changes, which the triggers on items fill (migration 0003).

Feed order is (transaction_id, sequence). A read takes only settled changes (see
expressions.settled_transactions): on PostgreSQL a transaction that took its sequence number early
may commit after a later one, but it cannot commit after the reader's snapshot has passed its
transaction id, so a reader never moves past a change that could still appear behind it.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnClause, Tuple, bindparam, delete, literal_column, select, tuple_, update

from adapters.sqlalchemy.drivers import Statements
from adapters.sqlalchemy.expressions import settled_transactions
from adapters.sqlalchemy.mapping import CHANGE_COLUMNS, change_from_row, position_from_row
from adapters.sqlalchemy.tables import item_changes, item_changes_pruned
from domain.errors import FeedPositionPruned
from domain.feed import FeedPosition, RecordedChange
from domain.ports import ChangeFeed

_C = item_changes.c
_POSITION = tuple_(_C.transaction_id, _C.sequence)
_SETTLED = _C.transaction_id < settled_transactions()
_IN_ORDER = (_C.transaction_id, _C.sequence)
_NEWEST_FIRST = (_C.transaction_id.desc(), _C.sequence.desc())


def _after(name: str) -> Tuple:
    return tuple_(bindparam(f"{name}_transaction_id"), bindparam(f"{name}_sequence"))


# SQLite's compiler adds an OFFSET parameter to every LIMIT unless the offset is given: a literal 0.
_NO_OFFSET: ColumnClause[Any] = literal_column("0")
_READ_FROM_START = (
    select(*CHANGE_COLUMNS).where(_SETTLED).order_by(*_IN_ORDER).limit(bindparam("limit")).offset(_NO_OFFSET)
)
_READ_AFTER = _READ_FROM_START.where(_after("after") < _POSITION)
_HEAD = (
    select(_C.transaction_id, _C.sequence)
    .where(_SETTLED)
    .order_by(*_NEWEST_FIRST)
    .limit(literal_column("1"))
    .offset(_NO_OFFSET)
)
_PRUNED = select(item_changes_pruned.c.transaction_id, item_changes_pruned.c.sequence)
_PRUNE_THROUGH = _HEAD.where(_C.recorded_at < bindparam("before"))
_PRUNE = delete(item_changes).where(_after("through") >= _POSITION).returning(_C.sequence)
_MARK_PRUNED = update(item_changes_pruned).values(
    transaction_id=bindparam("through_transaction_id"), sequence=bindparam("through_sequence")
)


def _parameters(name: str, position: FeedPosition) -> dict[str, int]:
    return {f"{name}_transaction_id": position.transaction, f"{name}_sequence": position.sequence}


class SqlAlchemyChangeFeed(ChangeFeed):
    def __init__(self, statements: Statements) -> None:
        self._statements = statements

    async def read(self, after: FeedPosition | None, limit: int) -> list[RecordedChange]:
        if after is None:
            rows = await self._statements.rows(_READ_FROM_START, {"limit": limit})
        else:
            rows = await self._statements.rows(_READ_AFTER, {**_parameters("after", after), "limit": limit})
        # Checked after reading: a prune between the two statements is then seen, not missed.
        pruned = position_from_row(await self._statements.row(_PRUNED, {}))
        if pruned is not None and (after is None or after < pruned):
            raise FeedPositionPruned()
        return [change_from_row(row) for row in rows]

    async def head(self) -> FeedPosition | None:
        newest = position_from_row(await self._statements.row(_HEAD, {}))
        if newest is not None:
            return newest
        return position_from_row(await self._statements.row(_PRUNED, {}))

    async def prune(self, before: datetime) -> int:
        async with self._statements.transaction():
            through = position_from_row(await self._statements.row(_PRUNE_THROUGH, {"before": before}))
            if through is None:
                return 0
            gone = await self._statements.rows(_PRUNE, _parameters("through", through))
            await self._statements.execute(_MARK_PRUNED, _parameters("through", through))
        return len(gone)
