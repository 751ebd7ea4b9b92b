"""The FastAPI app factory: `uvicorn entrypoints.api.app:create_app --factory`."""

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from entrypoints.api.problems import install_problem_handlers
from entrypoints.api.routers import items
from entrypoints.container import Container
from entrypoints.settings import Settings


async def _settle(outcome: Awaitable[None] | None) -> None:
    """The container returns an awaitable only when some resource is async (overrides may not be)."""
    if outcome is not None:
        await outcome


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    container = container or Container(settings=settings or Settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await _settle(container.init_resources())
        try:
            yield
        finally:
            await _settle(container.shutdown_resources())

    app = FastAPI(
        title="Items service",
        version="1.0.0",
        summary="A catalogue of items over REST, built as ports and adapters.",
        lifespan=lifespan,
    )
    app.state.container = container
    install_problem_handlers(app)
    app.include_router(items.router)
    return app
