"""The translation figures, measured by the translation package's own benchmark
(agmtool.translation.benchmark) in this process, on the bench's database: the queue at
20,000 concerns with their translations, and the memory's top five suggestions among
10,000 and 100,000 segments."""

from __future__ import annotations

from agmtool.bench import Result, measures


@measures("translate_queue_ms")
def queue(run) -> dict:
    from agmtool.translation import benchmark

    found = benchmark.run(run.app)
    return {"translate_queue_ms": Result(
        found[benchmark.KEY], "the queue page, a staff member's view of every language, "
        "20,000 concerns with their translations")}


@measures("tm_lookup_ms_10k", "tm_lookup_ms_100k")
def memory(run) -> dict:
    from agmtool.translation import benchmark

    found = benchmark.run_memory(run.app)
    details = found.pop("details")
    return {key: Result(value, f"median of {details[size]['lookups']} lookups on "
                               f"{details[size]['database']}; p75 {details[size]['p75_ms']} ms")
            for (size, key), value in zip(benchmark.MEMORY_KEYS.items(), found.values(),
                                          strict=True)}
