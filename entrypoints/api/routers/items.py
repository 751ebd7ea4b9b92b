"""The /items resource: HTTP in, use-case call, HTTP out. No business rules here."""

from typing import Annotated

from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends, Path, Query, Response

from application.create_item import CreateItem
from application.delete_item import DeleteItem
from application.get_item import GetItem
from application.list_items import ListItems
from application.replace_item import ReplaceItem
from application.update_item import UpdateItem
from domain.item import ITEM_ID_MAX, ITEM_ID_MIN, Item
from domain.ports import LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, LIST_SKIP_MAX, ItemListQuery
from entrypoints.api.problems import problem_responses
from entrypoints.api.schemas import ItemIn, ItemOut, ItemPatch
from entrypoints.container import Container

router = APIRouter(prefix="/items", tags=["items"])

ItemId = Annotated[int, Path(ge=ITEM_ID_MIN, le=ITEM_ID_MAX, description="the item's id")]


def _out(item: Item) -> ItemOut:
    return ItemOut.model_validate(item, from_attributes=True)


@router.post(
    "/",
    status_code=201,
    response_model=ItemOut,
    responses=problem_responses(422, 503),
    summary="Create an item",
)
@router.post("", status_code=201, response_model=ItemOut, include_in_schema=False)
@inject
async def create_item(
    body: ItemIn,
    response: Response,
    create: Annotated[CreateItem, Depends(Provide[Container.create_item])],
) -> ItemOut:
    item = await create(body.name, body.description)
    response.headers["Location"] = f"{router.prefix}/{item.id}"
    return _out(item)


@router.get(
    "/",
    response_model=list[ItemOut],
    responses=problem_responses(422, 503),
    summary="List items in ascending id order",
)
@router.get("", response_model=list[ItemOut], include_in_schema=False)
@inject
async def list_items(
    list_: Annotated[ListItems, Depends(Provide[Container.list_items])],
    skip: Annotated[int, Query(ge=0, le=LIST_SKIP_MAX, description="items to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=LIST_LIMIT_MAX, description="page size")] = LIST_LIMIT_DEFAULT,
) -> list[ItemOut]:
    return [_out(item) for item in await list_(ItemListQuery(skip=skip, limit=limit))]


@router.get(
    "/{item_id}",
    response_model=ItemOut,
    responses=problem_responses(404, 422, 503),
    summary="Get one item",
)
@inject
async def get_item(
    item_id: ItemId,
    get: Annotated[GetItem, Depends(Provide[Container.get_item])],
) -> ItemOut:
    return _out(await get(item_id))


@router.put(
    "/{item_id}",
    response_model=ItemOut,
    responses=problem_responses(404, 409, 422, 503),
    summary="Replace an item (fields left out take their defaults)",
)
@inject
async def replace_item(
    item_id: ItemId,
    body: ItemIn,
    replace: Annotated[ReplaceItem, Depends(Provide[Container.replace_item])],
) -> ItemOut:
    return _out(await replace(item_id, body.name, body.description))


@router.patch(
    "/{item_id}",
    response_model=ItemOut,
    responses=problem_responses(404, 409, 422, 503),
    summary="Change some fields of an item (JSON merge patch)",
)
@inject
async def update_item(
    item_id: ItemId,
    body: ItemPatch,
    update: Annotated[UpdateItem, Depends(Provide[Container.update_item])],
) -> ItemOut:
    given = body.model_fields_set
    description = None
    if "description" in given:
        # In a merge patch, null removes a field; a removed description is the empty default.
        description = body.description or ""
    return _out(await update(item_id, name=body.name if "name" in given else None, description=description))


@router.delete(
    "/{item_id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404, 409, 503),
    summary="Delete an item",
)
@inject
async def delete_item(
    item_id: ItemId,
    delete: Annotated[DeleteItem, Depends(Provide[Container.delete_item])],
) -> Response:
    await delete(item_id)
    return Response(status_code=204)
