"""What a listing asks for, and the keyset order every store pages through.

A page after a cursor starts strictly after a position (the sort value and id of the last item
seen), so items inserted or deleted meanwhile never shift an item onto a second page or past the
reader. Ties on the sort value are broken by id, which is unique, so the order is total.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidCursor, InvalidQuery
from domain.item import ITEM_ID_MAX, ITEM_ID_MIN, NAME_MAX_LENGTH, Item, unstorable

LIST_LIMIT_MAX = 100
LIST_LIMIT_DEFAULT = 10
# A walk through every item (an export) may read larger pages than a client may ask for: a tenth of
# the round trips of LIST_LIMIT_MAX, which halved an export of 100,000 items on PostgreSQL.
WALK_PAGE_MAX = 1000
# Offsets are 64-bit in every store.
LIST_SKIP_MAX = ITEM_ID_MAX
SEARCH_MAX_LENGTH = NAME_MAX_LENGTH
# Case folding may turn one character into up to three ("ΐ" -> "ΐ").
FOLDED_NAME_MAX_LENGTH = 3 * NAME_MAX_LENGTH


class SortField(StrEnum):
    """The fields a listing sorts by; SORT_KEYS says what each one sorts on."""

    ID = "id"
    CREATED_AT = "created_at"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class Sort:
    """A sort order; `name` sorts case-insensitively (by the folded name), every order ends with id."""

    field: SortField = SortField.ID
    descending: bool = False

    @classmethod
    def parse(cls, token: str) -> Sort:
        """`name` ascending, `-name` descending."""
        descending = token.startswith("-")
        try:
            field = SortField(token.removeprefix("-"))
        except ValueError:
            raise InvalidQuery("sort", f"must be one of {', '.join(SORT_TOKENS)}") from None
        return cls(field, descending)

    @property
    def token(self) -> str:
        return f"-{self.field}" if self.descending else str(self.field)


SORT_TOKENS = tuple(token for field in SortField for token in (field.value, f"-{field.value}"))

SortValue = int | str | datetime


def fold_name(text: str) -> str:
    """The form names are searched and sorted by: Unicode case folding, the same in every store."""
    return text.casefold()


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page ended: the sort value and id of its last item."""

    value: SortValue
    id: int


def _stored_id(item: Item) -> int:
    assert item.id is not None, "only stored items are listed"
    return item.id


def _is_own_id(position: Position) -> bool:
    return position.value == position.id


def _is_aware_moment(position: Position) -> bool:
    return isinstance(position.value, datetime) and position.value.tzinfo is not None


def _is_folded_name(position: Position) -> bool:
    value = position.value
    return isinstance(value, str) and len(value) <= FOLDED_NAME_MAX_LENGTH and unstorable(value) is None


@dataclass(frozen=True, slots=True)
class SortKey:
    """What a sort field orders items by: `value_of` an item, of type `value_type`, and whether a
    position from outside (a cursor's) is one a store could have produced (`fits`)."""

    value_of: Callable[[Item], SortValue]
    value_type: type[SortValue]
    fits: Callable[[Position], bool]


# The one table of sort keys, which the tokens, the stores' orders and the cursors derive from. The
# id sorts by itself: a position in the id order carries its id as its value.
SORT_KEYS: Mapping[SortField, SortKey] = {
    SortField.ID: SortKey(_stored_id, int, _is_own_id),
    SortField.CREATED_AT: SortKey(lambda item: item.created_at, datetime, _is_aware_moment),
    SortField.NAME: SortKey(lambda item: fold_name(item.name), str, _is_folded_name),
}


def sort_value(item: Item, field: SortField) -> SortValue:
    return SORT_KEYS[field].value_of(item)


def position_of(item: Item, sort: Sort) -> Position:
    return Position(*order_key(item, sort))


def _check_position(position: Position, field: SortField) -> None:
    """A cursor comes from outside: its values must be ones a store could have produced."""
    if not ITEM_ID_MIN <= position.id <= ITEM_ID_MAX:
        raise InvalidCursor("points outside the id range")
    if not SORT_KEYS[field].fits(position):
        raise InvalidCursor(f"does not fit the sort by {field}")


@dataclass(frozen=True, slots=True)
class ItemListQuery:
    """Which items to list: `limit` of them, in `sort` order, whose name contains `name_contains`
    (case-insensitively), either after skipping `skip` or strictly after the position `after`."""

    skip: int = 0
    limit: int = LIST_LIMIT_DEFAULT
    sort: Sort = Sort()
    name_contains: str | None = None
    after: Position | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.skip <= LIST_SKIP_MAX:
            raise InvalidQuery("skip", f"must be 0 to {LIST_SKIP_MAX}")
        if not 1 <= self.limit <= LIST_LIMIT_MAX:
            raise InvalidQuery("limit", f"must be 1 to {LIST_LIMIT_MAX}")
        if self.name_contains is not None and not (
            1 <= len(self.name_contains) <= SEARCH_MAX_LENGTH and unstorable(self.name_contains) is None
        ):
            raise InvalidQuery("q", f"must be 1 to {SEARCH_MAX_LENGTH} characters of valid text, no NUL")
        if self.after is not None:
            if self.skip:
                raise InvalidQuery("skip", "cannot be combined with a cursor")
            _check_position(self.after, self.sort.field)

    @classmethod
    def walk(cls, page_size: int, after: Position | None = None) -> ItemListQuery:
        """A page of a walk through every item in id order, of up to WALK_PAGE_MAX items."""
        if not 1 <= page_size <= WALK_PAGE_MAX:
            raise InvalidQuery("limit", f"must be 1 to {WALK_PAGE_MAX}")
        query = cls(after=after)
        object.__setattr__(query, "limit", page_size)  # past a client's bound, which __init__ checks
        return query

    @property
    def folded_search(self) -> str | None:
        return None if self.name_contains is None else fold_name(self.name_contains)


@dataclass(frozen=True, slots=True)
class ItemPage:
    """A page of items, and whether another page follows it."""

    items: list[Item]
    has_more: bool


def matches(item: Item, folded_search: str | None) -> bool:
    """Whether the item's name contains a query's `folded_search` (every item does when it is None)."""
    return folded_search is None or folded_search in fold_name(item.name)


def order_key(item: Item, sort: Sort) -> tuple[SortValue, int]:
    assert item.id is not None, "only stored items are listed"
    return (sort_value(item, sort.field), item.id)


def comes_after(item: Item, position: Position, sort: Sort) -> bool:
    """Whether `item` lies strictly beyond `position` in the order `sort` reads in."""
    mine = order_key(item, sort)
    theirs = (position.value, position.id)
    return mine < theirs if sort.descending else mine > theirs
