"""Tracing on (spans kept in memory): a server span per request, a child span per statement.

Each request's statement spans are counted on SQLite (adapters.sqlalchemy.aiosqlite_tracing) and on
PostgreSQL (asyncpg's instrumentation): one span per statement executed, so a backend whose
statements went untraced, or were traced twice, fails here.
"""

import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import orjson
import pytest
from dependency_injector import providers
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_span_id, format_trace_id
from sqlalchemy.engine import make_url

from domain.ports import UnitOfWorkFactory
from entrypoints.api.app import create_app
from entrypoints.container import Container
from entrypoints.observability.logs import JsonFormatter
from entrypoints.observability.tracing import Tracing
from entrypoints.settings import Settings
from tests.support.asgi import running
from tests.support.builders import item_body

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

DATA_STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE")
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")
# The one instrumentation that traces each backend's statements (entrypoints.observability.tracing).
INSTRUMENTATION = {
    "postgresql": "opentelemetry.instrumentation.asyncpg",
    "sqlite": "adapters.sqlalchemy.aiosqlite_tracing",
}
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class Traced:
    def __init__(self, client: httpx.AsyncClient, exporter: InMemorySpanExporter) -> None:
        self.client = client
        self._exporter = exporter

    async def request(
        self, method: str, url: str, **kwargs: Any
    ) -> tuple[httpx.Response, list[ReadableSpan]]:
        """The answer and the spans made while answering it, in the order they started."""
        self._exporter.clear()
        response = await self.client.request(method, url, **kwargs)
        spans = sorted(self._exporter.get_finished_spans(), key=lambda span: span.start_time or 0)
        return response, spans


@pytest.fixture
async def traced(uow_factory: UnitOfWorkFactory) -> AsyncIterator[Traced]:
    exporter = InMemorySpanExporter()
    tracing = Tracing(lambda: [SimpleSpanProcessor(exporter)])
    container = Container(settings=Settings(database_url="memory://"))
    with container.uow.override(providers.Object(uow_factory)):
        async with running(create_app(container=container, tracing=tracing)) as client:
            yield Traced(client, exporter)


def _server_span(spans: Sequence[ReadableSpan]) -> ReadableSpan:
    servers = [span for span in spans if span.kind is SpanKind.SERVER]
    assert len(servers) == 1, [span.name for span in spans]
    return servers[0]


def _statements(spans: Sequence[ReadableSpan]) -> list[str]:
    """Each statement span's SQL, after checking it is a direct child of the request's span."""
    server = _server_span(spans)
    statements = []
    for span in spans:
        if span is server:
            continue
        assert span.kind is SpanKind.CLIENT, f"not a statement span: {span.name} ({span.kind})"
        assert span.parent is not None and span.parent.span_id == server.context.span_id, span.name
        assert span.context.trace_id == server.context.trace_id
        attributes = span.attributes or {}
        statement = attributes.get("db.statement", attributes.get("db.query.text"))
        assert isinstance(statement, str), f"{span.name} names no statement"
        statements.append(statement.strip())
    return _without_idle_ping(statements)


def _without_idle_ping(statements: list[str]) -> list[str]:
    # A pooled connection idle for half a second is pinged when checked out, before the request's
    # own statements (adapters/sqlalchemy/idle_ping.py): on PostgreSQL BEGIN, ";" and ROLLBACK.
    if ";" not in statements:
        return statements
    at = statements.index(";")
    assert statements[at - 1].startswith("BEGIN") and statements[at + 1].startswith("ROLLBACK"), statements
    return statements[: at - 1] + statements[at + 2 :]


def _operations(statements: Sequence[str]) -> list[str]:
    return [statement.split()[0].rstrip(";").upper() for statement in statements]


def _data_operations(statements: Sequence[str]) -> list[str]:
    operations = _operations(statements)
    assert all(op in DATA_STATEMENTS + TRANSACTION_CONTROL for op in operations), statements
    return [op for op in operations if op in DATA_STATEMENTS]


async def _create(traced: Traced) -> int:
    response = await traced.client.post("/items/", json=item_body(name="traced"))
    assert response.status_code == 201
    item_id: int = response.json()["id"]
    return item_id


async def test_a_get_is_one_server_span_with_one_statement_span(traced: Traced, database_url: str) -> None:
    item_id = await _create(traced)
    response, spans = await traced.request("GET", f"/items/{item_id}")
    assert response.status_code == 200
    server = _server_span(spans)
    assert server.name == "GET /items/{item_id}"
    assert (server.attributes or {})["http.route"] == "/items/{item_id}"
    # A read runs outside a transaction: one statement, one span (not zero, not two).
    assert _operations(_statements(spans)) == ["SELECT"]
    backend = make_url(database_url).get_backend_name()
    scopes = {
        span.instrumentation_scope.name
        for span in spans
        if span.kind is SpanKind.CLIENT and span.instrumentation_scope
    }
    assert scopes == {INSTRUMENTATION[backend]}


async def test_a_listing_is_one_statement_span(traced: Traced) -> None:
    await _create(traced)
    response, spans = await traced.request("GET", "/items/?limit=5")
    assert response.status_code == 200
    assert _server_span(spans).name == "GET /items/"
    assert _operations(_statements(spans)) == ["SELECT"]


async def test_each_write_statement_has_one_span(traced: Traced) -> None:
    response, spans = await traced.request("POST", "/items/", json=item_body(name="new"))
    assert response.status_code == 201
    assert _server_span(spans).name == "POST /items/"
    assert _data_operations(_statements(spans)).count("INSERT") == 1

    item_id = response.json()["id"]
    response, spans = await traced.request("DELETE", f"/items/{item_id}")
    assert response.status_code == 204
    # Whatever the use-case reads first, its one DELETE has one span.
    assert _data_operations(_statements(spans)).count("DELETE") == 1


async def test_a_refused_request_is_traced_with_its_status(traced: Traced) -> None:
    response, spans = await traced.request("GET", "/items/999999")
    assert response.status_code == 404
    server = _server_span(spans)
    assert (server.attributes or {}).get(
        "http.status_code", (server.attributes or {}).get("http.response.status_code")
    ) == 404
    assert _operations(_statements(spans)) == ["SELECT"]


async def test_an_incoming_traceparent_is_the_parent(traced: Traced) -> None:
    response, spans = await traced.request("GET", "/items/?limit=1", headers={"traceparent": TRACEPARENT})
    assert response.status_code == 200
    server = _server_span(spans)
    _, trace_id, parent_id, _ = TRACEPARENT.split("-")
    assert format_trace_id(server.context.trace_id) == trace_id
    assert server.parent is not None and format_span_id(server.parent.span_id) == parent_id
    assert all(format_trace_id(span.context.trace_id) == trace_id for span in spans)


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/metrics"])
async def test_probes_and_metrics_make_no_span(traced: Traced, path: str) -> None:
    response, spans = await traced.request("GET", path)
    assert response.status_code == 200
    # Not even for the readiness probe's statement.
    assert spans == []


async def test_the_access_line_carries_the_trace_id(traced: Traced, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="items.access"):
        response, spans = await traced.request("GET", "/items/?limit=1", headers={"traceparent": TRACEPARENT})
    assert response.status_code == 200
    server = _server_span(spans)
    (line,) = [record for record in caplog.records if record.name == "items.access"]
    fields = orjson.loads(JsonFormatter().format(line))
    assert fields["trace_id"] == format_trace_id(server.context.trace_id) == TRACEPARENT.split("-")[1]
    assert fields["span_id"] == format_span_id(server.context.span_id)
