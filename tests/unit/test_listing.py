"""Listing rules in the domain: sort tokens, search bounds, and cursors that must fit their sort."""

from datetime import UTC, datetime

import pytest

from domain.errors import InvalidQuery
from domain.listing import (
    LIST_LIMIT_MAX,
    SORT_KEYS,
    SORT_TOKENS,
    WALK_PAGE_MAX,
    ItemListQuery,
    Position,
    Sort,
    SortField,
)
from tests.support.builders import UNKNOWN_FIELD

MOMENT = datetime(2026, 1, 1, tzinfo=UTC)


def test_every_sort_field_has_its_key() -> None:
    assert list(SORT_KEYS) == list(SortField)


@pytest.mark.parametrize("token", SORT_TOKENS)
def test_sort_tokens_round_trip(token: str) -> None:
    assert Sort.parse(token).token == token


def test_descending_is_marked_with_a_minus() -> None:
    assert Sort.parse("-created_at") == Sort(SortField.CREATED_AT, descending=True)


@pytest.mark.parametrize("token", ["", "-", UNKNOWN_FIELD, "--name", "Name", "name-"])
def test_unknown_sort_is_invalid(token: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        Sort.parse(token)
    assert caught.value.field == "sort"


@pytest.mark.parametrize("search", ["", "x" * 101, "nul\x00", "\ud800"])
def test_search_text_out_of_bounds_is_invalid(search: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        ItemListQuery(name_contains=search)
    assert caught.value.field == "q"


def test_a_cursor_and_an_offset_do_not_combine() -> None:
    with pytest.raises(InvalidQuery) as caught:
        ItemListQuery(skip=1, after=Position(1, 1))
    assert caught.value.field == "skip"


@pytest.mark.parametrize(
    ("field", "position"),
    [
        (SortField.ID, Position(2, 1)),
        (SortField.ID, Position(0, 0)),
        (SortField.CREATED_AT, Position("2026-01-01", 1)),
        (SortField.CREATED_AT, Position(datetime(2026, 1, 1), 1)),
        (SortField.NAME, Position(MOMENT, 1)),
        (SortField.NAME, Position("x" * 301, 1)),
        (SortField.NAME, Position("nul\x00", 1)),
        (SortField.NAME, Position("ok", 2**63)),
    ],
)
def test_a_cursor_that_does_not_fit_its_sort_is_invalid(field: SortField, position: Position) -> None:
    with pytest.raises(InvalidQuery) as caught:
        ItemListQuery(sort=Sort(field), after=position)
    assert caught.value.field == "cursor"


@pytest.mark.parametrize(
    ("field", "position"),
    [
        (SortField.ID, Position(5, 5)),
        (SortField.CREATED_AT, Position(MOMENT, 5)),
        (SortField.NAME, Position("ß", 5)),
    ],
)
def test_a_cursor_that_fits_its_sort_is_accepted(field: SortField, position: Position) -> None:
    assert ItemListQuery(sort=Sort(field), after=position).after == position


def test_a_walk_reads_pages_past_a_clients_bound_up_to_its_own() -> None:
    assert ItemListQuery.walk(WALK_PAGE_MAX).limit == WALK_PAGE_MAX > LIST_LIMIT_MAX
    with pytest.raises(InvalidQuery):
        ItemListQuery(limit=WALK_PAGE_MAX)
    for size in (0, WALK_PAGE_MAX + 1):
        with pytest.raises(InvalidQuery):
            ItemListQuery.walk(size)
