from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from fastapi import FastAPI

from domain.ports import UnitOfWorkFactory
from entrypoints.api.app import create_app
from entrypoints.container import Container
from entrypoints.settings import Settings

ClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app started (lifespan) and a client talking to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
def client_with(uow_factory: UnitOfWorkFactory) -> ClientFactory:
    """The real ASGI app with the given settings, its store overridden by the test's backend."""

    @asynccontextmanager
    async def open_client(**settings: Any) -> AsyncIterator[httpx.AsyncClient]:
        container = Container(settings=Settings(database_url="memory://", **settings))
        with container.uow.override(providers.Object(uow_factory)):
            async with running(create_app(container=container)) as client:
                yield client

    return open_client


@pytest.fixture
async def client(client_with: ClientFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with client_with() as client:
        yield client
