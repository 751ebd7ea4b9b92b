import inspect
from dataclasses import FrozenInstanceError, replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.errors import InvalidItem, ItemNotFound
from domain.item import (
    DESCRIPTION_MAX_LENGTH,
    ITEM_FIELDS,
    ITEM_ID_MAX,
    NAME_MAX_LENGTH,
    Item,
    as_utc,
    check_item_id,
)
from tests.support.builders import a_draft, an_item

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_new_item_starts_at_version_one_with_equal_timestamps() -> None:
    item = an_item(now=NOW)
    assert (item.version, item.id) == (1, None)
    assert item.created_at == item.updated_at == NOW


@pytest.mark.parametrize("name", ["x", "é" * NAME_MAX_LENGTH, "名" * NAME_MAX_LENGTH, " padded "])
def test_names_of_one_to_max_characters_are_accepted(name: str) -> None:
    assert an_item(name=name, description="", now=NOW).name == name


@pytest.mark.parametrize("name", ["", "x" * (NAME_MAX_LENGTH + 1)])
def test_name_length_out_of_bounds_is_invalid(name: str) -> None:
    with pytest.raises(InvalidItem) as caught:
        an_item(name=name, description="", now=NOW)
    assert caught.value.field == "name"


def test_description_longer_than_the_bound_is_invalid() -> None:
    with pytest.raises(InvalidItem) as caught:
        an_item(name="ok", description="d" * (DESCRIPTION_MAX_LENGTH + 1), now=NOW)
    assert caught.value.field == "description"


@pytest.mark.parametrize("text", ["nul\x00inside", "lone \ud800 surrogate"])
def test_text_no_store_can_keep_is_invalid(text: str) -> None:
    with pytest.raises(InvalidItem):
        an_item(name=text, description="", now=NOW)
    with pytest.raises(InvalidItem):
        an_item(name="ok", description=text, now=NOW)


def test_a_real_change_bumps_version_and_update_time() -> None:
    item = an_item(name="a", description="b", now=NOW)
    later = NOW + timedelta(seconds=5)
    changed = item.changed(later, name="c")
    assert (changed.name, changed.description, changed.version) == ("c", "b", 2)
    assert changed.updated_at == later
    assert changed.created_at == NOW


def test_a_change_to_the_same_values_is_a_no_op() -> None:
    item = an_item(name="a", description="b", now=NOW)
    assert item.changed(NOW + timedelta(seconds=1), name="a", description="b") is item


def test_a_change_is_validated_like_a_new_item() -> None:
    with pytest.raises(InvalidItem):
        an_item(name="a", description="", now=NOW).changed(NOW, name="")


def test_update_time_never_goes_backwards_when_the_clock_does() -> None:
    item = an_item(name="a", description="", now=NOW)
    assert item.changed(NOW - timedelta(hours=1), name="b").updated_at == NOW


def test_timestamps_are_normalised_to_utc() -> None:
    naive = datetime(2026, 1, 1, 12, 0)
    assert as_utc(naive) == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    plus_two = datetime(2026, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert as_utc(plus_two).utcoffset() == timedelta(0)
    assert as_utc(plus_two) == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("item_id", [0, -1, ITEM_ID_MAX + 1])
def test_ids_outside_the_64_bit_range_are_never_found(item_id: int) -> None:
    with pytest.raises(ItemNotFound):
        check_item_id(item_id)


def test_an_item_restored_from_a_store_equals_the_item_that_was_stored() -> None:
    stored = replace(an_item(now=NOW), id=7, version=3)
    # By position, in ITEM_FIELDS' order, as the SQL stores pass their rows.
    restored = Item.restored(*(getattr(stored, name) for name in ITEM_FIELDS))
    assert restored == stored and hash(restored) == hash(stored)
    with pytest.raises(FrozenInstanceError):
        restored.name = "changed"  # type: ignore[misc]


def test_restored_takes_the_fields_in_item_fields_order() -> None:
    assert tuple(inspect.signature(Item.restored).parameters) == ITEM_FIELDS


def test_a_restored_item_has_its_times_in_utc() -> None:
    naive, local = datetime(2026, 1, 1, 12, 0), NOW.astimezone(timezone(timedelta(hours=2)))
    restored = Item.restored("Teapot", "", naive, local, 1, 7)
    assert (restored.created_at, restored.updated_at) == (naive.replace(tzinfo=UTC), NOW)
    assert restored.created_at.tzinfo is restored.updated_at.tzinfo is UTC


def test_an_item_drafted_equals_the_item_new_makes_and_its_draft_checks_the_fields() -> None:
    local = NOW.astimezone(timezone(timedelta(hours=-5)))
    drafted = Item.drafted(a_draft(), local)
    assert drafted == an_item(now=NOW) and hash(drafted) == hash(an_item(now=NOW))
    assert drafted.created_at.utcoffset() == timedelta(0)
    with pytest.raises(InvalidItem):
        a_draft(name="")
