"""`items serve`: check the store, then run the REST API under uvicorn."""

import os
import shutil
import sys
import tempfile
from contextlib import aclosing
from typing import Annotated

import typer
import uvicorn

from entrypoints.cli.running import run
from entrypoints.logs import configure_logging
from entrypoints.metrics import MULTIPROCESS_DIR, is_multiprocess
from entrypoints.settings import Settings
from entrypoints.storage import open_storage

APP = "entrypoints.api.app:create_app"


async def _check_storage(settings: Settings) -> None:
    """Open the store once before any worker starts: a schema problem is one clear line, here."""
    async with aclosing(open_storage(settings)) as storage:
        await anext(storage)


def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
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
    try:
        uvicorn.run(
            APP,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=settings.shutdown_timeout,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
