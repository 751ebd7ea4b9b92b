"""The /items resource: HTTP in, use-case call, HTTP out. No business rules here.

Each route parses its input once (declared in its signature, parsed by DirectRoute), calls its
use-case from the services built at start-up, and answers with the item's JSON bytes
(shapes.item_json) and its headers. `response_model` is for the OpenAPI document only: a returned
Response is not validated again, and tests prove every answer matches the published schema.
"""

from typing import Annotated, Any
from urllib.parse import quote_plus

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response
from starlette.convertors import StringConvertor, register_url_convertor

from application.idempotent_create import Created
from domain.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH
from domain.item import ITEM_ID_MAX, ITEM_ID_MIN, Item
from domain.listing import ItemListQuery, Sort
from entrypoints.api.direct_route import DirectRoute
from entrypoints.api.etags import etag_of, expected_versions, none_match
from entrypoints.api.problems import problem_responses
from entrypoints.api.schemas import ListParameters
from entrypoints.api.services import services_of
from entrypoints.container import Services
from entrypoints.shapes import ItemIn, ItemOut, ItemPatch, item_json, items_json

# Served by plans made at start-up (direct_route.py), not by FastAPI's per-request solving.
router = APIRouter(prefix="/items", tags=["items"], route_class=DirectRoute)
# Its own path, so that the body limits can give its body a larger bound (app.py).
BATCH = "/batch"


class _ItemSegment(StringConvertor):
    """Any path segment but the batch resource's: /items/batch is no item whose id fails to parse,
    so a GET or PUT there is a 405 naming POST, not a 422 for the id."""

    regex = f"(?!{BATCH.removeprefix('/')}$)[^/]+"


register_url_convertor("item_segment", _ItemSegment())
# An item's address; its id is then validated as ItemId.
_ITEM = "/{item_id:item_segment}"

ItemId = Annotated[int, Path(ge=ITEM_ID_MIN, le=ITEM_ID_MAX, description="the item's id")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=IDEMPOTENCY_KEY_MAX_LENGTH,
        pattern=r"^[!-~]+$",
        description="A retry with the same key and body gets the first answer and creates nothing "
        "(409 while the first is in flight, 422 with another body); kept for IDEMPOTENCY_TTL",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        description='Change only if the item still has one of these ETags (or any, for "*"); else 412',
    ),
]

_JSON = "application/json"


def _header(name: str, description: str, **schema: Any) -> dict[str, Any]:
    """An answer's header as the OpenAPI document describes it: a string, `schema` narrowing it."""
    return {name: {"description": description, "schema": {"type": "string", **schema}}}


_ETAG = _header("ETag", "the item's strong entity tag")
_LINK = _header("Link", 'RFC 8288 `<url>; rel="next"`: the next page, by cursor; absent on the last page')
_MISSING = _header(
    "Missing-Ids", "the ids asked for (id) that no item has, comma-separated; absent when none is"
)
_REPLAYED = _header(
    "Idempotent-Replayed",
    "a retry under the same Idempotency-Key, answered as the first was; nothing created",
    enum=["true"],
)
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


def _answer(item: Item, status: int = 200, **headers: str) -> Response:
    return Response(item_json(item), status, {"ETag": etag_of(item), **headers}, _JSON)


def _replay_headers(created: Created) -> dict[str, str]:
    return {"Idempotent-Replayed": "true"} if created.replayed else {}


def _unquoted(key: str | None) -> str | None:
    """The draft's syntax is a quoted string (RFC 8941); a bare token is accepted too."""
    if key is not None and len(key) > 2 and key[0] == key[-1] == '"':
        return key[1:-1]
    return key


@router.post(
    "/",
    status_code=201,
    response_model=ItemOut,
    responses={
        201: {"headers": {**_ETAG, "Location": {"schema": {"type": "string"}}, **_REPLAYED}},
        **problem_responses(409, 413, 415, 422, 503),
    },
    summary="Create an item (once per Idempotency-Key)",
    operation_id="createItem",
)
@router.post("", status_code=201, response_model=ItemOut, include_in_schema=False)
async def create_item(
    body: ItemIn,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    create = services_of(request).create_item
    created = await create.answer(body.draft(), idempotency_key=_unquoted(idempotency_key))
    (item,) = created.items
    return _answer(item, 201, Location=f"{router.prefix}/{item.id}", **_replay_headers(created))


@router.post(
    BATCH,
    status_code=201,
    response_model=list[ItemOut],
    responses={201: {"headers": _REPLAYED}, **problem_responses(409, 413, 415, 422, 503)},
    summary="Create items, all or none (once per Idempotency-Key)",
    operation_id="createItems",
)
async def create_items(
    body: Annotated[list[ItemIn], Body(min_length=1)],
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Every item is checked as `POST /items/` checks one, and an error's `loc` names the item by
    its index (`["body", 17, "name"]`); one bad item stores none. The answer lists the items in the
    order sent. At most `BATCH_MAX_ITEMS` items (else 413), in a body of at most
    `BATCH_MAX_BODY_BYTES` (else 413).

    A resource of its own rather than an array also taken by `POST /items/`: generated clients get
    an operation and a body schema of its own instead of a union, this path alone gets the larger
    body limit, and a 201 that made many items has no single `Location` to give.
    """
    drafts = [entry.draft() for entry in body]
    created = await services_of(request).create_items(drafts, idempotency_key=_unquoted(idempotency_key))
    return Response(items_json(created.items), 201, _replay_headers(created), _JSON)


@router.get(
    "/",
    response_model=list[ItemOut],
    responses={200: {"headers": {**_LINK, **_MISSING}}, **problem_responses(400, 422, 503)},
    summary="List items, by offset (skip) or by cursor, sorted, optionally filtered by name",
    description="With `id` instead, the items with those ids: in the order asked, each once, the ones "
    "no item has left out and named in `Missing-Ids`.",
    operation_id="listItems",
)
@router.get("", response_model=list[ItemOut], include_in_schema=False)
async def list_items(request: Request, query: Annotated[ListParameters, Query()]) -> Response:
    services = services_of(request)
    if query.ids is not None:
        return await _items_by_id(services, query.ids)
    order = Sort.parse(query.sort)
    after = None if query.cursor is None else services.cursors.decode(query.cursor, order, query.q)
    listing = await services.list_items(
        ItemListQuery(skip=query.skip, limit=query.limit, sort=order, name_contains=query.q, after=after)
    )
    headers = {}
    if listing.next_after is not None:
        cursor = services.cursors.encode(listing.next_after, order, query.q)
        # The matched route's own path (/items/ or /items, as the client asked), not the request's:
        # routing's `$` also matches before a trailing newline, which must not reach a header.
        headers["Link"] = f'<{request.scope["route"].path}?{_next_page_query(query, cursor)}>; rel="next"'
    return Response(items_json(listing.items), 200, headers, _JSON)


def _next_page_query(query: ListParameters, cursor: str) -> str:
    """The same limit, sort and q, and the cursor. Sort tokens and cursors (base64url) are URL-safe
    as they are (tests/unit/test_link_safety.py): only the search text is escaped."""
    search = "" if query.q is None else f"&q={quote_plus(query.q)}"
    return f"limit={query.limit}&sort={query.sort}{search}&cursor={cursor}"


async def _items_by_id(services: Services, item_ids: list[int]) -> Response:
    found = await services.get_items(item_ids)
    got = {item.id for item in found}
    missing = [str(item_id) for item_id in dict.fromkeys(item_ids) if item_id not in got]
    headers = {"Missing-Ids": ", ".join(missing)} if missing else {}
    return Response(items_json(found), 200, headers, _JSON)


@router.get(
    _ITEM,
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
    request: Request,
    if_none_match: Annotated[
        str | None,
        Header(
            description="answer 304 if the item still has one of these ETags",
        ),
    ] = None,
) -> Response:
    item = await services_of(request).get_item(item_id)
    if none_match(if_none_match, item):
        return Response(status_code=304, headers={"ETag": etag_of(item)})
    return _answer(item)


@router.put(
    _ITEM,
    response_model=ItemOut,
    responses=_CHANGE_RESPONSES,
    summary="Replace an item (fields left out take their defaults)",
    operation_id="replaceItem",
)
async def replace_item(item_id: ItemId, body: ItemIn, request: Request, if_match: IfMatch = None) -> Response:
    replace = services_of(request).replace_item
    return _answer(await replace(item_id, body.draft(), expected_versions(if_match, item_id)))


@router.patch(
    _ITEM,
    response_model=ItemOut,
    responses=_CHANGE_RESPONSES,
    summary="Change some fields of an item (JSON merge patch)",
    operation_id="updateItem",
    openapi_extra=_MERGE_PATCH_BODY,
)
async def update_item(
    item_id: ItemId, body: ItemPatch, request: Request, if_match: IfMatch = None
) -> Response:
    item = await services_of(request).update_item(
        item_id, expected_versions=expected_versions(if_match, item_id), **body.changes()
    )
    return _answer(item)


@router.delete(
    _ITEM,
    status_code=204,
    response_class=Response,
    responses=problem_responses(404, 412, 422, 503),
    summary="Delete an item",
    operation_id="deleteItem",
)
async def delete_item(item_id: ItemId, request: Request, if_match: IfMatch = None) -> Response:
    await services_of(request).delete_item(item_id, expected_versions(if_match, item_id))
    return Response(status_code=204)
