"""The pure parts of the load benchmark (bench/): reading wrk, medians, the table, Link headers;
and the in-process memory store benchmark, run small."""

import json
from pathlib import Path

import pytest

from bench.bulk import write_items
from bench.memory_scale import SCENARIOS, _measure
from bench.report import paired_ratio, summarize, table
from bench.run import _next_link
from bench.wrk import Measurement, parse
from tests.support.builders import item_body

WRK_REPORT = """\
Running 5s test @ http://127.0.0.1:8103/items/1
  1 threads and 32 connections
  Latency Distribution
     50%  582.00us
     75%  703.00us
     90%    1.74ms
     99%    1.20s
  2856 requests in 1.00s, 663.80KB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:   2848.03
"""


def test_wrk_report_gives_rate_latencies_in_ms_and_failures() -> None:
    assert parse(WRK_REPORT) == Measurement(2848.03, 0.582, 1200.0, 7)


def test_a_report_without_latencies_is_refused() -> None:
    with pytest.raises(ValueError, match="not a wrk --latency report"):
        parse("Requests/sec: 10\n")


def test_summary_takes_medians_and_adds_failures() -> None:
    runs = [Measurement(100, 1, 10, 0), Measurement(300, 3, 30, 1), Measurement(200, 2, 99, 2)]
    summary = summarize(runs)
    assert (summary.requests_per_second, summary.p50_ms, summary.p99_ms) == (200, 2, 30)
    assert (summary.failures, summary.repeats) == (3, 3)


def test_table_gives_the_first_servers_ratio_to_each_other() -> None:
    results = {
        ("get", "service"): [Measurement(3000, 5, 20, 0)],
        ("get", "seed"): [Measurement(1000, 15, 60, 0)],
    }
    rows = table(["get", "put"], ["service", "seed"], results).splitlines()
    assert rows[2] == "| get | 3,000 (5.0 / 20.0) | 1,000 (15.0 / 60.0) | 3.00x |"
    assert rows[3] == "| put | n/a | n/a | n/a |"


def test_ratios_pair_the_servers_repeat_by_repeat() -> None:
    # Ratios within repeats are 2, 3 and 1.5: their median is 2, the medians give 150 / 100.
    ours = [Measurement(200, 1, 1, 0), Measurement(30, 1, 1, 0), Measurement(150, 1, 1, 0)]
    theirs = [Measurement(100, 1, 1, 0), Measurement(10, 1, 1, 0), Measurement(100, 1, 1, 0)]
    assert paired_ratio(ours, theirs) == 2.0
    assert summarize(ours).requests_per_second / summarize(theirs).requests_per_second == 1.5


def test_next_link_is_read_from_an_rfc_8288_header() -> None:
    header = '</items/?limit=1&cursor=abc>; rel="next", </items/?limit=1>; rel="first"'
    assert _next_link(header) == "/items/?limit=1&cursor=abc"
    assert _next_link('</items/?limit=1>; rel="first"') is None


async def test_memory_scale_times_every_scenario_at_both_levels() -> None:
    # Small, and one sample: the benchmark's own checks (every answer a 200, every page full) run.
    results = await _measure(items=300, repeat=1)
    assert list(results) == ["repository", "REST"]
    for timings in results.values():
        assert list(timings) == list(SCENARIOS)
        assert timings["get"][1] == 1
        assert all(micros > 0 and ratio > 0 for micros, ratio in timings.values())


def test_the_bulk_benchmark_file_holds_one_new_item_per_line(tmp_path: Path) -> None:
    lines = write_items(tmp_path / "items.jsonl", 3).read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        item_body(name=f"bulk item {n}", description=f"loaded by the benchmark, line {n + 1}")
        for n in range(3)
    ]
