"""The Item entity and the rules every item obeys, whatever stores it."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime

from domain.errors import InvalidItem, ItemNotFound, PreconditionFailed

NAME_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 10_000
# Ids are 64-bit signed integers in every store.
ITEM_ID_MIN = 1
ITEM_ID_MAX = 2**63 - 1


def unstorable(text: str) -> str | None:
    """Why some store could not keep `text` (a NUL, a lone surrogate); None when every store can."""
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode (no lone surrogates)"
    return None


def check_text(field: str, value: str, *, min_length: int, max_length: int) -> None:
    """Length in characters, and only text every store can keep (no NUL, valid Unicode)."""
    if not min_length <= len(value) <= max_length:
        raise InvalidItem(field, f"must be {min_length} to {max_length} characters long")
    if (problem := unstorable(value)) is not None:
        raise InvalidItem(field, problem)


def check_name(name: str) -> None:
    check_text("name", name, min_length=1, max_length=NAME_MAX_LENGTH)


def check_description(description: str) -> None:
    check_text("description", description, min_length=0, max_length=DESCRIPTION_MAX_LENGTH)


def as_utc(moment: datetime) -> datetime:
    """Stores that forget time zones give naive UTC back; every timestamp leaves aware."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Item:
    """A catalogue item. `id` is None until a repository has stored it."""

    name: str
    description: str
    created_at: datetime
    updated_at: datetime
    version: int = 1
    id: int | None = None

    def __post_init__(self) -> None:
        check_name(self.name)
        check_description(self.description)
        if self.version < 1:
            raise InvalidItem("version", "must be at least 1")

    @classmethod
    def restored(  # noqa: PLR0917 -- a row's values, by position
        cls,
        name: str,
        description: str,
        created_at: datetime,
        updated_at: datetime,
        version: int,
        id: int,
    ) -> Item:
        """An item as a store gives it back, its times made UTC (stores that forget time zones give
        naive UTC). Its rules were checked before the store took it, so reading it does not check
        them again (on a page of ten that was a tenth of the request). The parameters are the
        fields in ITEM_FIELDS' order, so a store's row in that order is its arguments as it is
        (passed by position, ten items restore in ~40% of the time by keyword)."""
        item = object.__new__(cls)
        set_field = object.__setattr__  # how a frozen dataclass's own __init__ sets its fields
        set_field(item, "id", id)
        set_field(item, "name", name)
        set_field(item, "description", description)
        # Most drivers give UTC already: as_utc is called only for the others.
        set_field(item, "created_at", created_at if created_at.tzinfo is UTC else as_utc(created_at))
        set_field(item, "updated_at", updated_at if updated_at.tzinfo is UTC else as_utc(updated_at))
        set_field(item, "version", version)
        return item

    @classmethod
    def drafted(cls, draft: ItemDraft, now: datetime) -> Item:
        """A new item from a draft, created at `now`. The draft checked its fields when it was made,
        so they are not checked again (in a batch of a thousand, that was a fifth of the work)."""
        moment = as_utc(now)
        item = object.__new__(cls)
        set_field = object.__setattr__
        for field in CLIENT_FIELDS:
            set_field(item, field, getattr(draft, field))
        set_field(item, "created_at", moment)
        set_field(item, "updated_at", moment)
        set_field(item, "version", 1)
        set_field(item, "id", None)
        return item

    def changed(self, now: datetime, *, name: str | None = None, description: str | None = None) -> Item:
        """The item with the given fields changed, or itself when nothing changes.

        A real change bumps the version and the update time; a no-op does not, so
        repeating a PUT or PATCH leaves the item (and its ETag) as it was.
        """
        new_name = self.name if name is None else name
        new_description = self.description if description is None else description
        if new_name == self.name and new_description == self.description:
            return self
        return replace(
            self,
            name=new_name,
            description=new_description,
            updated_at=max(as_utc(now), self.updated_at),
            version=self.version + 1,
        )


@dataclass(frozen=True, slots=True)
class ItemDraft:
    """A new item as a client asks for it: its client fields only. The store gives it an id and
    the use-case that creates it the time (Item.drafted)."""

    name: str
    description: str = ""

    def __post_init__(self) -> None:
        check_name(self.name)
        check_description(self.description)


@dataclass(frozen=True, slots=True)
class ItemChange:
    """What a PUT or PATCH asks of a stored item: the fields to set (None keeps the stored value),
    when, and the versions it is allowed at (None: any, so the last writer wins).

    Stores apply it in one atomic step, with the version bump computed there; `applied_to` is the
    rule they follow (and the memory store runs).
    """

    at: datetime
    name: str | None = None
    description: str | None = None
    expected_versions: frozenset[int] | None = None

    def __post_init__(self) -> None:
        if self.name is not None:
            check_name(self.name)
        if self.description is not None:
            check_description(self.description)
        object.__setattr__(self, "at", as_utc(self.at))

    def applied_to(self, item: Item) -> Item:
        """The item as this change leaves it: itself when nothing changes (see Item.changed)."""
        return item.changed(self.at, name=self.name, description=self.description)


# Every field of an item, in the entity's order: what a store keeps and an export writes.
ITEM_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(Item))
# The fields a client sets, in order: ItemChange's own but its time and versions. Stores and the
# idempotency fingerprint read the list from here, so a new field is named once, in the classes above.
CLIENT_FIELDS: tuple[str, ...] = tuple(
    field.name for field in fields(ItemChange) if field.name not in ("at", "expected_versions")
)


def check_version(item_id: int, version: int, expected_versions: frozenset[int] | None) -> None:
    """A conditional write goes ahead only on an item at one of the versions it expects."""
    if expected_versions is not None and version not in expected_versions:
        raise PreconditionFailed(item_id, version)


def check_item_id(item_id: int) -> None:
    """No item can live outside the id range, so asking for one is simply not found."""
    if not ITEM_ID_MIN <= item_id <= ITEM_ID_MAX:
        raise ItemNotFound(item_id)
