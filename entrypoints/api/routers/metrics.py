"""GET /metrics in the Prometheus text format, for a scraper rather than for API clients."""

from fastapi import APIRouter, Response

from entrypoints import metrics

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def exposition() -> Response:
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
