"""Properties of the Item entity over arbitrary input: whatever it accepts keeps every rule, and
whatever it rejects raises InvalidItem (or ItemNotFound for an id), never anything else."""

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidItem, ItemNotFound
from domain.item import (
    DESCRIPTION_MAX_LENGTH,
    ITEM_ID_MAX,
    ITEM_ID_MIN,
    NAME_MAX_LENGTH,
    Item,
    as_utc,
    check_item_id,
)
from tests.support.builders import an_item

# Any code point, lone surrogates and NUL included, at lengths around both bounds.
ANY_CHARACTER = st.characters(exclude_categories=())
ANY_TEXT = st.one_of(
    st.text(ANY_CHARACTER, max_size=NAME_MAX_LENGTH + 5),
    st.builds(lambda c, n: c * n, ANY_CHARACTER, st.integers(0, DESCRIPTION_MAX_LENGTH + 5)),
)
# The clock's moments, naive (SQLite hands back naive UTC) or in any fixed zone.
EARLIEST, LATEST = datetime(1970, 1, 2), datetime(2200, 1, 1)
ZONES = st.just(UTC) | st.builds(timezone, st.timedeltas(timedelta(hours=-23), timedelta(hours=23)))
MOMENTS = st.datetimes(EARLIEST, LATEST) | st.datetimes(EARLIEST, LATEST, timezones=ZONES)


def storable(text: str) -> bool:
    return "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def obeys_the_rules(item: Item) -> bool:
    return (
        1 <= len(item.name) <= NAME_MAX_LENGTH
        and len(item.description) <= DESCRIPTION_MAX_LENGTH
        and storable(item.name)
        and storable(item.description)
        and item.version >= 1
        and item.created_at.tzinfo is UTC
        and item.updated_at.tzinfo is UTC
        and item.created_at <= item.updated_at
    )


def acceptable(name: str, description: str) -> bool:
    return (
        1 <= len(name) <= NAME_MAX_LENGTH
        and len(description) <= DESCRIPTION_MAX_LENGTH
        and storable(name)
        and storable(description)
    )


@given(name=ANY_TEXT, description=ANY_TEXT, now=MOMENTS)
def test_a_new_item_is_valid_or_invalid_item_exactly_when_the_rules_say(
    name: str, description: str, now: datetime
) -> None:
    try:
        item = an_item(name=name, description=description, now=now)
    except InvalidItem:
        assert not acceptable(name, description)
        return
    assert acceptable(name, description)
    assert obeys_the_rules(item)
    assert (item.name, item.description, item.version) == (name, description, 1)
    assert item.created_at == item.updated_at == as_utc(now)


@given(
    name=st.none() | ANY_TEXT,
    description=st.none() | ANY_TEXT,
    created=MOMENTS,
    later=st.timedeltas(timedelta(hours=-1), timedelta(days=1)),
)
def test_a_change_keeps_the_rules_or_is_invalid_item(
    name: str | None, description: str | None, created: datetime, later: timedelta
) -> None:
    item = an_item(name="before", description="as it was", now=created)
    try:
        changed = item.changed(created + later, name=name, description=description)
    except InvalidItem:
        assert not acceptable(
            item.name if name is None else name, item.description if description is None else description
        )
        return
    assert obeys_the_rules(changed)
    assert changed.created_at == item.created_at and changed.id == item.id
    if (changed.name, changed.description) == (item.name, item.description):
        assert changed is item
    else:
        assert changed.version == item.version + 1
        assert changed.updated_at >= item.updated_at


@given(st.integers())
def test_an_id_is_in_range_or_not_found(item_id: int) -> None:
    try:
        check_item_id(item_id)
    except ItemNotFound:
        assert not ITEM_ID_MIN <= item_id <= ITEM_ID_MAX
        return
    assert ITEM_ID_MIN <= item_id <= ITEM_ID_MAX
