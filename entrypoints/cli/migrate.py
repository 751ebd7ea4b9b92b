"""`items migrate`: move the database schema, through the same migrator the service starts with."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy import migrator
from entrypoints.cli.exit_codes import NothingToMigrate
from entrypoints.cli.running import load_settings, run
from entrypoints.container import sql_engine

app = typer.Typer(help="Upgrade, downgrade or show the database schema revision.", no_args_is_help=True)


@asynccontextmanager
async def _engine() -> AsyncIterator[AsyncEngine]:
    settings = load_settings()
    if settings.backend == "memory":
        raise NothingToMigrate("DATABASE_URL is memory://, which has no schema to migrate")
    async with sql_engine(settings) as engine:
        yield engine


def _on_engine(operation: Callable[[AsyncEngine], Awaitable[None]]) -> None:
    async def work() -> None:
        async with _engine() as engine:
            await operation(engine)

    run(work)


def _moving(operation: Callable[[AsyncEngine], Awaitable[None]]) -> None:
    """Run a migration and say where the schema went."""

    async def move(engine: AsyncEngine) -> None:
        before = await migrator.schema_state(engine)
        await operation(engine)
        after = await migrator.schema_state(engine)
        typer.echo(f"schema: {before.current or 'none'} -> {after.current or 'none'}")

    _on_engine(move)


@app.command()
def upgrade(revision: Annotated[str, typer.Argument(help="target revision")] = "head") -> None:
    """Upgrade the schema (to the newest revision unless told otherwise)."""
    _moving(lambda engine: migrator.upgrade(engine, revision))


# "-1" (one step back) must reach the command as a revision, not be taken for an option.
@app.command(context_settings={"ignore_unknown_options": True})
def downgrade(revision: Annotated[str, typer.Argument(help='target: a revision, "-1" or "base"')]) -> None:
    """Downgrade the schema to an older revision (data in dropped tables is lost)."""
    _moving(lambda engine: migrator.downgrade(engine, revision))


@app.command()
def current() -> None:
    """Print the database's schema revision and the one this code needs; exit 7 if they differ."""

    async def show(engine: AsyncEngine) -> None:
        state = await migrator.schema_state(engine)
        typer.echo(f"current: {state.current or 'none'}\nhead:    {state.head}")
        if not state.is_current:
            raise migrator.SchemaNotCurrent(state.advice())

    _on_engine(show)
