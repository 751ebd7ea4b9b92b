"""Header size limit, slow headers cut off, idle connections closed: over the real server."""

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.builders import item_body
from tests.support.server import MAX_HEADER_BYTES, ServiceProcess, served
from tests.support.wire import Connection, request

HEADER_TIMEOUT_SECONDS = 1
# A mechanism check, not a speed check: the server must close well within this, however loaded.
CLOSED_WITHIN_SECONDS = 15.0
TRICKLE_SECONDS = 0.25


@pytest.fixture(scope="module")
def impatient(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    """The service with a header read timeout of one second."""
    yield from served(
        backend, "impatient", request, tmp_path_factory, HTTP_HEADER_TIMEOUT=str(HEADER_TIMEOUT_SECONDS)
    )


def test_headers_over_the_limit_are_refused_with_431_and_the_service_goes_on(service: ServiceProcess) -> None:
    with Connection(service.port) as connection:
        connection.send(request("GET", "/items/", {"X-Padding": "a" * (4 * MAX_HEADER_BYTES)}))
        assert connection.answer().status == 431
        assert connection.closed_by_server()
    with Connection(service.port) as connection:
        connection.send(request("GET", "/health/live"))
        assert connection.answer().status == 200


def test_headers_within_the_limit_are_served(service: ServiceProcess) -> None:
    with Connection(service.port) as connection:
        connection.send(request("GET", "/health/live", {"X-Padding": "a" * (MAX_HEADER_BYTES // 2)}))
        assert connection.answer().status == 200


def _trickle_until_closed(connection: Connection, deadline: float) -> bool:
    """Slowloris: header lines, one at a time, never the blank line; True once the server hangs up."""
    connection.socket.settimeout(TRICKLE_SECONDS)
    line = 0
    while time.monotonic() < deadline:
        try:
            connection.send(f"X-Slow-{line}: still coming\r\n".encode())
            if not connection.socket.recv(65536):
                return True
        except TimeoutError:
            line += 1
        except (BrokenPipeError, ConnectionResetError):
            return True
    return False


def test_headers_sent_too_slowly_are_cut_off(impatient: ServiceProcess) -> None:
    with Connection(impatient.port) as connection:
        connection.send(b"GET /items/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert _trickle_until_closed(connection, time.monotonic() + CLOSED_WITHIN_SECONDS), (
            f"still open after {CLOSED_WITHIN_SECONDS} s with HTTP_HEADER_TIMEOUT={HEADER_TIMEOUT_SECONDS}"
        )


def test_an_idle_keep_alive_connection_is_closed(impatient: ServiceProcess) -> None:
    with Connection(impatient.port) as connection:
        connection.send(request("GET", "/health/live"))
        assert connection.answer().status == 200
        connection.socket.settimeout(CLOSED_WITHIN_SECONDS)
        assert connection.closed_by_server()


def test_the_header_limit_does_not_limit_answers(service: ServiceProcess) -> None:
    """The server's buffer limit bounds what it reads, not what it writes: a page larger than it."""
    description = "d" * 10_000
    for n in range(8):
        answer = httpx.post(
            f"{service.base_url}/items/",
            json=item_body(name=f"large {n}", description=description),
            timeout=10,
        )
        assert answer.status_code == 201
    with Connection(service.port) as connection:
        connection.send(request("GET", "/items/?limit=100&q=large"))
        page = connection.answer()
    assert page.status == 200
    assert len(page.body) > 4 * MAX_HEADER_BYTES
    assert page.body.count(description.encode()) == 8
