"""ItemRepository over SQLAlchemy Core statements, run on one driver connection (drivers.py)."""

from functools import cache
from typing import Any, NoReturn

from sqlalchemy import ColumnElement, Select, bindparam, delete, insert, select, tuple_, update

from adapters.sqlalchemy.drivers import Statements
from adapters.sqlalchemy.mapping import ITEM_COLUMNS, item_from_row, values_from_item
from adapters.sqlalchemy.tables import items
from domain.errors import ItemNotFound, VersionConflict
from domain.item import Item
from domain.listing import ItemListQuery, ItemPage, Sort, SortField
from domain.ports import ItemRepository

SORT_COLUMNS = {
    SortField.ID: items.c.id,
    SortField.CREATED_AT: items.c.created_at,
    SortField.NAME: items.c.name_folded,
}


# The fixed statements are built once (and compiled once per dialect, compiled.py). Values
# travel as parameters; an UPDATE's SET columns are the parameters' column names, so the WHERE
# clause's parameters are named apart from the columns.
_GET = select(*ITEM_COLUMNS).where(items.c.id == bindparam("item_id"))
_ADD = insert(items).returning(*ITEM_COLUMNS)
_UPDATE = (
    update(items)
    .where(items.c.id == bindparam("item_id"), items.c.version == bindparam("expected_version"))
    .returning(*ITEM_COLUMNS)
)
_DELETE = delete(items).where(items.c.id == bindparam("item_id")).returning(items.c.id)
_DELETE_AT_VERSION = _DELETE.where(items.c.version == bindparam("expected_version"))


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

    async def get(self, item_id: int) -> Item | None:
        row = await self._statements.row(_GET, {"item_id": item_id})
        return None if row is None else item_from_row(row)

    async def list(self, query: ItemListQuery) -> ItemPage:
        statement = _listing(query.sort, query.folded_search is not None, query.after is not None)
        rows = await self._statements.rows(statement, _listing_parameters(query))
        found = [item_from_row(row) for row in rows]
        return ItemPage(found[: query.limit], has_more=len(found) > query.limit)

    async def update(self, item: Item, expected_version: int) -> Item:
        assert item.id is not None, "only a stored item can be updated"
        parameters = {**values_from_item(item), "item_id": item.id, "expected_version": expected_version}
        row = await self._statements.row(_UPDATE, parameters)
        if row is None:
            await self._raise_missed(item.id, expected_version)
        return item_from_row(row)

    async def delete(self, item_id: int, expected_version: int | None = None) -> None:
        if expected_version is None:
            row = await self._statements.row(_DELETE, {"item_id": item_id})
        else:
            parameters = {"item_id": item_id, "expected_version": expected_version}
            row = await self._statements.row(_DELETE_AT_VERSION, parameters)
        if row is None:
            await self._raise_missed(item_id, expected_version)

    async def _raise_missed(self, item_id: int, expected_version: int | None) -> NoReturn:
        """A conditional write touched no row: say whether the item is gone or moved on."""
        current = await self.get(item_id)
        if current is None:
            raise ItemNotFound(item_id)
        raise VersionConflict(item_id, expected_version or 0, current.version)
