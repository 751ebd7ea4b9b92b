"""HEAD through the real server: GET's status and headers, no body, and the connection lives on."""

from tests.support.observed import access_line
from tests.support.server import ServiceProcess
from tests.support.wire import Connection, request
from tests.support.wire_items import create

SAME_AS_GET = ("content-length", "content-type", "etag", "link")


def test_head_answers_get_s_headers_without_a_body_and_keeps_the_connection(service: ServiceProcess) -> None:
    item_id = create(service, "headed")
    with Connection(service.port) as connection:
        connection.send(request("GET", f"/items/{item_id}"))
        got = connection.answer()
        answers = []
        for _ in range(2):  # the second on the same connection: it must still be open
            connection.send(request("HEAD", f"/items/{item_id}"))
            answers.append(connection.answer(to_head=True))
        connection.send(request("GET", f"/items/{item_id}"))
        after = connection.answer()
    assert [answer.status for answer in [*answers, after]] == [200, 200, 200]
    for headed in answers:
        assert {name: headed.headers.get(name) for name in SAME_AS_GET} == {
            name: got.headers.get(name) for name in SAME_AS_GET
        }
    # Nothing was sent after the HEAD's headers: the GET that followed parsed cleanly.
    assert after.body == got.body


def test_head_of_a_listing_has_the_same_link_as_get(service: ServiceProcess) -> None:
    for n in range(2):
        create(service, f"listed {n}")
    with Connection(service.port) as connection:
        connection.send(request("GET", "/items/?limit=1") + request("HEAD", "/items/?limit=1"))
        got, headed = connection.answer(), connection.answer(to_head=True)
    assert headed.status == got.status == 200
    assert headed.headers["link"] == got.headers["link"]
    assert headed.headers["content-length"] == got.headers["content-length"]


def test_head_logs_no_error(service: ServiceProcess) -> None:
    item_id = create(service, "quietly headed")
    with Connection(service.port) as connection:
        connection.send(request("HEAD", f"/items/{item_id}", {"X-Request-ID": "head-logs-no-error"}))
        assert connection.answer(to_head=True).status == 200
    assert access_line(service, "head-logs-no-error")["status"] == 200
    assert not [line for line in service.log_lines() if "Traceback" in line or "unhandled" in line]
