"""How far a long command (`items import`, `items export`) has got, on stderr, and its summary.

On a terminal, one line redrawn in place: a bar, items done, items per second, and the percentage
and time left when the size of the whole is known. Elsewhere (a log file, a pipe), a plain line at
most once a second, so a log stays readable. stdout carries only the command's output.
"""

import math
import sys
import time
from collections.abc import Callable
from typing import Annotated, TextIO

import typer

QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="no progress or summary on stderr")]

REDRAW_SECONDS = 0.1
LINE_SECONDS = 1.0
BAR_WIDTH = 30
# Back to the start of the line and clear it: the next state overwrites the last.
_REDRAW = "\r\x1b[K"


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


class Progress:
    """Items done so far; `position` of `total` (bytes, when known) gives the percentage and ETA."""

    def __init__(
        self,
        doing: str,
        total: int | None = None,
        *,
        quiet: bool = False,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._doing = doing
        self._total = total
        self._quiet = quiet
        self._stream = stream or sys.stderr
        self._live = self._stream.isatty()
        self._clock = clock
        self._started = clock()
        self._shown_at = -math.inf
        self._drawn = False
        self.items = 0
        self._position = 0

    def advance(self, items: int, position: int | None = None) -> None:
        self.items += items
        if position is not None:
            self._position = position
        now = self._clock()
        if not self._quiet and now - self._shown_at >= (REDRAW_SECONDS if self._live else LINE_SECONDS):
            self._shown_at = now
            self._show(now - self._started)

    def finish(self, outcome: str) -> None:
        """The summary: `outcome`, then how long it took and how fast it went (not when quiet)."""
        if not self._quiet:
            elapsed = self._clock() - self._started
            self.report(f"{outcome} in {elapsed:.1f} s, {self._rate(elapsed):,.0f} items/s")

    def report(self, line: str) -> None:
        """A line in place of the live one, shown even when quiet (a failure's, say)."""
        self._write(f"{_REDRAW if self._drawn else ''}{line}\n")
        self._drawn = False

    def _rate(self, elapsed: float) -> float:
        return self.items / elapsed if elapsed > 0 else 0.0

    def _done(self) -> float | None:
        """The share of the whole done, when the whole's size is known."""
        return min(self._position / self._total, 1.0) if self._total else None

    def _parts(self, elapsed: float) -> list[str]:
        parts = [f"{self.items:,} items", f"{self._rate(elapsed):,.0f} items/s"]
        if (done := self._done()) is not None:
            parts.insert(0, f"{done:.0%}")
            if 0 < done < 1 and elapsed > 0:
                parts.append(f"ETA {_duration(elapsed / done * (1 - done))}")
        return parts

    def _show(self, elapsed: float) -> None:
        if not self._live:
            self._write(f"{self._doing}: {', '.join(self._parts(elapsed))}\n")
            return
        bar = ""
        if (done := self._done()) is not None:
            filled = round(BAR_WIDTH * done)
            bar = " " + "█" * filled + "░" * (BAR_WIDTH - filled)
        self._write(f"{_REDRAW}{self._doing}{bar}  {'  '.join(self._parts(elapsed))}")
        self._drawn = True

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()
