"""A real `items serve` process per backend (SQLite, PostgreSQL) on 127.0.0.1, shared by the tests
of this package, which talk to it over raw sockets (tests.support.wire): the HTTP server is under test."""

from collections.abc import Iterator

import pytest

from tests.support.server import MAX_HEADER_BYTES, ServiceProcess, served


@pytest.fixture(scope="package", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="package")
def service(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    yield from served(backend, "http", request, tmp_path_factory, HTTP_MAX_HEADER_BYTES=str(MAX_HEADER_BYTES))
