"""Summaries and the results table: pure functions over measurements."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.wrk import Measurement

# (scenario, server name) -> one measurement per repeat, in repeat order.
Runs = dict[tuple[str, str], list[Measurement]]


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


def paired_ratio(ours: Sequence[Measurement], theirs: Sequence[Measurement]) -> float | None:
    """The median over repeats of ours / theirs within each repeat.

    Both servers ran back to back in every repeat, so a repeat disturbed by the machine
    slows both alike and its ratio stays fair; a ratio of two medians would mix repeats.
    """
    ratios = [
        a.requests_per_second / b.requests_per_second
        for a, b in zip(ours, theirs, strict=True)
        if b.requests_per_second
    ]
    return statistics.median(ratios) if ratios else None


def _cell(runs: Sequence[Measurement] | None) -> str:
    if not runs:
        return "n/a"
    summary = summarize(runs)
    cell = f"{summary.requests_per_second:,.0f} ({summary.p50_ms:.1f} / {summary.p99_ms:.1f})"
    return cell + (f" {summary.failures} failed" if summary.failures else "")


def _ratio(ours: Sequence[Measurement] | None, theirs: Sequence[Measurement] | None) -> str:
    ratio = None if not ours or not theirs else paired_ratio(ours, theirs)
    return "n/a" if ratio is None else f"{ratio:.2f}x"


def table(scenarios: Sequence[str], servers: Sequence[str], runs: Runs) -> str:
    """A Markdown table: median req/s (p50 / p99 ms) per server, then the first server's paired
    ratio to each other server."""
    first, others = servers[0], servers[1:]
    header = ["scenario", *(f"{name} req/s (p50 / p99 ms)" for name in servers)]
    header += [f"{first} / {name}" for name in others]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for scenario in scenarios:
        ours = runs.get((scenario, first))
        cells = [scenario, *(_cell(runs.get((scenario, name))) for name in servers)]
        cells += [_ratio(ours, runs.get((scenario, name))) for name in others]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
