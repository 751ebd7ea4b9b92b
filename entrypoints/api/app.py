"""The FastAPI app factory: `uvicorn entrypoints.api.app:create_app --factory`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from entrypoints.api.problems import install_problem_handlers
from entrypoints.api.routers import items
from entrypoints.container import Container
from entrypoints.settings import Settings


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    container = container or Container(settings=settings or Settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await container.init_resources()  # type: ignore[misc]
        try:
            yield
        finally:
            await container.shutdown_resources()  # type: ignore[misc]

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
