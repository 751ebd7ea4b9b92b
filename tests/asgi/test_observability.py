"""Every request: an id echoed back, one access log line, and counted in /metrics by route template."""

import json
import logging

import httpx
import pytest
from starlette.types import Message

from entrypoints.api.app import create_app
from entrypoints.observability.logs import JsonFormatter
from entrypoints.settings import Settings
from tests.support.asgi import running
from tests.support.builders import item_body

SANE_ID = "req-42.a:b"


def _access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "items.access"]


async def test_a_sane_request_id_is_echoed_back(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": SANE_ID})
    assert response.headers["x-request-id"] == SANE_ID


@pytest.mark.parametrize("given", [b"", b"x" * 129, b"has space", b"back\\slash", "é".encode()])
async def test_an_odd_request_id_is_replaced_by_a_generated_one(
    client: httpx.AsyncClient, given: bytes
) -> None:
    response = await client.get("/health/live", headers={b"X-Request-ID": given})
    generated = response.headers["x-request-id"]
    assert len(generated) == 32 and int(generated, 16) >= 0


async def test_each_request_logs_one_access_line_with_its_route_template(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await client.get("/items/12345", headers={"X-Request-ID": SANE_ID})
    [record] = _access_records(caplog)
    line = json.loads(JsonFormatter().format(record))
    assert {key: line[key] for key in ("method", "route", "status", "request_id")} == {
        "method": "GET",
        "route": "/items/{item_id}",
        "status": 404,
        "request_id": SANE_ID,
    }
    assert line["duration_ms"] >= 0
    assert line["level"] == "info" and line["logger"] == "items.access"


async def test_logs_carry_no_credentials_and_no_sql(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await client.post(
            "/items/", json=item_body(name="Teapot"), headers={"Authorization": "Bearer sesame-open"}
        )
    formatted = [JsonFormatter().format(record) for record in caplog.records]
    assert formatted, "the request was logged"
    assert not any("sesame-open" in line for line in formatted)
    assert not [record for record in caplog.records if record.name.startswith("sqlalchemy.engine")]


async def test_metrics_count_requests_by_method_route_template_and_status(client: httpx.AsyncClient) -> None:
    series = 'http_requests_total{method="GET",route="/items/{item_id}",status="404"}'

    async def count() -> float:
        for line in (await client.get("/metrics")).text.splitlines():
            if line.startswith(series):
                return float(line.split()[-1])
        return 0.0

    before = await count()
    for item_id in (777, 778):
        await client.get(f"/items/{item_id}")
    assert await count() == before + 2


async def test_metrics_expose_latency_in_flight_and_pool_usage(client: httpx.AsyncClient) -> None:
    await client.get("/items/")
    response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/items/",status="200"}' in text
    )
    assert "\nhttp_requests_in_flight " in text
    assert "\ndb_pool_checked_out " in text and "\ndb_pool_size " in text


async def test_an_unexpected_failure_keeps_its_request_id_in_the_answer_and_the_error_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(Settings(database_url="memory://"))

    async def fail() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/fail", fail)
    with caplog.at_level(logging.INFO):
        async with running(app) as client:
            response = await client.get("/fail", headers={"X-Request-ID": SANE_ID})
    assert (response.status_code, response.headers["x-request-id"]) == (500, SANE_ID)
    errors = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and all(line["request_id"] == SANE_ID for line in errors)
    [access] = [json.loads(JsonFormatter().format(r)) for r in _access_records(caplog)]
    assert (access["route"], access["status"]) == ("/fail", 500)


async def test_a_request_whose_client_left_before_its_answer_is_logged_499_not_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(Settings(database_url="memory://"))
    headers = [(b"content-type", b"application/json"), (b"content-length", b"100")]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "scheme": "http",
        "method": "POST", "path": "/items/", "raw_path": b"/items/", "query_string": b"", "root_path": "",
        "headers": headers, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }  # fmt: skip
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    with caplog.at_level(logging.INFO):
        await app(scope, receive, send)
    # Answered, in case the client still listens (a broken-off body looks the same to the server).
    assert sent[0]["status"] == 400
    [access] = [json.loads(JsonFormatter().format(r)) for r in _access_records(caplog)]
    # Refused before routing (the body limit reads the body first), so the route is unmatched.
    assert (access["method"], access["status"]) == ("POST", 499)
