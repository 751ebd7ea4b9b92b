"""Progress on stderr: a bar redrawn in place on a terminal, plain lines at most once a second
elsewhere, a summary at the end; stdout keeps only the command's output. Time is a fake clock here,
and the processes below are checked for what they drew, never for how fast."""

import io
import os
import pty
import re
import subprocess
from pathlib import Path

from entrypoints.cli.exit_codes import ExitCode
from entrypoints.cli.progress import LINE_SECONDS, REDRAW_SECONDS, Progress
from tests.support.cli import COMMAND_SECONDS, items_process, run_items
from tests.support.item_files import jsonl, new_items
from tests.support.processes import kill_group

REDRAW = "\r\x1b[K"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_come_at_most_once_a_second() -> None:
    clock, log = FakeClock(), io.StringIO()
    progress = Progress("importing", 1000, stream=log, clock=clock)
    for moment, position in ((0.0, 100), (0.5, 200), (LINE_SECONDS, 300), (1.9, 400), (2.5, 500)):
        clock.now = moment
        progress.advance(100, position)
    assert log.getvalue().splitlines() == [
        "importing: 10%, 100 items, 0 items/s",
        "importing: 30%, 300 items, 300 items/s, ETA 2 s",
        "importing: 50%, 500 items, 200 items/s, ETA 2 s",
    ]


def test_a_terminal_gets_one_line_redrawn_with_a_bar() -> None:
    clock, terminal = FakeClock(), Terminal()
    progress = Progress("importing", 4, stream=terminal, clock=clock)
    clock.now = REDRAW_SECONDS
    progress.advance(50, position=1)
    clock.now = 2 * REDRAW_SECONDS
    progress.advance(50, position=2)
    clock.now = 4 * REDRAW_SECONDS
    progress.finish("imported 100 items")
    assert "\n" not in terminal.getvalue()[:-1]
    draws = terminal.getvalue().split(REDRAW)[1:]
    assert draws[:2] == [
        "importing ████████░░░░░░░░░░░░░░░░░░░░░░  25%  50 items  500 items/s  ETA 0 s",
        "importing ███████████████░░░░░░░░░░░░░░░  50%  100 items  500 items/s  ETA 0 s",
    ]
    assert draws[2] == "imported 100 items in 0.4 s, 250 items/s\n"


def test_without_a_known_size_there_is_no_percentage_or_eta() -> None:
    log = io.StringIO()
    Progress("exporting", stream=log, clock=FakeClock()).advance(100)
    assert log.getvalue() == "exporting: 100 items, 0 items/s\n"


def test_quiet_shows_neither_progress_nor_summary_but_still_a_failure() -> None:
    log = io.StringIO()
    progress = Progress("importing", 10, quiet=True, stream=log, clock=FakeClock())
    progress.advance(5, position=5)
    progress.finish("imported 5 items")
    progress.report("stopped")
    assert log.getvalue() == "stopped\n"


def _first_batch_share(bodies: list[dict[str, object]]) -> str:
    """The share of the file's bytes the first batch of 10 takes: the percentage shown after it."""
    return f"{len(jsonl(bodies[:10])) / len(jsonl(bodies)):.0%}"


def test_import_on_a_terminal_draws_a_bar_then_the_summary(tmp_path: Path) -> None:
    bodies = new_items(30)
    path = tmp_path / "items.jsonl"
    path.write_bytes(jsonl(bodies))
    controller, terminal = pty.openpty()
    importer = items_process(
        f"sqlite+aiosqlite:///{tmp_path / 'items.db'}",
        "import",
        str(path),
        "--batch-size",
        "10",
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    try:
        out, _ = importer.communicate(timeout=COMMAND_SECONDS)
    finally:
        kill_group(importer)
    drawn = _read_all(controller).decode()
    assert (importer.returncode, out) == (ExitCode.OK, b"")
    # The first batch is drawn at once; later ones within the redraw interval may not be.
    assert re.match(
        rf"\r\x1b\[Kimporting [█░]{{30}}  {_first_batch_share(bodies)}  10 items  [\d,]+ items/s", drawn
    ), drawn
    assert re.search(
        r"\r\x1b\[Kimported 30 items \(30 new, 0 already imported\) in \d+\.\d s, [\d,]+ items/s\r\n$", drawn
    ), drawn


def _read_all(controller: int) -> bytes:
    """What the terminal showed, until its last writer closed it (EIO on Linux)."""
    shown = b""
    try:
        while chunk := os.read(controller, 4096):
            shown += chunk
    except OSError:
        pass
    finally:
        os.close(controller)
    return shown


def test_import_into_a_pipe_writes_plain_lines_and_the_summary(tmp_path: Path) -> None:
    bodies = new_items(30)
    path = tmp_path / "items.jsonl"
    path.write_bytes(jsonl(bodies))
    result = run_items(
        f"sqlite+aiosqlite:///{tmp_path / 'items.db'}", "import", str(path), "--batch-size", "10"
    )
    assert (result.returncode, result.stdout) == (ExitCode.OK, b"")
    lines = result.stderr.decode().splitlines()
    assert "\r" not in result.stderr.decode() and "\x1b" not in result.stderr.decode()
    assert re.fullmatch(
        rf"importing: {_first_batch_share(bodies)}, 10 items, [\d,]+ items/s, ETA \d+ s", lines[0]
    ), lines
    assert re.fullmatch(
        r"imported 30 items \(30 new, 0 already imported\) in \d+\.\d s, [\d,]+ items/s", lines[-1]
    )
