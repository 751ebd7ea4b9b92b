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
