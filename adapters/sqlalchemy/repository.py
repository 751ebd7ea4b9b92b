"""ItemRepository over SQLAlchemy Core statements on one connection (no ORM session)."""

from typing import Any, NoReturn

from sqlalchemy import Executable, Result, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.errors import translated_errors
from adapters.sqlalchemy.mapping import item_from_row, values_from_item
from adapters.sqlalchemy.tables import items
from domain.errors import ItemNotFound, VersionConflict
from domain.item import Item
from domain.ports import ItemListQuery, ItemRepository


class SqlAlchemyItemRepository(ItemRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _execute(self, statement: Executable) -> Result[Any]:
        async with translated_errors():
            return await self._connection.execute(statement)

    async def add(self, item: Item) -> Item:
        result = await self._execute(insert(items).values(values_from_item(item)).returning(*items.c))
        return item_from_row(result.one())

    async def get(self, item_id: int) -> Item | None:
        row = (await self._execute(select(items).where(items.c.id == item_id))).first()
        return None if row is None else item_from_row(row)

    async def list(self, query: ItemListQuery) -> list[Item]:
        statement = select(items).order_by(items.c.id).offset(query.skip).limit(query.limit)
        return [item_from_row(row) for row in await self._execute(statement)]

    async def update(self, item: Item, expected_version: int) -> Item:
        assert item.id is not None, "only a stored item can be updated"
        statement = (
            update(items)
            .where(items.c.id == item.id, items.c.version == expected_version)
            .values(values_from_item(item))
            .returning(*items.c)
        )
        row = (await self._execute(statement)).first()
        if row is None:
            await self._raise_missed(item.id, expected_version)
        return item_from_row(row)

    async def delete(self, item_id: int, expected_version: int | None = None) -> None:
        statement = delete(items).where(items.c.id == item_id)
        if expected_version is not None:
            statement = statement.where(items.c.version == expected_version)
        row = (await self._execute(statement.returning(items.c.id))).first()
        if row is None:
            await self._raise_missed(item_id, expected_version)

    async def _raise_missed(self, item_id: int, expected_version: int | None) -> NoReturn:
        """A conditional write touched no row: say whether the item is gone or moved on."""
        current = await self.get(item_id)
        if current is None:
            raise ItemNotFound(item_id)
        raise VersionConflict(item_id, expected_version or 0, current.version)
