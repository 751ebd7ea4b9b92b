"""ItemRepository over SQLAlchemy Core statements, run on one driver connection (drivers.py)."""

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Insert,
    Select,
    String,
    Update,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    update,
)

from adapters.sqlalchemy.drivers import Statements
from adapters.sqlalchemy.expressions import in_json_array, json_array_rows, later_of
from adapters.sqlalchemy.mapping import (
    CHANGED_COLUMNS,
    INSERTED_COLUMNS,
    ITEM_COLUMNS,
    item_from_row,
    item_stored,
    items_from_rows,
    values_from_change,
    values_from_item,
)
from adapters.sqlalchemy.tables import items
from domain.errors import ItemAlreadyExists, ItemNotFound
from domain.item import CLIENT_FIELDS, Item, ItemChange, check_version
from domain.listing import ItemListQuery, ItemPage, Sort, SortField
from domain.ports import ItemRepository

# The column that holds each sort key's value (domain.listing.SORT_KEYS); the name's is its folded form.
SORT_COLUMNS = {
    SortField.ID: items.c.id,
    SortField.CREATED_AT: items.c.created_at,
    SortField.NAME: items.c.name_folded,
}


# The fixed statements are built once (and compiled once per dialect, compiled.py). Values
# travel as parameters; an UPDATE's SET columns are the parameters' column names, so the other
# parameters are named apart from the columns.
_GET = select(*ITEM_COLUMNS).where(items.c.id == bindparam("item_id"))
_GET_FOR_UPDATE = _GET.with_for_update()
_ADD = insert(items).returning(*ITEM_COLUMNS)
# Versions a conditional write allows, as a JSON array (one parameter whatever their number).
_AT_VERSIONS = in_json_array(items.c.version, bindparam("versions", type_=String()))
_DELETE = delete(items).where(items.c.id == bindparam("item_id")).returning(items.c.id)
# Ids, like versions, as one JSON array parameter.
_AMONG_IDS = in_json_array(items.c.id, bindparam("item_ids", type_=String()))
_GET_MANY = select(*ITEM_COLUMNS).where(_AMONG_IDS)
_TAKEN = select(items.c.id).where(_AMONG_IDS).order_by(items.c.id)
# Restored ids must stay below every id the sequence hands out later. setval is not transactional:
# if the batch rolls back, the sequence stays ahead, which leaves a gap in the ids and nothing worse.
_PG_IDS_PAST = text(
    "SELECT setval(sequence, :highest_id) "
    "FROM (SELECT CAST(pg_get_serial_sequence('items', 'id') AS regclass) AS sequence) AS serial "
    "WHERE :highest_id > COALESCE(pg_sequence_last_value(sequence), 0)"
)


def _batch_columns(restoring: bool) -> list[Column[Any]]:
    """What a batch inserts: a new item's columns, and the id too when items are restored."""
    names = ("id", *INSERTED_COLUMNS) if restoring else INSERTED_COLUMNS
    return [items.c[name] for name in names]


@cache
def _add_many(dialect_name: str, restoring: bool) -> Insert:
    """One INSERT for a whole batch: its rows come in one JSON parameter, as they are bound one by one."""
    columns = _batch_columns(restoring)
    rows = json_array_rows(
        bindparam("rows", type_=String()), [column.type for column in columns], dialect_name
    )
    added = insert(items).from_select(columns, rows)
    return added if restoring else added.returning(items.c.id)


_DELETE_AT_VERSIONS = _DELETE.where(_AT_VERSIONS)


def _change_statement() -> Update:
    """An ItemChange as one UPDATE: the merge, the no-op rule and the version bump all in the store
    (the rule is domain.item.Item.changed). A field given as NULL keeps its stored value."""
    new = {
        name: func.coalesce(bindparam(f"new_{name}", type_=items.c[name].type), items.c[name])
        for name in CHANGED_COLUMNS
    }
    now = bindparam("now", type_=items.c.updated_at.type)
    return (
        update(items)
        .where(
            items.c.id == bindparam("item_id"),
            # A change that changes nothing touches no row: no write, no new version.
            or_(*(items.c[name] != new[name] for name in CLIENT_FIELDS)),
        )
        .values(
            **new,
            updated_at=later_of(now, items.c.updated_at),
            version=items.c.version + literal_column("1"),
        )
        .returning(*ITEM_COLUMNS)
    )


_CHANGE = _change_statement()
_CHANGE_AT_VERSIONS = _CHANGE.where(_AT_VERSIONS)


# LIKE's escape character, and what the search text needs escaped so it matches literally.
_ESCAPE = "/"
_LIKE_ESCAPES = str.maketrans({"/": "//", "%": "/%", "_": "/_"})


def _beyond(sort: Sort) -> ColumnElement[bool]:
    """Rows strictly after the position in parameters after_value and after_id: a row-value
    comparison one index seek answers."""
    after_id = bindparam("after_id", type_=items.c.id.type)
    if sort.field is SortField.ID:
        return items.c.id < after_id if sort.descending else items.c.id > after_id
    column = SORT_COLUMNS[sort.field]
    key = tuple_(column, items.c.id)
    bound = tuple_(bindparam("after_value", type_=column.type), after_id)
    return key < bound if sort.descending else key > bound


@cache
def _listing(sort: Sort, searching: bool, continuing: bool) -> Select[Any]:
    """The listing statement of one shape (24 in all), built once; values come as parameters."""
    statement = select(*ITEM_COLUMNS)
    if searching:
        statement = statement.where(items.c.name_folded.like(bindparam("pattern"), escape=_ESCAPE))
    if continuing:
        statement = statement.where(_beyond(sort))
    columns = [SORT_COLUMNS[sort.field]]
    if sort.field is not SortField.ID:
        columns.append(items.c.id)
    order = [column.desc() if sort.descending else column for column in columns]
    # One row beyond the page tells whether another page follows.
    return statement.order_by(*order).offset(bindparam("skip")).limit(bindparam("limit_plus_one"))


def _listing_parameters(query: ItemListQuery) -> dict[str, Any]:
    parameters: dict[str, Any] = {"skip": query.skip, "limit_plus_one": query.limit + 1}
    folded = query.folded_search
    if folded is not None:
        parameters["pattern"] = f"%{folded.translate(_LIKE_ESCAPES)}%"
    if query.after is not None:
        parameters["after_id"] = query.after.id
        parameters["after_value"] = query.after.value
    return parameters


class SqlAlchemyItemRepository(ItemRepository):
    def __init__(self, statements: Statements) -> None:
        self._statements = statements

    async def add(self, item: Item) -> Item:
        row = await self._statements.row(_ADD, values_from_item(item))
        assert row is not None, "INSERT ... RETURNING returns the row"
        return item_from_row(row)

    async def add_many(self, items_: Sequence[Item]) -> list[Item]:
        if not items_:
            return []
        restored = [item.id for item in items_ if item.id is not None]
        restoring = bool(restored)
        assert not restoring or len(restored) == len(items_), "a batch restores every item or none"
        if restoring and (taken := await self._statements.row(_TAKEN, {"item_ids": json.dumps(restored)})):
            raise ItemAlreadyExists(taken[0])
        rows = ([*([item.id] if restoring else []), *values_from_item(item).values()] for item in items_)
        statement = _add_many(self._statements.dialect_name, restoring)
        batch = {"rows": self._statements.json_rows(_batch_columns(restoring), rows)}
        if restoring:
            await self._statements.execute(statement, batch)
            if self._statements.dialect_name == "postgresql":
                await self._statements.execute(_PG_IDS_PAST, {"highest_id": max(restored)})
            return [item_stored(item, item_id) for item, item_id in zip(items_, restored, strict=True)]
        # The store numbers the rows in the order given; RETURNING promises no order. Only the ids
        # come back: the rest is stored as given, and reading it back would cost more than the insert.
        ids = sorted(row[0] for row in await self._statements.rows(statement, batch))
        return [item_stored(item, item_id) for item, item_id in zip(items_, ids, strict=True)]

    async def get(self, item_id: int) -> Item | None:
        row = await self._statements.row(_GET, {"item_id": item_id})
        return None if row is None else item_from_row(row)

    async def get_many(self, item_ids: Sequence[int]) -> list[Item]:
        rows = await self._statements.rows(_GET_MANY, {"item_ids": json.dumps(list(item_ids))})
        return [item_from_row(row) for row in rows]

    async def list(self, query: ItemListQuery) -> ItemPage:
        statement = _listing(query.sort, query.folded_search is not None, query.after is not None)
        rows = await self._statements.rows(statement, _listing_parameters(query))
        # One row past the page says whether there is more; it is not made into an item.
        return ItemPage(items_from_rows(rows[: query.limit]), has_more=len(rows) > query.limit)

    async def change(self, item_id: int, change: ItemChange) -> Item:
        parameters = values_from_change(item_id, change)
        statement = _CHANGE
        if change.expected_versions is not None:
            statement = _CHANGE_AT_VERSIONS
            parameters["versions"] = _json_array(change.expected_versions)
        row = await self._statements.row(statement, parameters)
        if row is not None:
            return item_from_row(row)
        # Nothing written: the item is missing, at another version, or already as asked. Which one
        # is told under the row's lock, where no other writer can make the answer stale.
        async with self._statements.transaction():
            current = await self._locked(item_id, change.expected_versions)
            if change.applied_to(current) is current:
                return current
            # Another writer got in between and the change now applies: under the lock it must.
            row = await self._statements.row(statement, parameters)
        assert row is not None, "a change that applies to the locked row is written"
        return item_from_row(row)

    async def delete(self, item_id: int, expected_versions: frozenset[int] | None = None) -> None:
        if expected_versions is None:
            if await self._statements.row(_DELETE, {"item_id": item_id}) is None:
                raise ItemNotFound(item_id)
            return
        parameters = {"item_id": item_id, "versions": _json_array(expected_versions)}
        if await self._statements.row(_DELETE_AT_VERSIONS, parameters) is not None:
            return
        async with self._statements.transaction():
            await self._locked(item_id, expected_versions)
            # Its version moved to an expected one since the first try: under the lock it goes.
            deleted = await self._statements.row(_DELETE_AT_VERSIONS, parameters)
        assert deleted is not None, "a delete allowed on the locked row removes it"

    async def _locked(self, item_id: int, expected_versions: frozenset[int] | None) -> Item:
        """The item, locked until the transaction ends, if a write may go ahead on it."""
        row = await self._statements.row(_GET_FOR_UPDATE, {"item_id": item_id})
        if row is None:
            raise ItemNotFound(item_id)
        current = item_from_row(row)
        check_version(item_id, current.version, expected_versions)
        return current


def _json_array(versions: frozenset[int]) -> str:
    return json.dumps(sorted(versions))
