from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from dependency_injector import providers
from fastapi import FastAPI

from domain.ports import UnitOfWorkFactory
from entrypoints.api.app import create_app
from entrypoints.container import Container
from entrypoints.settings import Settings


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app started (lifespan) and a client talking to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
async def client(uow_factory: UnitOfWorkFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The real ASGI app, with the container's store overridden by the test's backend."""
    container = Container(settings=Settings(database_url="memory://"))
    with container.uow.override(providers.Object(uow_factory)):
        async with running(create_app(container=container)) as client:
            yield client
