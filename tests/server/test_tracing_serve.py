"""Tracing as an operator turns it on: `items serve` with the standard OpenTelemetry variables."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.support.builders import item_body
from tests.support.server import ROOT, ServiceProcess

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _printed(output: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The JSON log lines and the console exporter's spans (indented JSON documents), in order."""
    text, decoder, at = output.read_text(), json.JSONDecoder(), 0
    lines: list[dict[str, Any]] = []
    spans: list[dict[str, Any]] = []
    while (at := text.find("{", at)) != -1:
        document, at = decoder.raw_decode(text, at)
        (spans if "context" in document else lines).append(document)
    return lines, spans


def test_serve_exports_spans_and_logs_their_trace_ids(tmp_path: Path) -> None:
    output = tmp_path / "printed"
    service = ServiceProcess(
        f"sqlite+aiosqlite:///{tmp_path / 'items.db'}",
        extra_env={
            "OTEL_TRACES_EXPORTER": "console",
            "OTEL_SERVICE_NAME": "items-under-test",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",
        },
        log_path=output,
    )
    service.start()
    try:
        created = httpx.post(f"{service.base_url}/items/", json=item_body(name="traced"))
        assert created.status_code == 201
        url = f"{service.base_url}/items/{created.json()['id']}"
        assert httpx.get(url, headers={"traceparent": TRACEPARENT}).status_code == 200
        assert httpx.get(f"{service.base_url}/health/ready").status_code == 200
    finally:
        service.stop()  # SIGTERM: the worker's lifespan ends, flushing the spans it holds
    lines, spans = _printed(output)
    trace_id = TRACEPARENT.split("-")[1]
    get = [span for span in spans if span["name"] == "GET /items/{item_id}"]
    assert len(get) == 1
    assert get[0]["context"]["trace_id"] == f"0x{trace_id}"
    assert get[0]["resource"]["attributes"]["service.name"] == "items-under-test"
    statements = [span for span in spans if span["parent_id"] == get[0]["context"]["span_id"]]
    assert [span["attributes"]["db.statement"].split()[0] for span in statements] == ["SELECT"]
    assert not [span for span in spans if "/health" in span["name"]]
    (access,) = [line for line in lines if line.get("route") == "/items/{item_id}"]
    assert access["trace_id"] == trace_id
    assert f"0x{access['span_id']}" == get[0]["context"]["span_id"]


_LOADED = """
import asyncio, sys
import httpx
from entrypoints.api.app import create_app
from entrypoints.settings import Settings

async def main():
    app = create_app(Settings(database_url="memory://"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/items/")).status_code == 200
    stack, layers = app.middleware_stack, []
    while stack is not None:
        layers.append(type(stack).__module__)
        stack = getattr(stack, "app", None)
    print([m for m in sys.modules if m.startswith(("opentelemetry.sdk", "opentelemetry.instrumentation"))])
    print(layers[0])

asyncio.run(main())
"""


def _served_once(**env: str) -> list[str]:
    clean = {name: value for name, value in os.environ.items() if not name.startswith("OTEL_")}
    done = subprocess.run(
        [sys.executable, "-c", _LOADED], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip
    return done.stdout.splitlines()[-2:]


def test_without_otel_variables_nothing_of_opentelemetry_is_loaded_or_added() -> None:
    modules, outermost = _served_once()
    assert modules == "[]"
    assert outermost == "entrypoints.api.middleware.observability"


def test_with_an_exporter_the_sdk_and_its_layer_are_there() -> None:
    # The control for the test above: the same probe sees tracing when it is asked for.
    modules, outermost = _served_once(OTEL_TRACES_EXPORTER="console")
    assert "opentelemetry.sdk.trace" in modules
    assert outermost == "entrypoints.observability.tracing"
