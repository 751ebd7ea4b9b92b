"""The FastAPI app factory, which `items serve` runs under Granian (`--interface asgi --factory`)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.types import ASGIApp

from entrypoints.api.cors import with_cors
from entrypoints.api.docs import install_docs
from entrypoints.api.middleware.body_limits import BodyLimits
from entrypoints.api.middleware.head import HeadAsGet
from entrypoints.api.middleware.observability import ObservabilityMiddleware
from entrypoints.api.openapi import install_openapi
from entrypoints.api.problems import install_problem_handlers
from entrypoints.api.routers import changes, health, items
from entrypoints.api.routers import metrics as metrics_router
from entrypoints.api.security import bearer_auth
from entrypoints.api.services import keep_services
from entrypoints.container import Container, settle
from entrypoints.observability import metrics
from entrypoints.observability.logs import configure_logging
from entrypoints.settings import Settings

if TYPE_CHECKING:
    from entrypoints.observability.tracing import Tracing

# FastAPI's own OpenTelemetry spans and metrics stay off: tracing is entrypoints.observability.tracing's (one
# server span per request, not two), and its per-request check for a configured provider is skipped.
NO_FASTAPI_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "auto_configure": False,
}


Layer = Callable[[ASGIApp], ASGIApp]


class ItemsApp(FastAPI):
    # The middleware, outermost first (create_app's _middleware): each wraps what follows it, the
    # last wraps FastAPI's own stack (its last-resort 500 handler, the exception handlers, the router).
    layers: tuple[Layer, ...] = ()

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        for layer in reversed(self.layers):
            stack = layer(stack)
        return stack


def _middleware(settings: Settings, tracing: Tracing | None) -> tuple[Layer, ...]:
    """The one ordered list of middleware, outermost first."""
    return (
        # Tracing around all of it, so the access line is written inside the request's span.
        *([tracing.wrap] if tracing is not None else []),
        # Around even Starlette's last-resort 500 handler: a failed request still gets its
        # X-Request-ID, is counted, and the error logged there carries the request id.
        ObservabilityMiddleware,
        # CORS around every answer, a 500, 401, 413 or 415 included, so a browser page may read it.
        partial(with_cors, origins=settings.cors_origin_list),
        HeadAsGet,
        # An unauthorized request is refused before its body is read.
        *bearer_auth(settings),
        partial(
            BodyLimits,
            max_body_bytes=settings.max_body_bytes,
            route_limits={("POST", items.router.prefix + items.BATCH): settings.batch_max_body_bytes},
        ),
    )


def _tracing_asked_for(settings: Settings) -> Tracing | None:
    if not settings.trace_exporters:
        return None
    # Imported only now: without OTEL_TRACES_EXPORTER the OpenTelemetry SDK is never loaded.
    from entrypoints.observability.tracing import Tracing, batch_processors  # noqa: PLC0415

    return Tracing(batch_processors(settings.trace_exporters, settings.otlp_protocol))


_frozen = False


def _freeze_once() -> None:
    global _frozen  # noqa: PLW0603 -- one process, one freeze
    if not _frozen:
        gc.freeze()
        _frozen = True


def create_app(
    settings: Settings | None = None, container: Container | None = None, tracing: Tracing | None = None
) -> FastAPI:
    """`tracing` replaces what OTEL_TRACES_EXPORTER asks for (tests export to memory)."""
    settings = settings or (container.settings() if container else Settings())
    container = container or Container(settings=settings)
    tracing = tracing or _tracing_asked_for(settings)
    configure_logging(settings.log_level, settings.log_format, with_trace_ids=tracing is not None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await settle(container.init_resources())
        try:
            # Built once, here; requests read them from the app's state (routers/items.py).
            keep_services(app, await settle(container.services()))
            engine = await settle(container.engine())
            if engine is not None:
                metrics.watch_pool(engine)
            if tracing is not None:
                # Here, in each worker process (the SDK is not fork-safe), after the start-up
                # migrations: only requests' statements are traced.
                tracing.start(engine)
            # Everything built so far (modules, routes, schemas, SQLAlchemy metadata) lives as long
            # as the process: out of the collector's sight, a full collection under load takes a
            # few milliseconds instead of ~80 ms (measured with gc.callbacks), which was the p99.
            # Once per process: each freeze would also pin whatever garbage exists at that moment.
            # (A flag, not gc.get_freeze_count(): that walks every frozen object, ~30 ms each call.)
            _freeze_once()
            yield
        finally:
            if tracing is not None:
                tracing.shutdown()
            await settle(container.shutdown_resources())
            metrics.forget_this_process()

    app = ItemsApp(
        title="Items service",
        version="1.0.0",
        summary="A catalogue of items over REST, built as ports and adapters.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # No redirect to add or drop a trailing slash: its Location would be built from the
        # request's Host, which the client chooses. /items and /items/ are both routes.
        redirect_slashes=False,
        telemetry=NO_FASTAPI_TELEMETRY,
        # The routes themselves, not include_router: an included router is one more route that
        # matches every request before its own routes do.
        routes=[
            *items.router.routes,
            *changes.router.routes,
            *health.router.routes,
            *metrics_router.router.routes,
        ],
    )
    app.layers = _middleware(settings, tracing)
    install_problem_handlers(app)
    install_docs(app, enabled=settings.docs_enabled)
    install_openapi(app, bearer=bool(settings.bearer_keys), bearer_for_reads=settings.api_keys_for_reads)
    return app
