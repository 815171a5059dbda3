"""The memory figure: how much one worker grows over 5,000 mixed requests while meetings are
edited, after a warm-up of 800 such requests in which each worker has served every kind."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from agmtool.bench import Result, measures
from agmtool.bench.feeds import VARIANTS
from agmtool.bench.intake import forms, submission

CHUNKS = 50  # of 100 requests, a meeting edited after each
PER_CHUNK = 100
WARM_UP = 8  # chunks first, so that each worker has built and kept what it keeps


def mix(run, meeting_ids: list[int], company_id: int) -> list[dict]:
    """What the site answers in a season: feeds (whole and 304) in every variant, the
    meeting list and pages in two languages, the form, the status page, the inbox."""
    feeds = [{"path": path} for path in VARIANTS]
    feeds.append({"path": "/calendar/mining-3.ics?lang=pt"})
    pages = [{"path": f"/{lang}/agms/?page={page}"} for lang in ("en", "es")
             for page in (1, 2, 3)]
    pages += [{"path": "/en/agms/?company=mining-7"}, {"path": "/id/agms/?page=2"}]
    pages += [{"path": f"/{lang}/agms/{agm_id}"} for lang, agm_id
              in zip(itertools.cycle(("en", "es", "pt", "id")), meeting_ids)]
    pages += [{"path": "/en/"}, {"path": "/es/concerns/new"}, {"path": "/pt/status"},
              {"path": "/staff/concerns/", "headers": {"Cookie": run.staff_cookie()}}]
    return feeds + pages


@measures("worker_rss_growth_mib")
def worker_growth(run) -> dict:
    from agmtool.extensions import db
    from agmtool.meetings import agms, feed_cache
    from agmtool.models import AGM, Company

    with run.app.app_context():
        meeting_ids = db.session.scalars(
            sa.select(AGM.id).where(AGM.local_date >= feed_cache.today()).order_by(AGM.id)
            .limit(24)).all()
        company_id = db.session.scalar(sa.select(Company.id).limit(1))
        db.session.remove()
    gets = mix(run, meeting_ids, company_id)
    posts = iter([submission(form, n, company_id)
                  for n, form in enumerate(forms(run, (CHUNKS + WARM_UP) * 5))])
    edits = itertools.count()

    def chunk() -> None:
        """100 requests (95 reads from the mix, 5 submissions), then a meeting edited."""
        requests = list(itertools.islice(itertools.cycle(gets), PER_CHUNK - 5))
        requests += [next(posts) for _ in range(5)]
        run.rate(requests, PER_CHUNK, concurrency=8)
        with run.app.app_context():
            n = next(edits)
            agm = db.session.get(AGM, meeting_ids[n % len(meeting_ids)])
            agms.update_agm(agm, None, {"venue": f"Hall {n}"}, agm.version)
            db.session.commit()
            db.session.remove()

    for _ in range(WARM_UP):
        chunk()
    workers = run.workers()
    before = {pid: run.rss_mib(pid) for pid in workers}
    for _ in range(CHUNKS):
        chunk()
    after = {pid: run.rss_mib(pid) for pid in workers}
    growth = {pid: after[pid] - before[pid] for pid in workers}
    worst = max(growth, key=growth.get)
    return {"worker_rss_growth_mib": Result(
        round(growth[worst], 1), f"{CHUNKS * PER_CHUNK:,} requests with {CHUNKS} meeting edits: "
        + ", ".join(f"worker {before[pid]:.0f} -> {after[pid]:.0f} MiB" for pid in workers))}
