"""The composition root: the only place that picks concrete adapters."""

from collections.abc import Awaitable
from typing import Any

from dependency_injector import containers, providers

from adapters.clock import utc_now
from application.create_item import CreateItem
from application.delete_item import DeleteItem
from application.get_item import GetItem
from application.list_items import ListItems
from application.replace_item import ReplaceItem
from application.update_item import UpdateItem
from entrypoints.api.cursors import CursorCodec
from entrypoints.settings import Settings
from entrypoints.storage import open_storage, probe_for


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Object(utc_now)
    uow = providers.Resource(open_storage, settings=settings)
    store_probe = providers.Singleton(probe_for, uow_factory=uow, settings=settings)

    # Use-cases are stateless, so one of each serves every request: no per-request building.
    create_item = providers.Singleton(
        CreateItem, uow=uow, clock=clock, idempotency_ttl=settings.provided.idempotency_period
    )
    get_item = providers.Singleton(GetItem, uow=uow)
    list_items = providers.Singleton(ListItems, uow=uow)
    replace_item = providers.Singleton(ReplaceItem, uow=uow, clock=clock)
    update_item = providers.Singleton(UpdateItem, uow=uow, clock=clock)
    delete_item = providers.Singleton(DeleteItem, uow=uow)
    cursor_codec = providers.Singleton(CursorCodec, key=settings.provided.cursor_key)


async def settle(outcome: Any) -> Any:
    """A provider answers with an awaitable when some resource is async (overrides may not be)."""
    if isinstance(outcome, Awaitable):
        return await outcome
    return outcome
