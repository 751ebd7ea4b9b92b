"""`items` as tests run it: in this process (typer's CliRunner: quick), or as a real process where the
process is what a user meets (pipes, a terminal, kill -9), each on a database the test names."""

import os
import subprocess
from typing import Any

from typer.testing import CliRunner, Result

from entrypoints.cli.main import app
from tests.support.server import ITEMS, ROOT

# Hang guard for one command of a test (a few hundred items at most), not a verdict on speed.
COMMAND_SECONDS = 120


def items_env(database_url: str) -> dict[str, str]:
    # A test's fresh database gets its schema as the command starts, PostgreSQL's too.
    return {"DATABASE_URL": database_url, "LOG_FORMAT": "text", "MIGRATE_ON_START": "true"}


class Items:
    """Runs `items ...` in this process, with the given environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str, input: bytes | None = None, **env: str) -> Result:
        return CliRunner().invoke(app, list(args), input=input, env={**self.env, **env})


def items_process(database_url: str, *args: str, **popen: Any) -> subprocess.Popen[bytes]:
    """`items ...` started as a process in a session of its own (tests.support.processes stops it)."""
    return subprocess.Popen(
        [ITEMS, *args],
        cwd=ROOT,
        env={**os.environ, **items_env(database_url)},
        start_new_session=True,
        **popen,
    )


def run_items(
    database_url: str, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`items ...` as a process, to its end: its exit code, stdout and stderr."""
    return subprocess.run(
        [ITEMS, *args],
        cwd=ROOT,
        env={**os.environ, **items_env(database_url)},
        input=stdin,
        capture_output=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
