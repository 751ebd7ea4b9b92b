"""Items in and out of a store through its units of work, and the items the contract tests use."""

from datetime import UTC, datetime, timedelta

from application.export_items import ExportItems
from domain.item import Item
from domain.listing import ItemListQuery, Sort, SortField, order_key, position_of
from domain.ports import UnitOfWorkFactory
from tests.support.builders import an_item


async def add(uow_factory: UnitOfWorkFactory, item: Item) -> Item:
    async with uow_factory() as uow:
        stored = await uow.items.add(item)
        await uow.commit()
    return stored


async def every_item(uow_factory: UnitOfWorkFactory) -> list[Item]:
    """Every stored item, in id order."""
    return [item async for page in ExportItems(uow_factory)() for item in page]


async def get(uow_factory: UnitOfWorkFactory, item_id: int) -> Item | None:
    async with uow_factory(read_only=True) as uow:
        return await uow.items.get(item_id)


START = datetime(2026, 3, 4, tzinfo=UTC)


# Names with ties, case differences, non-ASCII case pairs and LIKE wildcards.
NAMES = ["beta", "Alpha", "ALPHA", "Straße", "STRASSE", "Ωmega", "ωMEGA", "50%", "5_0", "zeta", "Éclair", "é"]


SORTS = [Sort(field, descending) for field in SortField for descending in (False, True)]


async def fill(uow_factory: UnitOfWorkFactory) -> list[Item]:
    # Two items per creation instant, so created_at ties too and only the id breaks them.
    return [
        await add(uow_factory, an_item(name=name, description="", now=START + timedelta(seconds=n // 2)))
        for n, name in enumerate(NAMES)
    ]


def expected_order(stored: list[Item], sort: Sort) -> list[int | None]:
    """The order the domain defines (domain.listing.SORT_KEYS), which every store must list in."""
    in_order = sorted(stored, key=lambda item: order_key(item, sort), reverse=sort.descending)
    return [item.id for item in in_order]


async def walk(
    uow_factory: UnitOfWorkFactory, sort: Sort, limit: int, search: str | None = None
) -> list[int | None]:
    """Every page, each starting after the last item of the one before."""
    seen: list[int | None] = []
    query = ItemListQuery(limit=limit, sort=sort, name_contains=search)
    while True:
        async with uow_factory(read_only=True) as uow:
            page = await uow.items.list(query)
        seen += [item.id for item in page.items]
        if not page.has_more:
            return seen
        query = ItemListQuery(
            limit=limit, sort=sort, name_contains=search, after=position_of(page.items[-1], sort)
        )
