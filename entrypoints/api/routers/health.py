"""Probes for an orchestrator: is the process up, and can it serve (database reachable, schema current)."""

from fastapi import APIRouter, Request, Response

from entrypoints.api.problems import RETRY_LATER, problem, problem_responses
from entrypoints.api.schemas import Health
from entrypoints.api.services import services_of

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", summary="The process is up", response_model=Health, operation_id="getLiveness")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="The service can serve: database reachable and schema current",
    response_model=Health,
    responses={200: {"description": "Ready"}, **problem_responses(503)},
    operation_id="getReadiness",
)
async def ready(request: Request) -> Response:
    reason = await services_of(request).store_probe()
    if reason is not None:
        return problem(503, f"Not ready: {reason}", headers=RETRY_LATER)
    return Response(b'{"status":"ok"}', media_type="application/json")
