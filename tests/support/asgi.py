"""The ASGI app in-process: started with its lifespan, a client talking to it without a server."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from weakref import WeakKeyDictionary

import httpx
from fastapi import FastAPI

ClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]

# The app each running client talks to (httpx keeps a client's transport private).
_apps: WeakKeyDictionary[httpx.AsyncClient, FastAPI] = WeakKeyDictionary()


def app_of(client: httpx.AsyncClient) -> FastAPI:
    """The app a client from `running` talks to, for a test that adds a route of its own."""
    return _apps[client]


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app started (lifespan) and a client talking to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            _apps[client] = app
            yield client
