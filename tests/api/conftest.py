from collections.abc import AsyncIterator

import httpx
import pytest
from dependency_injector import providers

from domain.ports import UnitOfWorkFactory
from entrypoints.api.app import create_app
from entrypoints.container import Container
from entrypoints.settings import Settings


@pytest.fixture
async def client(uow_factory: UnitOfWorkFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The real ASGI app, with the container's store overridden by the test's backend."""
    container = Container(settings=Settings(database_url="memory://"))
    with container.uow.override(providers.Object(uow_factory)):
        app = create_app(container=container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield client
