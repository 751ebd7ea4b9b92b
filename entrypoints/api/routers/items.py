"""The /items resource: HTTP in, use-case call, HTTP out. No business rules here."""

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Path, Query, Request, Response

from application.create_item import CreateItem
from application.delete_item import DeleteItem
from application.get_item import GetItem
from application.list_items import ListItems
from application.replace_item import ReplaceItem
from application.update_item import UpdateItem
from domain.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH
from domain.item import ITEM_ID_MAX, ITEM_ID_MIN, Item
from domain.listing import (
    LIST_LIMIT_DEFAULT,
    LIST_LIMIT_MAX,
    LIST_SKIP_MAX,
    SEARCH_MAX_LENGTH,
    ItemListQuery,
    Sort,
)
from entrypoints.api.cursors import CURSOR_MAX_LENGTH, CursorCodec
from entrypoints.api.dependencies import provided
from entrypoints.api.etags import etag_of, expected_versions, none_match
from entrypoints.api.problems import problem_responses
from entrypoints.api.schemas import NO_NUL, ItemIn, ItemOut, ItemPatch

router = APIRouter(prefix="/items", tags=["items"])

ItemId = Annotated[int, Path(ge=ITEM_ID_MIN, le=ITEM_ID_MAX, description="the item's id")]
SortToken = Literal["id", "-id", "created_at", "-created_at", "name", "-name"]
IfMatch = Annotated[
    str | None,
    Header(
        description='Change only if the item still has one of these ETags (or any, for "*"); else 412',
    ),
]

_ETAG = {"ETag": {"description": "the item's strong entity tag", "schema": {"type": "string"}}}
_LINK = {
    "Link": {
        "description": 'RFC 8288 `<url>; rel="next"`: the next page, by cursor; absent on the last page',
        "schema": {"type": "string"},
    }
}
# A merge patch's own media type (RFC 7396), accepted beside application/json (FastAPI lists that one).
_MERGE_PATCH_BODY = {
    "requestBody": {
        "content": {"application/merge-patch+json": {"schema": {"$ref": "#/components/schemas/ItemPatch"}}}
    }
}
# PUT and PATCH answer alike: the changed item with its tag, or one of these problems.
_CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"headers": _ETAG},
    **problem_responses(404, 412, 413, 415, 422, 503),
}


def _out(item: Item) -> ItemOut:
    return ItemOut.model_validate(item, from_attributes=True)


def _unquoted(key: str | None) -> str | None:
    """The draft's syntax is a quoted string (RFC 8941); a bare token is accepted too."""
    if key is not None and len(key) > 2 and key[0] == key[-1] == '"':
        return key[1:-1]
    return key


def _described(item: Item, response: Response) -> ItemOut:
    response.headers["ETag"] = etag_of(item)
    return _out(item)


@router.post(
    "/",
    status_code=201,
    response_model=ItemOut,
    responses={
        201: {"headers": {**_ETAG, "Location": {"schema": {"type": "string"}}}},
        **problem_responses(409, 413, 415, 422, 503),
    },
    summary="Create an item (once per Idempotency-Key)",
    operation_id="createItem",
)
@router.post("", status_code=201, response_model=ItemOut, include_in_schema=False)
async def create_item(
    body: ItemIn,
    response: Response,
    create: Annotated[CreateItem, provided("create_item")],
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=IDEMPOTENCY_KEY_MAX_LENGTH,
            pattern=r"^[!-~]+$",
            description="A retry with the same key and body gets the first answer and creates nothing "
            "(409 while the first is in flight, 422 with another body); kept for IDEMPOTENCY_TTL",
        ),
    ] = None,
) -> ItemOut:
    item = await create(body.name, body.description, idempotency_key=_unquoted(idempotency_key))
    response.headers["Location"] = f"{router.prefix}/{item.id}"
    return _described(item, response)


@router.get(
    "/",
    response_model=list[ItemOut],
    responses={200: {"headers": _LINK}, **problem_responses(400, 422, 503)},
    summary="List items, by offset (skip) or by cursor, sorted, optionally filtered by name",
    operation_id="listItems",
)
@router.get("", response_model=list[ItemOut], include_in_schema=False)
async def list_items(
    *,
    request: Request,
    response: Response,
    list_: Annotated[ListItems, provided("list_items")],
    codec: Annotated[CursorCodec, provided("cursor_codec")],
    skip: Annotated[int, Query(ge=0, le=LIST_SKIP_MAX, description="items to skip (not with cursor)")] = 0,
    limit: Annotated[int, Query(ge=1, le=LIST_LIMIT_MAX, description="page size")] = LIST_LIMIT_DEFAULT,
    sort: Annotated[
        SortToken, Query(description="order (- for descending); ties are broken by id; name ignores case")
    ] = "id",
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=SEARCH_MAX_LENGTH,
            pattern=NO_NUL,
            description="only items whose name contains this text, ignoring case",
        ),
    ] = None,
    cursor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=CURSOR_MAX_LENGTH,
            description="where to continue: from the previous page's Link header, with the same sort and q",
        ),
    ] = None,
) -> list[ItemOut]:
    order = Sort.parse(sort)
    after = None if cursor is None else codec.decode(cursor, order, q)
    listing = await list_(ItemListQuery(skip=skip, limit=limit, sort=order, name_contains=q, after=after))
    if listing.next_after is not None:
        params: dict[str, Any] = {"limit": limit, "sort": sort}
        if q is not None:
            params["q"] = q
        params["cursor"] = codec.encode(listing.next_after, order, q)
        response.headers["Link"] = f'<{request.url.path}?{urlencode(params)}>; rel="next"'
    return [_out(item) for item in listing.items]


@router.get(
    "/{item_id}",
    response_model=ItemOut,
    responses={
        200: {"headers": _ETAG},
        304: {"description": "Not Modified: the item still has a tag from If-None-Match", "headers": _ETAG},
        **problem_responses(404, 422, 503),
    },
    summary="Get one item",
    operation_id="getItem",
)
async def get_item(
    item_id: ItemId,
    response: Response,
    get: Annotated[GetItem, provided("get_item")],
    if_none_match: Annotated[
        str | None,
        Header(
            description="answer 304 if the item still has one of these ETags",
        ),
    ] = None,
) -> ItemOut | Response:
    item = await get(item_id)
    if none_match(if_none_match, item):
        return Response(status_code=304, headers={"ETag": etag_of(item)})
    return _described(item, response)


@router.put(
    "/{item_id}",
    response_model=ItemOut,
    responses=_CHANGE_RESPONSES,
    summary="Replace an item (fields left out take their defaults)",
    operation_id="replaceItem",
)
async def replace_item(
    item_id: ItemId,
    body: ItemIn,
    response: Response,
    replace: Annotated[ReplaceItem, provided("replace_item")],
    if_match: IfMatch = None,
) -> ItemOut:
    item = await replace(item_id, body.name, body.description, expected_versions(if_match, item_id))
    return _described(item, response)


@router.patch(
    "/{item_id}",
    response_model=ItemOut,
    responses=_CHANGE_RESPONSES,
    summary="Change some fields of an item (JSON merge patch)",
    operation_id="updateItem",
    openapi_extra=_MERGE_PATCH_BODY,
)
async def update_item(
    item_id: ItemId,
    body: ItemPatch,
    response: Response,
    update: Annotated[UpdateItem, provided("update_item")],
    if_match: IfMatch = None,
) -> ItemOut:
    given = body.model_fields_set
    description = None
    if "description" in given:
        # In a merge patch, null removes a field; a removed description is the empty default.
        description = body.description or ""
    item = await update(
        item_id,
        name=body.name if "name" in given else None,
        description=description,
        expected_versions=expected_versions(if_match, item_id),
    )
    return _described(item, response)


@router.delete(
    "/{item_id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404, 412, 422, 503),
    summary="Delete an item",
    operation_id="deleteItem",
)
async def delete_item(
    item_id: ItemId,
    delete: Annotated[DeleteItem, provided("delete_item")],
    if_match: IfMatch = None,
) -> Response:
    await delete(item_id, expected_versions(if_match, item_id))
    return Response(status_code=204)
