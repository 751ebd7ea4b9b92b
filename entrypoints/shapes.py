"""The JSON shapes of an item and of a change: what clients send (ItemIn, ItemPatch), what the API
answers, the CLI prints and exports and the relay publishes (item_json, change_json). Here, beside
both driving adapters, so that neither imports the other. Bounds come from the domain; these only
advertise and pre-check them. Unknown fields are rejected (422) rather than ignored, so a misspelt
field is never silently dropped."""

import operator
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.feed import ChangeKind, RecordedChange
from domain.item import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, Item, ItemDraft

# JSON Schema has no way to say "no lone surrogates"; the domain rejects those.
NO_NUL = r"^[^\x00]*$"

Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX_LENGTH, pattern=NO_NUL)]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX_LENGTH, pattern=NO_NUL)]


def omit_default(schema: dict[str, Any]) -> None:
    """For `json_schema_extra`: the field published without its default (None stands for "absent")."""
    schema.pop("default", None)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ItemIn(_Input):
    """A whole item, as created by POST and replaced by PUT."""

    name: Name = Field(examples=["Teapot"])
    description: Description = Field("", examples=["Short and stout"])

    def draft(self) -> ItemDraft:
        return ItemDraft(**self.model_dump())


class ItemPatch(_Input):
    """A JSON merge patch: fields left out stay as they are; a null description clears it."""

    name: Name = Field(None, json_schema_extra=omit_default)  # type: ignore[assignment]
    description: Description | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the patch sets, by name. In a merge patch null removes a field: a removed
        field takes its default, as in a whole item (ItemIn)."""
        return {
            name: ItemIn.model_fields[name].get_default() if value is None else value
            for name, value in self.model_dump(exclude_unset=True).items()
        }


# An item as every answer shows it: published in the OpenAPI document, while the answers are built
# by item_json straight from the domain item (tests prove the two agree).
class ItemOut(BaseModel):
    id: int
    name: str
    description: str
    created_at: datetime
    updated_at: datetime
    version: int


# The answer's fields, in ItemOut's order: one definition for the document, the bytes and the
# columns of a CSV export.
ANSWER_FIELDS = tuple(ItemOut.model_fields)
# ISO 8601 with "Z" for UTC, as pydantic writes it.
_JSON_OPTIONS = orjson.OPT_UTC_Z


# An item's answer values, in that order, read in one C call (a page reads ten items).
_out_values = operator.attrgetter(*ANSWER_FIELDS)


def item_json(item: Item) -> bytes:
    return orjson.dumps(dict(zip(ANSWER_FIELDS, _out_values(item), strict=True)), option=_JSON_OPTIONS)


def items_json(items: Sequence[Item]) -> bytes:
    answers = [dict(zip(ANSWER_FIELDS, values, strict=True)) for values in map(_out_values, items)]
    return orjson.dumps(answers, option=_JSON_OPTIONS)


class ChangeOut(BaseModel):
    """A kept write, as the change feed and the relay's messages carry it."""

    item_id: int
    kind: ChangeKind
    version: int = Field(description="the item's version after the write; a delete is its next version")
    recorded_at: datetime
    item: ItemOut | None = Field(description="the item as the write left it; null for a delete")
    deduplication_id: str = Field(description="the same whenever this change is delivered again")


def change_out(change: RecordedChange) -> ChangeOut:
    return ChangeOut.model_validate(change, from_attributes=True)


def change_json(change: RecordedChange) -> bytes:
    """A change's message body for the broker: the feed's own shape."""
    return change_out(change).model_dump_json().encode()
