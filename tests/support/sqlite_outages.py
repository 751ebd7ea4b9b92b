"""Making a SQLite file unusable for a while: another process holding its lock, or unwritable files."""

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def locked(path: Path) -> Iterator[None]:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.close()


@contextmanager
def unwritable(path: Path) -> Iterator[None]:
    # The shared-memory index (-shm) stays writable: SQLite maps it, and a write to a mapping of
    # an unwritable file kills the process with SIGBUS rather than failing a call.
    files = [str(path), f"{path}-wal"]
    if os.geteuid() != 0:
        for name in files:
            os.chmod(name, 0o444)
        undo = [["chmod", "0644", *files]]
    elif shutil.which("chattr") and subprocess.run(["chattr", "+i", *files], check=False).returncode == 0:
        # Root ignores permissions; only the immutable attribute stops it writing.
        undo = [["chattr", "-i", *files]]
    else:
        pytest.skip("running as root where chattr +i is unavailable: cannot make a file unwritable")
    try:
        yield
    finally:
        for command in undo:
            subprocess.run(command, check=True)
