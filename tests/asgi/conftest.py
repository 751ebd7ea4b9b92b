from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from dependency_injector import providers

from domain.ports import UnitOfWorkFactory
from entrypoints.api.app import create_app
from entrypoints.container import Container
from entrypoints.settings import Settings
from tests.support.asgi import ClientFactory, running


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
