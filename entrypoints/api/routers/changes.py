"""The /changes resource: the change feed, a page at a time after a cursor, optionally waiting.

Like /items: input parsed once from the signature, the use-case called from the services built
at start-up (api/services.py), the answer returned.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from domain.feed import FEED_LIMIT_DEFAULT, FEED_LIMIT_MAX, FEED_WAIT_MAX
from entrypoints.api.problems import problem_responses
from entrypoints.api.schemas import ChangePage, FeedHeadOut
from entrypoints.api.services import services_of
from entrypoints.cursors import CURSOR_MAX_LENGTH
from entrypoints.shapes import change_out

router = APIRouter(prefix="/changes", tags=["changes"])


@router.get(
    "",
    response_model=ChangePage,
    responses=problem_responses(400, 410, 422, 503),
    summary="Changes after a cursor, oldest first: each kept write once, an item's in version order",
    operation_id="listChanges",
)
@router.get("/", response_model=ChangePage, include_in_schema=False)
async def list_changes(
    request: Request,
    cursor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=CURSOR_MAX_LENGTH,
            description="next_cursor of the previous page; none: from the first change kept (410 if pruned)",
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=FEED_LIMIT_MAX, description="changes per page")
    ] = FEED_LIMIT_DEFAULT,
    wait: Annotated[
        float,
        Query(ge=0, le=FEED_WAIT_MAX, description="seconds to wait for a change when none is there yet"),
    ] = 0,
) -> ChangePage:
    services = services_of(request)
    codec = services.cursors
    after = None if cursor is None else codec.decode_position(cursor)
    changes = await services.read_changes(after, limit, wait)
    last = changes[-1].position if changes else after
    return ChangePage(
        changes=[change_out(change) for change in changes],
        next_cursor=None if last is None else codec.encode_position(last),
    )


@router.get(
    "/head",
    response_model=FeedHeadOut,
    responses=problem_responses(503),
    summary="The cursor to follow the feed from after reading every item (a resync)",
    operation_id="getChangeFeedHead",
)
async def feed_head(request: Request) -> FeedHeadOut:
    services = services_of(request)
    position = await services.feed_head()
    return FeedHeadOut(cursor=None if position is None else services.cursors.encode_position(position))
