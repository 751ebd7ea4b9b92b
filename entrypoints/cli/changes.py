"""Change feed commands: `items changes` prints it, `items relay` publishes it, `items prune-changes`
forgets what is older than CHANGE_RETENTION. Each runs its use-case through the container."""

import asyncio
import contextlib
import signal
import sys
from typing import Annotated

import orjson
import typer

from application.prune_changes import PruneChanges
from application.read_changes import ReadChanges
from domain.feed import FEED_LIMIT_MAX, FEED_WAIT_MAX, FeedPosition, RecordedChange
from entrypoints.cli.output import Output
from entrypoints.cli.running import run, started_container
from entrypoints.container import relay as open_relay
from entrypoints.container import settle
from entrypoints.observability.logs import configure_logging
from entrypoints.settings import Settings
from entrypoints.shapes import change_out


def _position(text: str | None) -> FeedPosition | None:
    if text is None:
        return None
    transaction, dot, sequence = text.partition(".")
    if not dot or not transaction.isdigit() or not sequence.isdigit():
        raise typer.BadParameter("a position is TRANSACTION.SEQUENCE, as `items changes` prints it")
    return FeedPosition(int(transaction), int(sequence))


def _line(change: RecordedChange, output: Output) -> str:
    position = f"{change.position.transaction}.{change.position.sequence}"
    if output is Output.json:
        return orjson.dumps({"position": position, **change_out(change).model_dump(mode="json")}).decode()
    name = "" if change.item is None else change.item.name
    when = change.recorded_at.isoformat()
    return f"{position}  {change.kind:<7}  {change.item_id}  v{change.version}  {when}  {name}"


def changes(
    after: Annotated[
        str | None, typer.Option(help="start after this position (TRANSACTION.SEQUENCE)")
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="keep printing changes as they come")
    ] = False,
    output: Annotated[
        Output, typer.Option("--output", "-o", help="table for people, json lines")
    ] = Output.table,
) -> None:
    """Print the change feed, oldest first, one change a line."""
    start = _position(after)

    async def work() -> None:
        position = start
        async with started_container() as container:
            read: ReadChanges = await settle(container.read_changes())
            while True:
                found = await read(position, FEED_LIMIT_MAX, FEED_WAIT_MAX if follow else 0)
                for change in found:
                    typer.echo(_line(change, output))
                if found:
                    position = found[-1].position
                elif not follow:
                    return

    run(work)


def relay() -> None:
    """Publish the change feed to NATS JetStream (NATS_URL), from where the relay stopped last.

    Relays of one RELAY_NAME share one position and take turns: one publishes, the others wait to
    take over. SIGTERM or Ctrl-C stops it after the change in flight."""

    async def work() -> None:
        settings = Settings()
        # What it publishes, and why it waits or retries, is worth a log line (on stderr).
        configure_logging(settings.log_level, settings.log_format, stream=sys.stderr)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        async with started_container(settings) as container:
            uow = await settle(container.uow())
            async with open_relay(settings, uow) as relay_changes:
                await relay_changes.run(stop, idle=0.2)

    with contextlib.suppress(KeyboardInterrupt):
        run(work)


def prune_changes() -> None:
    """Forget changes older than CHANGE_RETENTION; readers behind them get 410 and resync."""

    async def work() -> int:
        async with started_container() as container:
            prune: PruneChanges = await settle(container.prune_changes())
            return await prune()

    typer.echo(f"pruned {run(work)} changes")


def register(app: typer.Typer) -> None:
    app.command()(changes)
    app.command()(relay)
    app.command("prune-changes")(prune_changes)
