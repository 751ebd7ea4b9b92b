"""Runs one CLI command's async work: settings, logging, the container, and errors as exit codes."""

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import typer

from entrypoints.cli.exit_codes import describe
from entrypoints.container import Container, settle
from entrypoints.observability.logs import configure_logging
from entrypoints.settings import Settings

T = TypeVar("T")


def run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `work`; on any error print one line on stderr and exit with its code."""
    try:
        return asyncio.run(work())
    except (Exception, KeyboardInterrupt) as error:
        code, message = describe(error)
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(code) from None


def load_settings() -> Settings:
    """Settings for a command; its logs go to stderr, so stdout holds only its output, and
    only errors are logged, so a failure reads as the one line `run` prints."""
    settings = Settings()
    configure_logging("ERROR", settings.log_format, stream=sys.stderr)
    return settings


@asynccontextmanager
async def started_container(settings: Settings | None = None) -> AsyncIterator[Container]:
    container = Container(settings=settings or load_settings())
    await settle(container.init_resources())
    try:
        yield container
    finally:
        await settle(container.shutdown_resources())
