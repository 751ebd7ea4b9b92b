"""Batches through the real server: POST /items/batch's own body limit, a full batch over a socket."""

import json
import uuid

from application.create_items import DEFAULT_BATCH_MAX_ITEMS
from entrypoints.settings import Settings
from tests.support.builders import batch_body
from tests.support.server import ServiceProcess
from tests.support.wire import Answer, Connection, request

JSON = {"Content-Type": "application/json"}
# The service runs with the default limits.
MAX_BODY_BYTES = Settings.model_fields["max_body_bytes"].default
BATCH_MAX_BODY_BYTES = Settings.model_fields["batch_max_body_bytes"].default


def post(service: ServiceProcess, path: str, body: bytes) -> Answer:
    with Connection(service.port) as connection:
        connection.send(request("POST", path, JSON, body))
        return connection.answer()


def test_a_batch_body_over_the_normal_limit_is_taken_where_a_single_create_refuses_it(
    service: ServiceProcess,
) -> None:
    body = json.dumps(batch_body(MAX_BODY_BYTES // 10_000 + 1, description="d" * 10_000)).encode()
    assert MAX_BODY_BYTES < len(body) < BATCH_MAX_BODY_BYTES
    refused = post(service, "/items/", body)
    assert (refused.status, refused.is_problem) == (413, True)
    assert f"larger than {MAX_BODY_BYTES} bytes".encode() in refused.body
    assert post(service, "/items/batch", body).status == 201


def test_a_batch_body_over_its_own_limit_is_refused_before_it_is_read(service: ServiceProcess) -> None:
    headers = {**JSON, "Content-Length": str(BATCH_MAX_BODY_BYTES + 1)}
    with Connection(service.port) as connection:
        connection.send(request("POST", "/items/batch", headers, b'[{"name":'))
        answer = connection.answer()
        assert connection.closed_by_server()
    assert (answer.status, answer.is_problem) == (413, True)
    assert f"larger than {BATCH_MAX_BODY_BYTES} bytes".encode() in answer.body


def test_a_full_batch_is_created_in_order_and_read_back_by_id(service: ServiceProcess) -> None:
    run = uuid.uuid4().hex[:8]
    body = batch_body(DEFAULT_BATCH_MAX_ITEMS, description=run)
    created = post(service, "/items/batch", json.dumps(body).encode())
    assert created.status == 201, created.body[:500]
    items = json.loads(created.body)
    assert [(item["name"], item["description"]) for item in items] == [(entry["name"], run) for entry in body]
    # Every tenth, last first: a batch get's most, in the order asked.
    wanted = [item["id"] for item in items[::-10]]
    with Connection(service.port) as connection:
        connection.send(request("GET", "/items/?" + "&".join(f"id={item_id}" for item_id in wanted)))
        got = connection.answer()
    assert got.status == 200
    assert [item["id"] for item in json.loads(got.body)] == wanted
    assert "missing-ids" not in got.headers
