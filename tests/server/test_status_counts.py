"""Requests that got no answer are counted and logged as 499 (client closed), never as 500."""

import time
import uuid

from tests.support.observed import POLL_SECONDS, POLLS, access_line, requests_counted
from tests.support.server import ServiceProcess
from tests.support.wire import Connection, request

CLIENT_CLOSED = 499


def _until_counted(service: ServiceProcess, status: int, before: float) -> float:
    for _ in range(POLLS):
        if (now := requests_counted(service, status)) > before:
            return now
        time.sleep(POLL_SECONDS)
    return requests_counted(service, status)


def test_a_client_that_closes_mid_body_is_counted_and_logged_499_not_500(service: ServiceProcess) -> None:
    errors, closed = requests_counted(service, 500), requests_counted(service, CLIENT_CLOSED)
    rid = f"gone-{uuid.uuid4().hex[:8]}"
    headers = {"Content-Type": "application/json", "Content-Length": "100", "X-Request-ID": rid}
    with Connection(service.port) as connection:
        connection.send(request("POST", "/items/", headers, b'{"name": "half'))
    assert access_line(service, rid)["status"] == CLIENT_CLOSED
    assert _until_counted(service, CLIENT_CLOSED, closed) == closed + 1
    assert requests_counted(service, 500) == errors


def test_a_request_the_server_refuses_is_not_counted_as_500(service: ServiceProcess) -> None:
    errors = requests_counted(service, 500)
    rid = f"refused-{uuid.uuid4().hex[:8]}"
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "foo", "X-Request-ID": rid}
    with Connection(service.port) as connection:
        connection.send(request("POST", "/items/", headers, b'{"name": "framed badly"}'))
        assert connection.answer().status == 400
    # A request the app saw, sent after it on a new connection, is logged: the refused one's line
    # (if any) would have been written before it.
    marker = f"after-{rid}"
    with Connection(service.port) as connection:
        connection.send(request("GET", "/health/live", {"X-Request-ID": marker}))
        assert connection.answer().status == 200
    access_line(service, marker)
    assert requests_counted(service, 500) == errors
    assert not [line for line in service.log_lines() if rid in line and '"status":500' in line]
