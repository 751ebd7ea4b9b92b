"""OpenTelemetry tracing: a server span per request and a child span per database statement.

Imported only when OTEL_TRACES_EXPORTER names an exporter (entrypoints.api.app): unset, the SDK is
never loaded and no middleware is added. The SDK starts in each worker's lifespan, never in a
parent process before it forks (its export thread would not survive the fork).
"""

from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any

from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.sqlalchemy import aiosqlite_tracing
from adapters.sqlalchemy.aiosqlite_tracing import AiosqliteInstrumentation
from entrypoints.observability.logs import trace_ids

# Probes and scrapes come every few seconds and say nothing about the service's work.
UNTRACED_PATHS = ("/health/", "/metrics")
_OTLP_BY_PROTOCOL = {"http/protobuf": "otlp_proto_http", "grpc": "otlp_proto_grpc"}
_EXPORTERS = "opentelemetry_traces_exporter"

ProcessorsFactory = Callable[[], Sequence[SpanProcessor]]


def span_exporter(name: str, otlp_protocol: str) -> SpanExporter:
    """The exporter OTEL_TRACES_EXPORTER names (console, otlp, or any installed one's entry point).

    The SDK maps a bare `otlp` to gRPC; we ship the HTTP exporter and follow the specification's
    default protocol, http/protobuf, unless OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL says grpc."""
    if name == "otlp":
        name = _OTLP_BY_PROTOCOL.get(otlp_protocol, otlp_protocol)
    found = entry_points(group=_EXPORTERS, name=name)
    if not found:
        raise RuntimeError(
            f"no OpenTelemetry trace exporter {name!r} is installed (this service ships console and otlp)"
        )
    exporter: SpanExporter = next(iter(found)).load()()
    return exporter


def batch_processors(names: Sequence[str], otlp_protocol: str) -> ProcessorsFactory:
    """Exporters are made in the worker: they open connections and start threads."""
    return lambda: [BatchSpanProcessor(span_exporter(name, otlp_protocol)) for name in names]


def _name_without_path(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    # The route template replaces it once routing has matched (_NamedByRoute): raw paths carry ids.
    return scope.get("method", "HTTP"), {}


def _remember_ids(span: trace.Span, _scope: dict[str, Any]) -> None:
    """The access log line (and any other logged inside the request) carries the trace's ids."""
    span_context = span.get_span_context()
    if span_context.is_valid:
        ids = (trace.format_trace_id(span_context.trace_id), trace.format_span_id(span_context.span_id))
        trace_ids.set(ids)


class _NamedByRoute:
    """Names the server span after the matched route template, as `GET /items/{item_id}`.

    At the response's start: the span ends as soon as the response's last byte is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]

        async def send_naming(message: Message) -> None:
            if message["type"] == "http.response.start":
                # As published (/items/{item_id}), without the name of the path's convertor.
                template = getattr(scope.get("route"), "path_format", None)
                span = trace.get_current_span()
                if template is not None and span.is_recording():
                    span.update_name(f"{method} {template}")
                    span.set_attribute("http.route", template)
            await send(message)

        await self.app(scope, receive, send_naming)


class Tracing:
    """One worker process's tracing: started in its lifespan, shut down (spans flushed) at its end."""

    def __init__(self, processors: ProcessorsFactory) -> None:
        self._processors = processors
        self._provider: TracerProvider | None = None
        self._traced: ASGIApp | None = None
        self.app: ASGIApp | None = None
        self._undo_statements: Callable[[], None] | None = None

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """The outermost layer of the app: the span is current while the access line is written."""
        self.app = app
        return self

    def start(self, engine: AsyncEngine | None) -> None:
        # OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and the exporters'
        # OTEL_EXPORTER_OTLP_* settings are read by the SDK itself.
        provider = TracerProvider(resource=Resource.create())
        for processor in self._processors():
            provider.add_span_processor(processor)
        self._provider = provider
        self._traced = OpenTelemetryMiddleware(
            _NamedByRoute(self._untraced),
            default_span_details=_name_without_path,
            server_request_hook=_remember_ids,
            tracer_provider=provider,
            # HTTP metrics are /metrics' job (Prometheus); no span per ASGI send and receive.
            meter_provider=NoOpMeterProvider(),
            exclude_spans=["receive", "send"],
        )
        if engine is not None:
            self._undo_statements = _trace_statements(engine, provider)

    def shutdown(self) -> None:
        self._traced = None
        if self._undo_statements is not None:
            self._undo_statements()
            self._undo_statements = None
        if self._provider is not None:
            self._provider.shutdown()
            self._provider = None

    async def _untraced(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The app's middleware stack is built at its first call, which may follow start().
        assert self.app is not None, "tracing.wrap() makes the app's outermost layer"
        await self.app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._traced is None:
            await self._untraced(scope, receive, send)
            return
        token = trace_ids.set(None)
        try:
            if scope["path"].startswith(UNTRACED_PATHS):
                # No server span, and no orphan span for the readiness probe's statement either.
                with suppress_instrumentation():
                    await self._untraced(scope, receive, send)
            else:
                await self._traced(scope, receive, send)
        finally:
            trace_ids.reset(token)


def _trace_statements(engine: AsyncEngine, provider: TracerProvider) -> Callable[[], None]:
    """A span per statement, from the one instrumentation that sees this backend's statements.

    The units of work run their statements on the driver connection (adapters/sqlalchemy/drivers.py),
    so SQLAlchemy's engine events see none of them: PostgreSQL's spans come from asyncpg's
    instrumentation (execute, fetch, fetchrow, prepared statements), SQLite's from
    adapters.sqlalchemy.aiosqlite_tracing. Each wraps its driver's connection class while tracing runs.
    """
    instrumentation: Any
    if engine.dialect.name == "postgresql":
        instrumentation = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
        instrumentation.instrument(tracer_provider=provider)
    else:
        instrumentation = AiosqliteInstrumentation(provider.get_tracer(aiosqlite_tracing.__name__))
        instrumentation.instrument()

    def uninstrument() -> None:
        # Both patched their driver's classes, process-wide: put them back.
        instrumentation.uninstrument()

    return uninstrument
