"""The PDF figures, measured by the packs' own benchmark (agmtool.packs.benchmark) in this
process and a warm render worker of its own."""

from __future__ import annotations

import time

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


# --- the packs' pages, through gunicorn ------------------------------------------------------

PACK_QUESTIONS = 20


def _pack_meeting(run) -> tuple[int, int]:
    """A meeting of the seeded data given PACK_QUESTIONS questions from accepted concerns,
    with notes; its id and the id of one of its questions."""
    import sqlalchemy as sa

    from agmtool.extensions import db
    from agmtool.models import AGM, Attribution, Concern, ConcernStatus
    from agmtool.packs import demo
    from agmtool.questions import domain as questions

    with run.app.app_context(), run.app.test_request_context("/"):
        agm = db.session.scalar(sa.select(AGM).order_by(AGM.id).limit(1))
        made = []
        for n in range(PACK_QUESTIONS):
            community = demo.COMMUNITIES[n % len(demo.COMMUNITIES)]
            concern = Concern(status=ConcernStatus.ACCEPTED, language=community["lang"],
                              reply_language=community["lang"], body=community["quote"],
                              attribution=Attribution.ANONYMOUS, company_id=agm.company_id)
            db.session.add(concern)
            db.session.flush()
            made.append(questions.draft(agm, [concern], demo.QUESTION_TEXTS[n % 4], None,
                                        background=demo.NOTES))
        db.session.commit()
        ids = agm.id, made[0].id
        db.session.remove()
    return ids


def _until_ready(run, request: dict, seconds: float = 120) -> bytes:
    """GET ``request`` until it answers the PDF (not the page that waits for it)."""
    deadline = time.monotonic() + seconds
    while True:
        status, _headers, body = run.get(request["path"], request["headers"])
        if status == 200:
            return body
        if status != 202 or time.monotonic() > deadline:
            raise SystemExit(f"bench: {request['path']} answered {status}")
        time.sleep(0.3)


@measures("pack_cached_vs_static", "page_during_pdf_vs_alone")
def pack_pages(run) -> dict:
    import threading

    import sqlalchemy as sa

    from agmtool.bench.harness import spread
    from agmtool.extensions import db
    from agmtool.models import Question

    agm_id, question_id = _pack_meeting(run)
    pack = {"path": f"/staff/agms/{agm_id}/pack.pdf",
            "headers": {"Cookie": run.staff_cookie()}}
    # Each gunicorn worker has its own in-process cache (no AGMTOOL_CACHE_URL): ask until
    # a run of answers shows that both hold the PDF.
    body = _until_ready(run, pack)
    for _ in range(20):
        body = _until_ready(run, pack)
    # The static file is asked for with the same session cookie: a pack is only ever read
    # logged in, so both sides pay the login's session lookup and the ratio is the packs'.
    static = {"path": run.put_static("pack.pdf", body), "headers": pack["headers"]}
    ratio, ratios, pack_rate, static_rate = run.ratio(
        lambda: run.rate([pack], 200), lambda: run.rate([static], 200))

    page = {"path": "/en/agms/"}
    run.rate([page], 40)
    rendering = threading.Event()
    renders = [0]

    def render_loop() -> None:
        """Change a question and fetch the pack until it is ready, again and again: one
        fresh render after another while ``rendering`` is set."""
        while rendering.is_set():
            with run.app.app_context():
                question = db.session.get(Question, question_id)
                question.background = f"{question.background.split(' #')[0]} #{renders[0]}"
                db.session.commit()
                db.session.remove()
            _until_ready(run, pack)
            renders[0] += 1

    def during() -> dict:
        rendering.set()
        thread = threading.Thread(target=render_loop, daemon=True)
        thread.start()
        time.sleep(0.5)  # a render under way
        try:
            return run.rate([page], 300)
        finally:
            rendering.clear()
            thread.join()

    ratio_busy, ratios_busy, busy_rate, alone_rate = run.ratio(
        during, lambda: run.rate([page], 300))
    with run.app.app_context():
        pages = db.session.scalar(sa.select(sa.func.count(Question.id)).where(
            Question.agm_id == agm_id))
        db.session.remove()
    return {
        "pack_cached_vs_static": Result(
            round(ratio, 3), f"{pack_rate:.0f} vs {static_rate:.0f} req/s, a {pages}-question "
                             f"pack of {len(body) / 1024:.0f} KiB; both asked with a staff "
                             f"session cookie",
            spread(ratios)),
        "page_during_pdf_vs_alone": Result(
            round(ratio_busy, 3), f"/en/agms/ {busy_rate:.0f} vs {alone_rate:.0f} req/s; "
                                  f"{renders[0]} pack renders meanwhile", spread(ratios_busy)),
    }
