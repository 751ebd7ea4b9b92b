"""How requests are framed on the wire: refused framing, pipelining, pieces, early ends, 100-continue."""

import socket
import uuid

from tests.support.builders import item_json
from tests.support.server import ServiceProcess
from tests.support.wire import Connection, request
from tests.support.wire_items import create, exists, named

JSON = {"Content-Type": "application/json"}


def test_a_delete_with_an_unknown_transfer_encoding_is_refused_and_deletes_nothing(
    service: ServiceProcess,
) -> None:
    item_id = create(service, "kept")
    with Connection(service.port) as connection:
        connection.send(request("DELETE", f"/items/{item_id}", {"Transfer-Encoding": "foo"}))
        answer = connection.answer()
    assert answer.status == 400
    assert exists(service, item_id), "the refused DELETE deleted the item"


def test_pipelined_requests_are_answered_in_order(service: ServiceProcess) -> None:
    ids = [create(service, f"pipelined {n}") for n in range(3)]
    with Connection(service.port) as connection:
        connection.send(b"".join(request("GET", f"/items/{item_id}") for item_id in ids))
        answers = [connection.answer() for _ in ids]
    assert [answer.status for answer in answers] == [200, 200, 200]
    assert [answer.headers["etag"] for answer in answers] == [f'"{item_id}.1"' for item_id in ids]
    assert all(f'"id":{item_id},'.encode() in a.body for item_id, a in zip(ids, answers, strict=True))


def test_a_request_split_across_many_small_writes_is_served(service: ServiceProcess) -> None:
    name = f"in pieces {uuid.uuid4().hex[:8]}"
    raw = request("POST", "/items/", JSON, item_json(name=name))
    with Connection(service.port) as connection:
        for start in range(0, len(raw), 3):
            connection.send(raw[start : start + 3])
        answer = connection.answer()
    assert answer.status == 201, answer
    assert named(service, name) == [name]


def test_a_body_that_ends_early_gets_a_400_problem_and_stores_nothing(service: ServiceProcess) -> None:
    name = f"cut short {uuid.uuid4().hex[:8]}"
    body = item_json(name=name)
    with Connection(service.port) as connection:
        connection.send(request("POST", "/items/", {**JSON, "Content-Length": str(len(body) + 50)}, body))
        connection.socket.shutdown(socket.SHUT_WR)  # no more is coming, but it still listens
        answer = connection.answer()
    assert (answer.status, answer.is_problem) == (400, True)
    assert named(service, name) == []


def test_a_malformed_chunked_body_gets_a_400_problem_not_a_500(service: ServiceProcess) -> None:
    headers = {**JSON, "Transfer-Encoding": "chunked"}
    with Connection(service.port) as connection:
        connection.send(request("POST", "/items/", headers, b"zz\r\n{}\r\n0\r\n\r\n"))
        answer = connection.answer()
    assert (answer.status, answer.is_problem) == (400, True)


def test_an_oversized_content_length_with_a_short_body_is_refused_before_it_is_read(
    service: ServiceProcess,
) -> None:
    with Connection(service.port) as connection:
        connection.send(request("POST", "/items/", {**JSON, "Content-Length": str(10**9)}, b'{"name":'))
        answer = connection.answer()
        assert connection.closed_by_server()
    assert (answer.status, answer.is_problem) == (413, True)


def test_expect_100_continue_gets_an_interim_answer_then_the_body_is_read(service: ServiceProcess) -> None:
    name = f"continued {uuid.uuid4().hex[:8]}"
    body = item_json(name=name)
    headers = {**JSON, "Content-Length": str(len(body)), "Expect": "100-continue"}
    with Connection(service.port) as connection:
        connection.send(request("POST", "/items/", headers))
        interim = connection.answer()
        connection.send(body)
        final = connection.answer()
    assert interim.status == 100
    assert final.status == 201
    assert named(service, name) == [name]


def test_expect_100_continue_over_the_body_limit_is_refused_without_the_body(service: ServiceProcess) -> None:
    headers = {**JSON, "Content-Length": str(10**9), "Expect": "100-continue"}
    with Connection(service.port) as connection:
        connection.send(request("POST", "/items/", headers))
        answer = connection.answer()
    assert (answer.status, answer.is_problem) == (413, True)
