"""`items serve`: check the store, then run the REST API under Granian (HTTP/1.1, uvloop)."""

import multiprocessing
import os
import shutil
import sys
import tempfile
from contextlib import aclosing
from typing import Annotated, Any

import typer
from granian.constants import HTTPModes, Interfaces, Loops
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server import Server
from granian.server.common import AbstractServer
from watchfiles import PythonFilter

from entrypoints.cli.running import run
from entrypoints.container import open_storage
from entrypoints.observability.logs import configure_logging
from entrypoints.observability.multiprocess import MULTIPROCESS_DIR, is_multiprocess
from entrypoints.settings import Settings

APP = "entrypoints.api.app:create_app"


async def _check_storage(settings: Settings) -> None:
    """Open the store once before any worker starts: a schema problem is one clear line, here."""
    async with aclosing(open_storage(settings)) as storage:
        await anext(storage)


def server(
    settings: Settings, host: str, port: int, workers: int = 1, reload: bool = False
) -> AbstractServer[Any]:
    """The HTTP server `items serve` runs (and the benchmark measures): Granian, whose HTTP/1.1
    parser refuses bad framing before the app runs and enforces the header size and time limits.
    HTTP/1.1 only: the header limits below are HTTP/1's, and h2c is not something clients send."""
    return Server(
        APP,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        factory=True,
        workers=workers,
        reload=reload,
        # Python files only: the SQLite database beside the code changes on every write.
        reload_filter=PythonFilter,
        loop=Loops.uvloop,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(
            # Granian's one timer: the time to send a request's headers, counted from the end of
            # the previous answer on a kept-alive connection, so it is also the idle timeout.
            header_read_timeout=round(settings.http_header_timeout * 1000),
            keep_alive=settings.http_keep_alive,
            max_buffer_size=settings.http_max_header_bytes,
        ),
        log_level=LogLevels(settings.log_level.lower()),
        # The app's middleware writes the one access line per request.
        log_access=False,
        # SIGTERM: stop accepting, let in-flight requests finish, kill a worker still busy after this.
        workers_kill_timeout=settings.shutdown_timeout,
    )


def serve(
    # HOST and PORT as well, so a container image sets them the way it sets every other setting.
    host: Annotated[str, typer.Option(envvar="HOST", help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="restart on code changes (development)")] = False,
) -> None:
    """Serve the REST API (docs at /docs, probes at /health/*, metrics at /metrics)."""

    async def check() -> Settings:
        settings = Settings()
        configure_logging(settings.log_level, settings.log_format, stream=sys.stdout)
        await _check_storage(settings)
        return settings

    settings = run(check)
    metrics_dir = None
    if workers > 1 and not is_multiprocess():
        # Each worker writes its metrics here and /metrics adds them up; set before they start.
        metrics_dir = os.environ[MULTIPROCESS_DIR] = tempfile.mkdtemp(prefix="items-metrics-")
    if reload:
        # Forked workers (quicker to start) would inherit this process's modules, the code as it
        # was before the change: these import it afresh.
        multiprocessing.set_start_method("spawn", force=True)
    try:
        granian = server(settings, host, port, workers, reload)
        # Granian set up its own log handlers just now; its records go through ours instead.
        configure_logging(settings.log_level, settings.log_format, stream=sys.stdout)
        granian.serve()
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
