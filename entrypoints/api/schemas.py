"""The HTTP shapes of items. Bounds come from the domain; these only advertise and pre-check them.

Unknown fields are rejected (422) rather than ignored, so a misspelt field is never silently dropped.
"""

import operator
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal, Self

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from application.get_items import GET_MANY_MAX
from domain.feed import ChangeKind, RecordedChange
from domain.item import DESCRIPTION_MAX_LENGTH, ITEM_ID_MAX, ITEM_ID_MIN, NAME_MAX_LENGTH, Item, ItemDraft
from domain.listing import LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, LIST_SKIP_MAX, SEARCH_MAX_LENGTH, SORT_TOKENS
from entrypoints.cursors import CURSOR_MAX_LENGTH

# JSON Schema has no way to say "no lone surrogates"; the domain rejects those.
NO_NUL = r"^[^\x00]*$"

Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX_LENGTH, pattern=NO_NUL)]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX_LENGTH, pattern=NO_NUL)]
SortToken = Literal[SORT_TOKENS]  # type: ignore[valid-type]  # the domain's tokens, in its order


def _drop_default(schema: dict[str, Any]) -> None:
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

    name: Name = Field(None, json_schema_extra=_drop_default)  # type: ignore[assignment]
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


# The answer's fields, in ItemOut's order: one definition for the document and the bytes.
_OUT_FIELDS = tuple(ItemOut.model_fields)
# ISO 8601 with "Z" for UTC, as pydantic writes it.
_JSON_OPTIONS = orjson.OPT_UTC_Z


# An item's answer values, in that order, read in one C call (a page reads ten items).
_out_values = operator.attrgetter(*_OUT_FIELDS)


def item_json(item: Item) -> bytes:
    return orjson.dumps(dict(zip(_OUT_FIELDS, _out_values(item), strict=True)), option=_JSON_OPTIONS)


def items_json(items: Sequence[Item]) -> bytes:
    answers = [dict(zip(_OUT_FIELDS, values, strict=True)) for values in map(_out_values, items)]
    return orjson.dumps(answers, option=_JSON_OPTIONS)


class ListParameters(BaseModel):
    """GET /items/'s query, validated in one step."""

    skip: int = Field(0, ge=0, le=LIST_SKIP_MAX, description="items to skip (not with cursor)")
    limit: int = Field(LIST_LIMIT_DEFAULT, ge=1, le=LIST_LIMIT_MAX, description="page size")
    sort: SortToken = Field(
        "id", description="order (- for descending); ties are broken by id; name ignores case"
    )
    q: str | None = Field(
        None,
        min_length=1,
        max_length=SEARCH_MAX_LENGTH,
        pattern=NO_NUL,
        description="only items whose name contains this text, ignoring case",
    )
    cursor: str | None = Field(
        None,
        min_length=1,
        max_length=CURSOR_MAX_LENGTH,
        description="where to continue: from the previous page's Link header, with the same sort and q",
    )
    ids: list[Annotated[int, Field(ge=ITEM_ID_MIN, le=ITEM_ID_MAX)]] | None = Field(
        None,
        alias="id",
        max_length=GET_MANY_MAX,
        description="instead of a page, the items with these ids (repeated: id=4&id=9), in this order; "
        "not with the other parameters",
    )

    @model_validator(mode="after")
    def _ids_or_a_page(self) -> Self:
        """A batch get has no page to skip, size, sort, filter or continue: a client that mixes the
        two has a bug, which guessing what it meant would hide."""
        if self.ids is not None:
            paging = {name: field for name, field in type(self).model_fields.items() if name != "ids"}
            given = [name for name, field in paging.items() if getattr(self, name) != field.default]
            if given:
                raise ValueError(f"id asks for items by id, not for a page: drop {', '.join(given)}")
        return self


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


class ChangePage(BaseModel):
    changes: list[ChangeOut]
    next_cursor: str | None = Field(
        description="where to continue (the same cursor when nothing new came); null while the feed is empty"
    )


class FeedHeadOut(BaseModel):
    cursor: str | None = Field(
        description="follow the feed from here after reading every item; null: from the start"
    )


class FieldError(BaseModel):
    """One offending input of a 422: where it is and why (the input itself is not echoed)."""

    loc: list[str | int] = Field(
        description='where: "body", "query", "path" or "header", then the field (and index) inside it',
        examples=[["body", "name"]],
    )
    msg: str = Field(description="why, for people", examples=["String should have at least 1 character"])
    type: str = Field(description="why, for programs", examples=["string_too_short"])


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str = Field(None, json_schema_extra=_drop_default)  # type: ignore[assignment]
    errors: list[FieldError] = Field(
        None,  # type: ignore[arg-type]
        description="for validation errors: each offending field, where it is, and why",
        json_schema_extra=_drop_default,
    )


class Health(BaseModel):
    """A probe's answer when all is well; otherwise the probe answers with a 503 problem."""

    status: Literal["ok"] = Field(description="always ok in a 200")
