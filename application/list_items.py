from dataclasses import dataclass

from domain.item import Item
from domain.listing import ItemListQuery, Position, position_of
from domain.ports import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class ItemListing:
    """A page of items and, when more follow, the position the next page starts after."""

    items: list[Item]
    next_after: Position | None


class ListItems:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, query: ItemListQuery) -> ItemListing:
        async with self._uow(read_only=True) as uow:
            page = await uow.items.list(query)
        following = position_of(page.items[-1], query.sort) if page.has_more else None
        return ItemListing(page.items, following)
