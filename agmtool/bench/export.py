"""The export's figure: how long the CSV export of every concern takes to start arriving."""

from __future__ import annotations

import statistics

from agmtool.bench import Result, measures
from agmtool.bench.seed import CONCERNS


@measures("export_first_byte_ms")
def export_first_byte(run) -> dict:
    request = {"path": "/staff/concerns/export.csv", "headers": {"Cookie": run.staff_cookie()}}
    answers = [run.first_byte(request) for _ in range(5)]
    wrong = [answer for answer in answers if answer["status"] != 200]
    if wrong:
        raise SystemExit(f"bench: the export answered {wrong[0]['status']}")
    first = statistics.median(answer["first_byte_ms"] for answer in answers)
    whole = statistics.median(answer["ms"] for answer in answers)
    return {"export_first_byte_ms": Result(
        round(first, 1), f"median of 5; the whole {answers[0]['bytes'] / 2**20:.1f} MiB of "
                         f"{CONCERNS:,} concerns in {whole:.0f} ms")}
