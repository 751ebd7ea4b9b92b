"""Property: whatever units of work come and go (creates, renames, other changes and deletes,
committed or rolled back), every page the memory store's index serves is the page a brute-force
sort of its items gives: by offset, by cursor (from live items and from positions since gone) and
by name search, in every sort order, committed and inside a unit of work with staged changes."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from adapters.memory import MemoryUnitOfWork, MemoryUnitOfWorkFactory
from domain.item import Item, ItemChange
from domain.listing import ItemListQuery, comes_after, position_of
from tests.support.builders import an_item
from tests.support.stores import SORTS, expected_order

START = datetime(2026, 3, 4, tzinfo=UTC)
# Few letters and few instants, so names and creation times tie often; ß folds to ss.
NAMES = st.text(alphabet="aAsSß", min_size=1, max_size=3)
SEARCHES = st.text(alphabet="aAsSß", min_size=1, max_size=2)
MOMENTS = st.integers(0, 3).map(lambda seconds: START + timedelta(seconds=seconds))


@dataclass(frozen=True)
class Create:
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Rename:
    pick: int
    name: str


@dataclass(frozen=True)
class Describe:
    """A change that moves the item in no order."""

    pick: int
    description: str


@dataclass(frozen=True)
class Delete:
    pick: int


Change = Create | Rename | Describe | Delete
CHANGES = st.one_of(
    st.builds(Create, NAMES, MOMENTS),
    st.builds(Rename, st.integers(0, 50), NAMES),
    st.builds(Describe, st.integers(0, 50), st.text(alphabet="xy", max_size=2)),
    st.builds(Delete, st.integers(0, 50)),
)
UNITS_OF_WORK = st.lists(st.tuples(st.lists(CHANGES, max_size=5), st.booleans()), max_size=5)


def brute_force(items: dict[int, Item], query: ItemListQuery) -> tuple[list[int | None], bool]:
    """The ids of the page `query` selects, sorting every item, and whether more follow."""
    folded = query.folded_search
    chosen = [
        item
        for item in items.values()
        if (folded is None or folded in item.name.casefold())
        and (query.after is None or comes_after(item, query.after, query.sort))
    ]
    ordered = expected_order(chosen, query.sort)
    window = ordered[query.skip : query.skip + query.limit + 1]
    return window[: query.limit], len(window) > query.limit


async def apply(uow: MemoryUnitOfWork, items: dict[int, Item], history: list[Item], change: Change) -> None:
    """Stage `change` in `uow` and in `items`, the test's own record of what the store should hold;
    every version of every item goes into `history`, where cursors come from."""
    if isinstance(change, Create):
        added = await uow.items.add(an_item(name=change.name, description="", now=change.created_at))
        assert added.id is not None
        items[added.id] = added
        history.append(added)
        return
    if not items:
        return
    current = items[sorted(items)[change.pick % len(items)]]
    assert current.id is not None
    if isinstance(change, Delete):
        await uow.items.delete(current.id, frozenset({current.version}))
        del items[current.id]
        return
    later = current.updated_at + timedelta(seconds=1)
    if isinstance(change, Rename):
        asked = ItemChange(later, name=change.name, expected_versions=frozenset({current.version}))
    else:
        asked = ItemChange(
            later, description=change.description, expected_versions=frozenset({current.version})
        )
    changed = await uow.items.change(current.id, asked)
    if changed != current:
        items[current.id] = changed
        history.append(changed)


async def check_pages(
    uow: MemoryUnitOfWork, items: dict[int, Item], history: list[Item], data: st.DataObject
) -> None:
    for sort in SORTS:
        limit = data.draw(st.integers(1, 4), label="limit")
        search = data.draw(st.none() | SEARCHES, label="search")
        skip = data.draw(st.integers(0, 6), label="skip")
        first = ItemListQuery(limit=limit, sort=sort, name_contains=search)
        queries = [first, ItemListQuery(skip=skip, limit=limit, sort=sort, name_contains=search)]
        if history:
            # A cursor from anywhere: where a live item is, or where one was before a rename or delete.
            was = data.draw(st.sampled_from(history), label="cursor item")
            after = position_of(was, sort)
            queries.append(ItemListQuery(limit=limit, sort=sort, name_contains=search, after=after))
        for query in queries:
            page = await uow.items.list(query)
            assert ([item.id for item in page.items], page.has_more) == brute_force(items, query)
        # Walking by cursor from the first page visits every matching item once, in order.
        query, walked = first, []
        while True:
            page = await uow.items.list(query)
            walked += [item.id for item in page.items]
            if not page.has_more:
                break
            query = ItemListQuery(
                limit=limit, sort=sort, name_contains=search, after=position_of(page.items[-1], sort)
            )
        everything = ItemListQuery(limit=100, sort=sort, name_contains=search)
        assert walked == brute_force(items, everything)[0]


@given(units=UNITS_OF_WORK, data=st.data())
async def test_every_page_is_what_sorting_every_item_gives(
    units: list[tuple[list[Change], bool]], data: st.DataObject
) -> None:
    uow_factory = MemoryUnitOfWorkFactory()
    committed: dict[int, Item] = {}
    history: list[Item] = []
    for changes, commit in units:
        staged = dict(committed)
        async with uow_factory() as uow:
            for change in changes:
                await apply(uow, staged, history, change)
            await check_pages(uow, staged, history, data)
            if commit:
                await uow.commit()
                committed = staged
        # Committed or rolled back, a new unit of work sees exactly what was committed.
        async with uow_factory(read_only=True) as reader:
            await check_pages(reader, committed, history, data)
