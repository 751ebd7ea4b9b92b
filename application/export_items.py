from collections.abc import AsyncGenerator

from domain.item import Item
from domain.listing import WALK_PAGE_MAX, ItemListQuery, position_of
from domain.ports import UnitOfWorkFactory


class ExportItems:
    """Every item, in id order, page by page, all as the store was at one moment: a consistent
    snapshot however long the reader takes, whatever commits meanwhile."""

    def __init__(self, uow: UnitOfWorkFactory, page_size: int = WALK_PAGE_MAX) -> None:
        self._uow = uow
        self._page_size = page_size

    async def __call__(self) -> AsyncGenerator[list[Item]]:
        query = ItemListQuery.walk(self._page_size)
        async with self._uow(read_only=True).snapshot() as uow:
            while True:
                page = await uow.items.list(query)
                if page.items:
                    yield page.items
                if not page.has_more:
                    return
                query = ItemListQuery.walk(self._page_size, position_of(page.items[-1], query.sort))
