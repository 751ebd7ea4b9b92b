"""The next page's Link writes the sort token and the cursor into its URL as they are
(routers/items.py): both must need no escaping, whatever the listing."""

from datetime import UTC, datetime
from urllib.parse import quote_plus

from hypothesis import given
from hypothesis import strategies as st

from domain.listing import SORT_KEYS, SORT_TOKENS, Position, Sort, SortValue
from entrypoints.cursors import CursorCodec

_VALUES: dict[type[SortValue], st.SearchStrategy[SortValue]] = {
    int: st.integers(1, 2**31 - 1),
    str: st.text(),
    datetime: st.datetimes(timezones=st.just(UTC)),
}


def test_every_sort_token_is_url_safe() -> None:
    assert [token for token in SORT_TOKENS if quote_plus(token) != token] == []


@given(st.data(), st.sampled_from(SORT_TOKENS), st.text() | st.none(), st.integers(1, 2**31 - 1))
def test_every_cursor_is_url_safe(data: st.DataObject, token: str, search: str | None, item_id: int) -> None:
    sort = Sort.parse(token)
    value = data.draw(_VALUES[SORT_KEYS[sort.field].value_type])
    cursor = CursorCodec(b"k" * 32).encode(Position(value, item_id), sort, search)
    assert quote_plus(cursor) == cursor
