"""The PDF figures, measured by the packs' own benchmark (agmtool.packs.benchmark) in this
process and a warm render worker of its own."""

from __future__ import annotations

from agmtool.bench import Result, measures


@measures("pdf_vs_bare_weasyprint", "pdf_s_per_page", "pdf_peak_mib", "card_render_s")
def packs(_run) -> dict:
    from agmtool.packs import benchmark

    found = benchmark.details()
    low, high = found["pdf_ratio_spread"]
    return {
        "pdf_vs_bare_weasyprint": Result(
            found["pdf_vs_bare_weasyprint"], "the 50-question pack, request to bytes through "
            "the warm pipeline over a warm write_pdf of the same HTML", f"{low:.2f}-{high:.2f}"),
        "pdf_s_per_page": Result(
            found["pdf_s_per_page"], f"{found['pdf_pages']} pages; CPU "
            f"{found['pdf_cpu_s_per_page']} s a page ({found['pdf_bare_cpu_s_per_page']} bare)"),
        "pdf_peak_mib": Result(found["pdf_peak_mib"], "the render worker after the pack"),
        "card_render_s": Result(found["card_render_s"], f"CPU {found['card_cpu_s']} s"),
    }
