"""The private names of dependencies the service relies on, one test per fence: each fails, naming
the fence to rewrite, the day an upgrade removes the name or changes what it does."""

import logging
import sqlite3
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Header, Path, Response
from sqlalchemy.pool import Pool, QueuePool

from adapters.sqlalchemy.pool_invalidation import invalidate_pool
from entrypoints.api.direct_route import DirectRoute
from entrypoints.observability.logs import skip_caller_lookup


def _in_memory() -> Any:
    """A driver connection that needs nothing (SQLAlchemy types it as its DBAPI protocol)."""
    return sqlite3.connect(":memory:")


def test_sqlalchemy_can_still_mark_a_whole_pool_stale() -> None:
    fence = "adapters/sqlalchemy/pool_invalidation.py"
    assert hasattr(Pool, "_invalidate"), f"SQLAlchemy no longer has Pool._invalidate: rewrite {fence}"
    pool = QueuePool(_in_memory, pool_size=2)
    idle, failed = pool.connect(), pool.connect()
    idle_driver_connection = idle.dbapi_connection
    idle.close()

    invalidate_pool(pool, failed)

    assert not failed.is_valid, f"{fence} no longer closes the connection that failed"
    replaced = pool.connect()
    assert replaced.dbapi_connection is not idle_driver_connection, (
        f"{fence} no longer has the pool replace the connections made before the failure"
    )
    replaced.close()
    pool.dispose()


def test_logging_can_still_skip_the_caller_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    fence = "entrypoints.observability.logs.skip_caller_lookup"
    assert hasattr(logging, "_srcfile"), f"logging no longer has _srcfile: rewrite {fence}"
    # The value logging gives it at import, so that records find their caller before the switch.
    monkeypatch.setattr(logging, "_srcfile", logging.addLevelName.__code__.co_filename)
    records: list[logging.LogRecord] = []
    logger = logging.getLogger("tests.private_names")
    monkeypatch.setattr(logger, "handle", records.append)
    logger.critical("found")

    skip_caller_lookup()
    logger.critical("skipped")

    found, skipped = (record.funcName for record in records)
    assert found == "test_logging_can_still_skip_the_caller_lookup"
    assert skipped == "(unknown function)", f"{fence} no longer stops records finding their caller"


def test_fastapi_still_builds_the_fields_direct_route_validates_with() -> None:
    fence = "entrypoints/api/direct_route.py"
    router = APIRouter(route_class=DirectRoute)

    @router.get("/{item_id}")
    async def endpoint(
        item_id: Annotated[int, Path(ge=1)], if_none_match: Annotated[str, Header()] = ""
    ) -> Response:
        return Response()

    (route,) = router.routes
    assert isinstance(route, DirectRoute)
    (path_field,), (header_field,) = route.dependant.path_params, route.dependant.header_params
    assert (header_field.name, header_field.alias) == ("if_none_match", "if-none-match"), (
        f"FastAPI no longer gives a header field its header's name as alias: rewrite {fence}"
    )
    assert path_field.validate("7", {}, loc=("path", "item_id")) == (7, []), (
        f"FastAPI's fields no longer validate(value, values, loc=...) -> (value, errors): rewrite {fence}"
    )
    _, errors = path_field.validate("0", {}, loc=("path", "item_id"))
    assert [error["loc"] for error in errors] == [("path", "item_id")]
    assert header_field.get_default() == ""
