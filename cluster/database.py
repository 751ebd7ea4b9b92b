"""The cluster's database on the PostgreSQL server: created when it does not exist yet."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy.engine import make_url


def ensure_database(url: str) -> None:
    asyncio.run(_ensure(url))


async def _ensure(url: str) -> None:
    target = make_url(url).set(drivername="postgresql")
    try:
        connection = await asyncpg.connect(target.render_as_string(hide_password=False), timeout=5)
    except asyncpg.InvalidCatalogNameError:
        server = await asyncpg.connect(
            target.set(database="postgres").render_as_string(hide_password=False), timeout=5
        )
        try:
            await server.execute(f'CREATE DATABASE "{target.database}"')
        finally:
            await server.close()
        return
    await connection.close()
