"""Answers the HTTP server gives by itself (framing, header limits), beside the app's problem documents."""

import pytest

from tests.support.server import MAX_HEADER_BYTES, ServiceProcess
from tests.support.wire import Connection, request

MALFORMED = {
    "bad request line": b"NOT HTTP\r\n\r\n",
    "unknown transfer coding": request("POST", "/items/", {"Transfer-Encoding": "foo"}, b"{}"),
    "header without a colon": b"GET /items/ HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n",
    "headers over the limit": request("GET", "/items/", {"X-Padding": "a" * (2 * MAX_HEADER_BYTES)}),
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_request_the_server_cannot_parse_gets_a_bodiless_4xx_and_a_closed_connection(
    service: ServiceProcess, raw: bytes
) -> None:
    """The server answers these before the app runs, so they cannot be problem documents;
    docs/api.md ("Errors") lists them. They carry no text/plain body that a client could mistake
    for one."""
    with Connection(service.port) as connection:
        connection.send(raw)
        answer = connection.answer()
        assert connection.closed_by_server()
    assert answer.status in (400, 431)
    assert answer.body == b""
    assert "text/plain" not in answer.headers.get("content-type", "")


@pytest.mark.parametrize(
    ("method", "target", "status"),
    [("GET", "/nowhere", 404), ("DELETE", "/items/", 405), ("GET", "/items/0", 422)],
)
def test_an_error_from_the_app_is_a_problem_document(
    service: ServiceProcess, method: str, target: str, status: int
) -> None:
    with Connection(service.port) as connection:
        connection.send(request(method, target))
        answer = connection.answer()
    assert (answer.status, answer.is_problem) == (status, True)
