"""Benchmarks (`make bench`): the figures of bench-results.json, and the registry of the
functions that measure them (each module of this package registers its own).

A figure with no function registered yet is printed as "not measured" and left out of the
JSON: a figure belongs to the issue that builds its feature, which adds a module here (see
harness.MODULES) rather than change this one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    group: str
    target: str  # as the issues set it; "" where none is set
    what: str


# Every key of bench-results.json (design/interface.md), in the order the table shows them.
FIGURES: dict[str, Figure] = {
    "feed_cached_vs_static": Figure(
        "Calendar", ">= 0.8", "requests/s of /calendar.ics, unchanged, over the same bytes "
                              "as a static file"),
    "feed_304_vs_static": Figure(
        "Calendar", "", "requests/s of /calendar.ics answered 304, over a static file of the "
                        "size of a 304"),
    "feed_cold_ms_per_meeting": Figure(
        "Calendar", "<= 1.2", "CPU ms to build the feed of 1,000 meetings and their deadlines "
                              "with every cache empty, per meeting"),
    "feed_restart_ms": Figure(
        "Calendar", "<= 50", "the first feed request answered by a freshly started worker"),
    "feed_after_change_ms_per_meeting": Figure(
        "Calendar", "<= 0.05", "the feed requested after one meeting changed, per meeting"),
    "agms_page_vs_static": Figure(
        "Calendar", ">= 0.3", "requests/s of /en/agms/ at 1,000 meetings over the same bytes "
                              "as a static file"),
    "export_first_byte_ms": Figure(
        "Export", "<= 200", "the CSV export of 20,000 concerns, until its first byte"),
    "submit_vs_raw_insert": Figure(
        "Intake", ">= 0.6", "form submissions/s over one-row inserts/s of the same tables, "
                            "through the same server"),
    "submit_p99_ms": Figure(
        "Intake", "<= 300", "99th percentile of a submission at concurrency 50"),
    "submissions_lost": Figure(
        "Intake", "= 0", "acknowledged but not stored, of the run's submissions"),
    "form_page_bytes": Figure(
        "Intake", "", "the concern form, HTML and everything it loads, heaviest language"),
    "worker_rss_growth_mib": Figure(
        "Intake", "<= 10", "one worker's growth over 5,000 mixed requests with meeting edits"),
    "tm_lookup_ms_10k": Figure(
        "Translation", "< 50", "the top five memory suggestions among 10,000 segments"),
    "tm_lookup_ms_100k": Figure(
        "Translation", "< 200", "the top five memory suggestions among 100,000 segments"),
    "translate_queue_ms": Figure(
        "Translation", "< 100", "the translator's queue at 20,000 concerns with translations"),
    "pdf_vs_bare_weasyprint": Figure(
        "PDF", "<= 1.10", "request to PDF bytes through the warm pipeline over a warm "
                          "write_pdf"),
    "pdf_s_per_page": Figure("PDF", "<= 0.12", "a 50-question tagged pack, seconds a page"),
    "pdf_peak_mib": Figure("PDF", "<= 200", "peak resident memory of the rendering process"),
    "card_render_s": Figure("PDF", "<= 0.2", "one speaker card, warm worker"),
    "pack_cached_vs_static": Figure(
        "PDF", ">= 0.8", "requests/s of a cached pack over the same bytes as a static file"),
    "page_during_pdf_vs_alone": Figure(
        "PDF", ">= 0.5", "a public page's requests/s while packs render, over the page alone"),
}


@dataclass(frozen=True)
class Result:
    value: float | int
    detail: str = ""
    spread: str = ""  # the range of the pairs' ratios, for a ratio


# (the keys it yields, the function): run in the order registered.
MEASURES: list[tuple[tuple[str, ...], Callable]] = []


def measures(*keys: str):
    """Register a function that takes the harness's Run and returns {key: Result} for
    ``keys``, each of which must be a key of FIGURES."""
    unknown = [key for key in keys if key not in FIGURES]
    if unknown:
        raise KeyError(f"not a figure of bench-results.json: {', '.join(unknown)}")

    def register(function: Callable) -> Callable:
        MEASURES.append((keys, function))
        return function

    return register
