"""A real `items serve` process per backend (SQLite, PostgreSQL) on 127.0.0.1, shared by the tests
of this package, which talk to it over raw sockets (tests.http.wire): the HTTP server is under test."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import own_database
from tests.faults.server import ServiceProcess

# Small enough that a test can exceed it cheaply; the service's default is larger.
MAX_HEADER_BYTES = 16 * 1024


@pytest.fixture(scope="package", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def served(
    backend: str,
    label: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    **settings: str,
) -> Iterator[ServiceProcess]:
    """For a fixture to `yield from`: the service on a database of its own, its log kept in a file."""
    with contextmanager(own_database)(backend, label, request, tmp_path_factory) as url:
        log = tmp_path_factory.mktemp(label) / "service.log"
        service = ServiceProcess(url, extra_env={"LOG_LEVEL": "INFO", **settings}, log_path=log)
        service.start()
        try:
            yield service
        finally:
            service.stop()


@pytest.fixture(scope="package")
def service(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    yield from served(backend, "http", request, tmp_path_factory, HTTP_MAX_HEADER_BYTES=str(MAX_HEADER_BYTES))
