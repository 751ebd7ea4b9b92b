"""Route parameters that take a provider's product from the app's own container.

An `async def` dependency, so FastAPI awaits it on the event loop. dependency-injector's
`Depends(Provide[...])` marker is a plain callable, which FastAPI runs on a worker thread: under
load that thread hop (and the GIL hand-offs it brings) cost a fifth of the worker's time in the
profile. Reading `request.app.state.container` also binds each app to its own container, where
module wiring would bind the routers to whichever container was wired last.
"""

from typing import Any

from fastapi import Depends, Request

from entrypoints.container import Container, settle


def provided(name: str) -> Any:
    """A `Depends` on the container's provider `name` (a Singleton: built once, then handed out)."""
    if name not in Container.providers:
        raise ValueError(f"the container has no provider {name!r}")

    async def from_container(request: Request) -> Any:
        return await settle(getattr(request.app.state.container, name)())

    return Depends(from_container)
