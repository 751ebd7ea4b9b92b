"""No answer points the client at a host it did not choose: Location never comes from Host."""

import pytest

from tests.support.builders import item_json
from tests.support.server import ServiceProcess
from tests.support.wire import Connection, request
from tests.support.wire_items import create, exists


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_a_trailing_slash_never_redirects_to_the_client_s_host(service: ServiceProcess, method: str) -> None:
    item_id = create(service, "slashed")
    headers = {"Host": "evil.example", "Content-Type": "application/json"}
    body = item_json(name="moved") if method in ("PUT", "PATCH") else b""
    with Connection(service.port) as connection:
        connection.send(request(method, f"/items/{item_id}/", headers, body))
        answer = connection.answer()
    location = answer.headers.get("location", "")
    assert "evil.example" not in location
    assert not location or (location.startswith("/") and not location.startswith("//"))
    assert exists(service, item_id)


def test_a_path_that_starts_with_two_slashes_is_not_a_redirect_to_another_host(
    service: ServiceProcess,
) -> None:
    with Connection(service.port) as connection:
        connection.send(request("GET", "//evil.example/items/"))
        answer = connection.answer()
    assert "evil.example" not in answer.headers.get("location", "")


@pytest.mark.parametrize("path", ["/items/%0A", "/items%0A", "/items/%0D%0A"])
def test_the_next_page_link_never_carries_what_the_request_path_smuggled(
    service: ServiceProcess, path: str
) -> None:
    """Routing's `$` also matches before a trailing newline: the Link is the route's own path."""
    create(service, "first")
    create(service, "second")
    with Connection(service.port) as connection:
        connection.send(request("GET", f"{path}?limit=1"))
        answer = connection.answer()
    assert answer.status < 500, answer
    if answer.status == 200:
        link = answer.headers["link"]
        assert link.startswith(f"<{path.partition('%')[0]}?limit=1&"), link
