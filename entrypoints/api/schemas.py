"""The HTTP shapes of items. Bounds come from the domain; these only advertise and pre-check them.

Unknown fields are rejected (422) rather than ignored, so a misspelt field is never silently dropped.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.item import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH

# JSON Schema has no way to say "no lone surrogates"; the domain rejects those.
NO_NUL = r"^[^\x00]*$"

Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX_LENGTH, pattern=NO_NUL)]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX_LENGTH, pattern=NO_NUL)]


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ItemIn(_Input):
    """A whole item, as created by POST and replaced by PUT."""

    name: Name = Field(examples=["Teapot"])
    description: Description = Field("", examples=["Short and stout"])


class ItemPatch(_Input):
    """A JSON merge patch: fields left out stay as they are; a null description clears it."""

    name: Name = Field(None, json_schema_extra=_drop_default)  # type: ignore[assignment]
    description: Description | None = None


class ItemOut(BaseModel):
    id: int
    name: str
    description: str
    created_at: datetime
    updated_at: datetime
    version: int


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
