"""ItemRepository over SQLAlchemy Core statements on one connection (no ORM session)."""

from typing import Any, NoReturn

from sqlalchemy import (
    ColumnElement,
    Executable,
    Result,
    Select,
    bindparam,
    delete,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.errors import translated_errors
from adapters.sqlalchemy.mapping import item_from_row, values_from_item
from adapters.sqlalchemy.tables import items
from domain.errors import ItemNotFound, VersionConflict
from domain.item import Item
from domain.listing import ItemListQuery, ItemPage, Position, Sort, SortField
from domain.ports import ItemRepository

SORT_COLUMNS = {
    SortField.ID: items.c.id,
    SortField.CREATED_AT: items.c.created_at,
    SortField.NAME: items.c.name_folded,
}


# The fixed statements are built once: building and hashing a statement per call cost more CPU
# than executing it. Values travel as parameters; an UPDATE's SET columns are the parameters'
# column names, so the WHERE clause's parameters are named apart from the columns.
_GET = select(items).where(items.c.id == bindparam("item_id"))
_ADD = insert(items).returning(*items.c)
_UPDATE = (
    update(items)
    .where(items.c.id == bindparam("item_id"), items.c.version == bindparam("expected_version"))
    .returning(*items.c)
)
_DELETE = delete(items).where(items.c.id == bindparam("item_id")).returning(items.c.id)
_DELETE_AT_VERSION = _DELETE.where(items.c.version == bindparam("expected_version"))


def _beyond(position: Position, sort: Sort) -> ColumnElement[bool]:
    """Rows strictly after `position`: a row-value comparison one index seek answers."""
    if sort.field is SortField.ID:
        return items.c.id < position.id if sort.descending else items.c.id > position.id
    key = tuple_(SORT_COLUMNS[sort.field], items.c.id)
    bound = (position.value, position.id)
    return key < bound if sort.descending else key > bound


def _listing(query: ItemListQuery) -> Select[Any]:
    statement = select(items)
    folded = query.folded_search
    if folded is not None:
        # autoescape: a % or _ in the search text is matched literally.
        statement = statement.where(items.c.name_folded.contains(folded, autoescape=True))
    if query.after is not None:
        statement = statement.where(_beyond(query.after, query.sort))
    columns = [SORT_COLUMNS[query.sort.field]]
    if query.sort.field is not SortField.ID:
        columns.append(items.c.id)
    order = [column.desc() if query.sort.descending else column for column in columns]
    # One row beyond the page tells whether another page follows.
    return statement.order_by(*order).offset(query.skip).limit(query.limit + 1)


class SqlAlchemyItemRepository(ItemRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _execute(self, statement: Executable, parameters: dict[str, Any] | None = None) -> Result[Any]:
        with translated_errors():
            return await self._connection.execute(statement, parameters)

    async def add(self, item: Item) -> Item:
        result = await self._execute(_ADD, values_from_item(item))
        return item_from_row(result.one())

    async def get(self, item_id: int) -> Item | None:
        row = (await self._execute(_GET, {"item_id": item_id})).first()
        return None if row is None else item_from_row(row)

    async def list(self, query: ItemListQuery) -> ItemPage:
        found = [item_from_row(row) for row in await self._execute(_listing(query))]
        return ItemPage(found[: query.limit], has_more=len(found) > query.limit)

    async def update(self, item: Item, expected_version: int) -> Item:
        assert item.id is not None, "only a stored item can be updated"
        parameters = {**values_from_item(item), "item_id": item.id, "expected_version": expected_version}
        row = (await self._execute(_UPDATE, parameters)).first()
        if row is None:
            await self._raise_missed(item.id, expected_version)
        return item_from_row(row)

    async def delete(self, item_id: int, expected_version: int | None = None) -> None:
        if expected_version is None:
            row = (await self._execute(_DELETE, {"item_id": item_id})).first()
        else:
            parameters = {"item_id": item_id, "expected_version": expected_version}
            row = (await self._execute(_DELETE_AT_VERSION, parameters)).first()
        if row is None:
            await self._raise_missed(item_id, expected_version)

    async def _raise_missed(self, item_id: int, expected_version: int | None) -> NoReturn:
        """A conditional write touched no row: say whether the item is gone or moved on."""
        current = await self.get(item_id)
        if current is None:
            raise ItemNotFound(item_id)
        raise VersionConflict(item_id, expected_version or 0, current.version)
