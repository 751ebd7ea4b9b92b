"""Summaries and the results table: pure functions over measurements."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.wrk import Measurement


@dataclass(frozen=True, slots=True)
class Summary:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    failures: int
    repeats: int


def summarize(runs: Sequence[Measurement]) -> Summary:
    """Medians over the repeats (robust to one disturbed run); failures add up."""
    if not runs:
        raise ValueError("no runs to summarize")
    return Summary(
        requests_per_second=statistics.median(r.requests_per_second for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        failures=sum(r.failures for r in runs),
        repeats=len(runs),
    )


def _cell(summary: Summary | None) -> str:
    if summary is None:
        return "n/a"
    cell = f"{summary.requests_per_second:,.0f} ({summary.p50_ms:.1f} / {summary.p99_ms:.1f})"
    return cell + (f" {summary.failures} failed" if summary.failures else "")


def _ratio(ours: Summary | None, theirs: Summary | None) -> str:
    if ours is None or theirs is None or theirs.requests_per_second == 0:
        return "n/a"
    return f"{ours.requests_per_second / theirs.requests_per_second:.2f}x"


def table(scenarios: Sequence[str], servers: Sequence[str], results: dict[tuple[str, str], Summary]) -> str:
    """A Markdown table: req/s (p50 / p99 ms) per server, then the first server's ratio to each other."""
    first, others = servers[0], servers[1:]
    header = ["scenario", *(f"{name} req/s (p50 / p99 ms)" for name in servers)]
    header += [f"{first} / {name}" for name in others]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for scenario in scenarios:
        ours = results.get((scenario, first))
        cells = [scenario, *(_cell(results.get((scenario, name))) for name in servers)]
        cells += [_ratio(ours, results.get((scenario, name))) for name in others]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
