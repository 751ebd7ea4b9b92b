"""The benchmark's own database (created fresh, dropped after), and filling an items table by SQL."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

from tests.support.builders import item_body


def _sql_value(value: object) -> str:
    """A client field's example value as SQL, numbered by the series `g` where it is text."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + " ' || g"
    return str(int(value)) if isinstance(value, bool) else repr(value)


# What the fill puts in each column: every client field as the test builders fill it in (so a new
# field needs nothing here), then the columns the service derives or sets itself.
_CLIENT_VALUES = {
    field: _sql_value(value)
    for field, value in item_body(name="bench item", description="filled by the benchmark").items()
}
_SQL_VALUES = {
    **_CLIENT_VALUES,
    "name_folded": _CLIENT_VALUES["name"],  # the name case-folded (it is already)
    "created_at": ":now",
    "updated_at": ":now",
    "version": "1",
}


def asyncpg_dsn(url: URL) -> str:
    """The URL as asyncpg itself takes it (no SQLAlchemy driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_database(url: str, scratch: Path) -> Iterator[str]:
    """A new, empty database for the service (SQLAlchemy URL), dropped afterwards.

    For PostgreSQL `url` names the server (and a database to connect to for CREATE/DROP);
    only the database made here is ever dropped. For SQLite a file in `scratch` is used.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        yield f"sqlite+aiosqlite:///{scratch / 'bench.db'}"
        return
    name = f"items_bench_{secrets.token_hex(4)}"
    asyncio.run(admin(url, f'CREATE DATABASE "{name}"'))
    try:
        yield parsed.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def admin(url: str, statement: str) -> None:
    """Run one statement (CREATE or DROP DATABASE) on the server `url` names, outside a transaction."""
    connection = await asyncpg.connect(asyncpg_dsn(make_url(url)), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def fill(url: str, rows: int) -> int:
    """Top the `items` table up to `rows` rows; returns the highest id."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _fill_sqlite(Path(parsed.database or ""), rows)
    return asyncio.run(_fill_postgres(asyncpg_dsn(parsed), rows))


def _insert(columns: list[str], now: str) -> tuple[str, str]:
    chosen = [c for c in columns if c in _SQL_VALUES]
    values = ", ".join(_SQL_VALUES[c].replace(":now", now) for c in chosen)
    return ", ".join(chosen), values


def _fill_sqlite(path: Path, rows: int) -> int:
    with sqlite3.connect(path, timeout=30) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(items)")]
        missing = rows - db.execute("SELECT count(*) FROM items").fetchone()[0]
        if missing > 0:
            # SQLAlchemy keeps SQLite timestamps as naive UTC text in this format.
            now = datetime.now(UTC).strftime("'%Y-%m-%d %H:%M:%S.%f'")
            names, values = _insert(columns, now)
            db.execute(
                "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ?) "
                f"INSERT INTO items ({names}) SELECT {values} FROM s",
                (missing,),
            )
        return int(db.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0])


async def _fill_postgres(dsn: str, rows: int) -> int:
    db = await asyncpg.connect(dsn)
    try:
        columns = [
            r["column_name"]
            for r in await db.fetch(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'items' AND table_schema = current_schema()"
            )
        ]
        missing = rows - await db.fetchval("SELECT count(*) FROM items")
        if missing > 0:
            names, values = _insert(columns, "now()")
            await db.execute(
                f"INSERT INTO items ({names}) SELECT {values} FROM generate_series(1, $1) AS g",
                missing,
            )
            await db.execute("ANALYZE items")
        return int(await db.fetchval("SELECT coalesce(max(id), 0) FROM items"))
    finally:
        await db.close()
