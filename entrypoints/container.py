"""The composition root: the only place that picks and builds concrete adapters.

DATABASE_URL chooses the store; the settings tune its engine; the use-cases and the cursor codec
are built once here and handed to the driving adapters ready (`services`). Tests override a
provider (`container.uow.override(...)`) instead of patching modules.
"""

import logging
import os
import socket
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import utc_now
from adapters.jetstream import JetStreamTarget, jetstream_publisher
from adapters.memory import MemoryStoreProbe, MemoryUnitOfWorkFactory
from adapters.sqlalchemy.engine import EngineOptions, create_engine
from adapters.sqlalchemy.errors import STORE_ERRORS
from adapters.sqlalchemy.migrator import SchemaNotCurrent, schema_state, upgrade
from adapters.sqlalchemy.probe import SqlAlchemyStoreProbe
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.create_item import CreateItem
from application.create_items import CreateItems
from application.delete_item import DeleteItem
from application.export_items import ExportItems
from application.feed_head import FeedHead
from application.feed_watch import FeedWatch
from application.get_item import GetItem
from application.get_items import GetItems
from application.list_items import ListItems
from application.prune_changes import PruneChanges
from application.read_changes import ReadChanges
from application.relay_changes import RelayChanges
from application.replace_item import ReplaceItem
from application.update_item import UpdateItem
from domain.ports import StoreProbe, UnitOfWorkFactory
from entrypoints.cursors import CursorCodec
from entrypoints.settings import Settings
from entrypoints.shapes import change_json

logger = logging.getLogger(__name__)


def engine_options(settings: Settings) -> EngineOptions:
    """The engine's options are settings of the same names."""
    return EngineOptions(**{option.name: getattr(settings, option.name) for option in fields(EngineOptions)})


async def prepare_schema(engine: AsyncEngine, settings: Settings) -> None:
    """Upgrade when allowed to; otherwise refuse to serve a schema that is not at head."""
    if settings.migrates_on_start:
        before = await schema_state(engine)
        await upgrade(engine)
        if not before.is_current:
            logger.info("schema upgraded from %s to %s", before.current or "nothing", before.head)
        return
    try:
        state = await schema_state(engine)
    except STORE_ERRORS as error:
        # Serve anyway: requests answer 503 and readiness says why until the database is back.
        logger.warning("database unreachable at start-up (%s); schema not checked", type(error).__name__)
        return
    if not state.is_current:
        raise SchemaNotCurrent(state.advice())


@asynccontextmanager
async def sql_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The engine DATABASE_URL names, tuned by the settings; its connections closed on the way out."""
    engine = create_engine(settings.database_url, engine_options(settings))
    try:
        yield engine
    finally:
        await engine.dispose()
        logger.info("database connections closed")


async def open_storage(settings: Settings) -> AsyncGenerator[UnitOfWorkFactory]:
    if settings.backend == "memory":
        yield MemoryUnitOfWorkFactory()
        return
    async with sql_engine(settings) as engine:
        await prepare_schema(engine, settings)
        yield SqlAlchemyUnitOfWorkFactory(engine)


def probe_for(uow_factory: UnitOfWorkFactory, settings: Settings) -> StoreProbe:
    if isinstance(uow_factory, SqlAlchemyUnitOfWorkFactory):
        return SqlAlchemyStoreProbe(uow_factory.engine, timeout=settings.ready_timeout)
    return MemoryStoreProbe()


def engine_of(uow_factory: UnitOfWorkFactory) -> AsyncEngine | None:
    """The SQL store's engine, for its pool metrics and statement tracing; None for the memory store."""
    return uow_factory.engine if isinstance(uow_factory, SqlAlchemyUnitOfWorkFactory) else None


@dataclass(frozen=True, slots=True)
class Services:
    """What the driving adapters call, built once: a request reads it, it does not resolve it."""

    create_item: CreateItem
    create_items: CreateItems
    get_item: GetItem
    get_items: GetItems
    list_items: ListItems
    replace_item: ReplaceItem
    update_item: UpdateItem
    delete_item: DeleteItem
    read_changes: ReadChanges
    feed_head: FeedHead
    cursors: CursorCodec
    store_probe: StoreProbe


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Object(utc_now)
    uow = providers.Resource(open_storage, settings=settings)
    engine = providers.Singleton(engine_of, uow_factory=uow)
    store_probe = providers.Singleton(probe_for, uow_factory=uow, settings=settings)

    # Use-cases are stateless, so one of each serves every request.
    create_item = providers.Singleton(
        CreateItem, uow=uow, clock=clock, idempotency_ttl=settings.provided.idempotency_period
    )
    create_items = providers.Singleton(
        CreateItems,
        uow=uow,
        clock=clock,
        max_items=settings.provided.batch_max_items,
        idempotency_ttl=settings.provided.idempotency_period,
    )
    get_item = providers.Singleton(GetItem, uow=uow)
    get_items = providers.Singleton(GetItems, uow=uow)
    export_items = providers.Singleton(ExportItems, uow=uow)
    list_items = providers.Singleton(ListItems, uow=uow)
    replace_item = providers.Singleton(ReplaceItem, uow=uow, clock=clock)
    update_item = providers.Singleton(UpdateItem, uow=uow, clock=clock)
    delete_item = providers.Singleton(DeleteItem, uow=uow)
    cursor_codec = providers.Singleton(CursorCodec, key=settings.provided.cursor_key)
    # One watch per process: every long poll of this worker shares its one polling task.
    feed_watch = providers.Singleton(FeedWatch, uow=uow)
    read_changes = providers.Singleton(ReadChanges, uow=uow, watch=feed_watch)
    feed_head = providers.Singleton(FeedHead, uow=uow)
    prune_changes = providers.Singleton(
        PruneChanges, uow=uow, clock=clock, retention=settings.provided.change_retention_period
    )

    services = providers.Singleton(
        Services,
        create_item=create_item,
        create_items=create_items,
        get_item=get_item,
        get_items=get_items,
        list_items=list_items,
        replace_item=replace_item,
        update_item=update_item,
        delete_item=delete_item,
        read_changes=read_changes,
        feed_head=feed_head,
        cursors=cursor_codec,
        store_probe=store_probe,
    )


@asynccontextmanager
async def relay(settings: Settings, uow: UnitOfWorkFactory) -> AsyncIterator[RelayChanges]:
    """The relay `items relay` runs, connected to the broker (NATS JetStream) for as long as it runs.
    Not a container resource: serving never connects to the broker."""
    target = JetStreamTarget(
        url=settings.nats_url,
        stream=settings.relay_stream,
        subject_prefix=settings.relay_subject,
        duplicate_window=settings.relay_duplicate_window,
        timeout=settings.relay_publish_timeout,
    )
    async with jetstream_publisher(target, change_json) as publisher:
        yield RelayChanges(
            uow,
            publisher,
            utc_now,
            relay=settings.relay_name,
            # Unique per process, so a restarted relay waits out its dead predecessor's lease.
            holder=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
            lease=timedelta(seconds=settings.relay_lease),
            publish_timeout=timedelta(seconds=settings.relay_publish_timeout),
            batch=settings.relay_batch,
        )


async def settle(outcome: Any) -> Any:
    """A provider answers with an awaitable when some resource is async (overrides may not be)."""
    if isinstance(outcome, Awaitable):
        return await outcome
    return outcome
