"""The shapes only HTTP has: the list query, the feed's pages, problem documents, the probes' answer.
An item's own shapes, in and out, are in entrypoints/shapes.py."""

from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, model_validator

from application.get_items import GET_MANY_MAX
from domain.item import ITEM_ID_MAX, ITEM_ID_MIN
from domain.listing import LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, LIST_SKIP_MAX, SEARCH_MAX_LENGTH, SORT_TOKENS
from entrypoints.cursors import CURSOR_MAX_LENGTH
from entrypoints.shapes import NO_NUL, ChangeOut, omit_default

SortToken = Literal[SORT_TOKENS]  # type: ignore[valid-type]  # the domain's tokens, in its order


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
    instance: str = Field(None, json_schema_extra=omit_default)  # type: ignore[assignment]
    errors: list[FieldError] = Field(
        None,  # type: ignore[arg-type]
        description="for validation errors: each offending field, where it is, and why",
        json_schema_extra=omit_default,
    )


class Health(BaseModel):
    """A probe's answer when all is well; otherwise the probe answers with a 503 problem."""

    status: Literal["ok"] = Field(description="always ok in a 200")
