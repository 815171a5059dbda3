"""The restart figure: the first feed requests answered by freshly started workers, which
find every meeting's events stored and serialize none."""

from __future__ import annotations

import statistics

from agmtool.bench import Result, measures
from agmtool.bench.feeds import VARIANTS

RESTARTS = 2


@measures("feed_restart_ms")
def restart(run) -> dict:
    for path in VARIANTS:
        run.get(path)  # served, so stored, before the restart
    times, serialized = [], 0
    for _ in range(RESTARTS):
        run.restart_server()
        for path in VARIANTS:
            times.append(run.rate([{"path": path}], 1, concurrency=1)["results"][0]["ms"])
        states = {}
        while len(states) < len(run.workers()):
            state = run.worker_state()
            states[state["pid"]] = state["serialized"]
        serialized += sum(states.values())
    return {"feed_restart_ms": Result(
        round(statistics.median(times), 1),
        f"each of the {len(VARIANTS)} language and deadline variants first asked of new workers,"
        f" {RESTARTS} restarts: max {max(times):.0f} ms; meetings serialized: {serialized}")}
