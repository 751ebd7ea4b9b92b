"""An `items import` killed with SIGKILL mid-file, then run again over the whole file, ends with every
line imported exactly once: the batches the first run committed are answered as replays."""

import re
import subprocess
import time
from pathlib import Path

from entrypoints.cli.exit_codes import ExitCode
from tests.support.cli import items_process, run_items
from tests.support.databases import in_store
from tests.support.item_files import jsonl, new_items
from tests.support.processes import kill_group
from tests.support.stores import every_item

BATCH = 10
# Hang guard while the first run imports its first batches, not a verdict on speed.
COMMIT_SECONDS = 60


def stored_names(database_url: str) -> list[str]:
    return [item.name for item in in_store(database_url, every_item)]


def wait_for_items(database_url: str, count: int) -> None:
    """Polls the database, which another process fills: there is nothing here to wait on."""
    deadline = time.monotonic() + COMMIT_SECONDS
    while (stored := len(stored_names(database_url))) < count:
        assert time.monotonic() < deadline, f"{stored} items imported after {COMMIT_SECONDS} s, not {count}"
        time.sleep(0.1)


def test_an_import_killed_mid_file_resumes_with_no_item_twice(durable_url: str, tmp_path: Path) -> None:
    bodies = new_items(5 * BATCH)
    names = [body["name"] for body in bodies]
    # Fed through a pipe: three whole batches and half of a fourth, then nothing more. Once the three
    # are committed, the importer holds the half batch and waits for more lines: killed there.
    importer = items_process(
        durable_url,
        "import",
        "-",
        "--batch-size",
        str(BATCH),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert importer.stdin is not None
        importer.stdin.write(jsonl(bodies[: 3 * BATCH + BATCH // 2]))
        importer.stdin.flush()
        wait_for_items(durable_url, 3 * BATCH)
    finally:
        kill_group(importer)
    assert stored_names(durable_url) == names[: 3 * BATCH]

    path = tmp_path / "items.jsonl"
    path.write_bytes(jsonl(bodies))
    again = run_items(durable_url, "import", str(path), "--batch-size", str(BATCH))
    assert again.returncode == ExitCode.OK, again.stderr
    last = again.stderr.decode().splitlines()[-1]
    assert re.match(r"imported 50 items \(20 new, 30 already imported\) in ", last), last
    assert stored_names(durable_url) == names
