"""The PDF figures of ``make bench`` (issue 15), measured in this process and its workers.

``measure()`` renders the generated 50-question pack (``demo.pack_content``: quotable
originals in es, pt and id, community backgrounds, notes and sources) and a one-question
card, and returns:

- ``pdf_vs_bare_weasyprint``: request to PDF bytes through the warm pipeline
  (``documents.request`` with an empty cache: hashing, the cache, the lock and slot, the
  pipe to a warm worker, Jinja, WeasyPrint, the structure-tree languages, the bytes back)
  over a warm in-process ``HTML(...).write_pdf(pdf_tags=True)`` of the same HTML with the
  same fetcher. A then B alternating, the median of the pairs' ratios (target <= 1.10).
- ``pdf_s_per_page``: the tagged pack, request to bytes through the warm pipeline, over
  its pages, median of the runs (target <= 0.12).
- ``pdf_peak_mib``: the worker's peak resident memory after rendering the pack (<= 200).
- ``card_render_s``: one card, request to bytes through a warm worker, median (<= 0.2).

Times are wall clock, so a busy machine inflates them; ``details()`` adds the CPU times,
the spread and the page count beside them. Side effects: starts and stops one worker.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import UTC, datetime
from io import BytesIO

import weasyprint
from cachelib import SimpleCache

from agmtool.packs import demo, pdf
from agmtool.packs.documents import Documents, Ready
from agmtool.packs.worker import Job, Pool

PACK = Job("pdf/demo_pack.html", demo.pack_content(50))
CARD = Job("pdf/demo_cards.html", demo.card_content(1))
RUNS = 5
CARD_RUNS = 7


def _bare(html_text: str) -> tuple[float, float]:
    """Wall and CPU seconds of a plain in-process WeasyPrint render of ``html_text``."""
    wall, cpu = time.perf_counter(), time.process_time()
    weasyprint.HTML(string=html_text, base_url=pdf.STATIC_BASE,
                    url_fetcher=pdf.StaticFetcher()).write_pdf(pdf_tags=True)
    return time.perf_counter() - wall, time.process_time() - cpu


def _through_pipeline(pool: Pool, job: Job) -> tuple[float, bytes]:
    """Wall seconds from the request to the bytes, with an empty cache each time."""
    documents = Documents(SimpleCache(), pool, max_concurrent=1, wait_seconds=600)
    started = time.perf_counter()
    result = documents.request(job)
    elapsed = time.perf_counter() - started
    if not isinstance(result, Ready):
        raise RuntimeError(f"the benchmark render did not finish: {result}")
    return elapsed, result.data


def details() -> dict:
    """Every figure with what it rests on (CPU times, spread, page count)."""
    from pypdf import PdfReader  # the test extra, which make bench installs

    pool = Pool(size=1, time_limit=600, memory_mib=2048)
    try:
        pool.warm()
        stamp = pdf.Stamp(datetime.now(UTC), PACK.digest)
        html_text = pdf.render_html(PACK.template, PACK.content, stamp=stamp)
        _bare(html_text)  # warm this process too
        _through_pipeline(pool, PACK)  # and the worker, on the pack's own fonts and styles

        pipeline_s, bare_s, bare_cpu = [], [], []
        for _ in range(RUNS):  # A then B, side by side
            seconds, data = _through_pipeline(pool, PACK)
            pipeline_s.append(seconds)
            wall, cpu = _bare(html_text)
            bare_s.append(wall)
            bare_cpu.append(cpu)
        pages = len(PdfReader(BytesIO(data)).pages)
        ratios = [a / b for a, b in zip(pipeline_s, bare_s, strict=True)]
        rendered = pool.render(PACK.digest, PACK)

        card_digest = CARD.digest
        card_s, card_cpu = [], []
        for _ in range(CARD_RUNS):
            started = time.perf_counter()
            card = pool.render(card_digest, CARD)
            card_s.append(time.perf_counter() - started)
            card_cpu.append(card.cpu_seconds)
    finally:
        pool.close()
    return {
        "pdf_vs_bare_weasyprint": round(statistics.median(ratios), 3),
        "pdf_s_per_page": round(statistics.median(pipeline_s) / pages, 4),
        "pdf_peak_mib": round(rendered.peak_mib, 1),
        "card_render_s": round(statistics.median(card_s), 3),
        "pdf_pages": pages,
        "pdf_ratio_spread": [round(min(ratios), 3), round(max(ratios), 3)],
        "pdf_cpu_s_per_page": round(rendered.cpu_seconds / pages, 4),
        "pdf_bare_cpu_s_per_page": round(statistics.median(bare_cpu) / pages, 4),
        "card_cpu_s": round(statistics.median(card_cpu), 3),
    }


def measure() -> dict:
    """The four figures of issue 15's table that this process can measure."""
    figures = details()
    return {key: figures[key] for key in (
        "pdf_vs_bare_weasyprint", "pdf_s_per_page", "pdf_peak_mib", "card_render_s")}


if __name__ == "__main__":
    print(json.dumps(details(), indent=2))
