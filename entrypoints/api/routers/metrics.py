"""GET /metrics in the Prometheus text format, for a scraper rather than for API clients."""

from fastapi import APIRouter, Response

from entrypoints.observability import metrics

router = APIRouter(tags=["metrics"])
# The media type of the text format, without the version parameter the answer adds.
_TEXT_FORMAT = "text/plain"


@router.get(
    "/metrics",
    summary="Metrics in the Prometheus text format, every worker process added up",
    response_class=Response,
    responses={
        200: {"description": "The exposition", "content": {_TEXT_FORMAT: {"schema": {"type": "string"}}}}
    },
    operation_id="getMetrics",
)
async def exposition() -> Response:
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
