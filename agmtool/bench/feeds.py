"""The calendar's figures: the feed cached and answered 304 against static files, built with
every cache empty, requested after one meeting changed; and the list of meetings."""

from __future__ import annotations

import statistics
import time

import sqlalchemy as sa

from agmtool.bench import Result, measures
from agmtool.bench.harness import spread
from agmtool.bench.seed import MEETINGS

FEED = {"path": "/calendar.ics"}
# Every feed a subscriber can ask for of all the meetings.
VARIANTS = [f"/calendar.ics?lang={lang}&deadlines={deadlines}"
            for lang in ("en", "es", "pt", "id") for deadlines in (1, 0)]


@measures("feed_cached_vs_static", "feed_304_vs_static")
def cached_feed(run) -> dict:
    _status, headers, body = run.get("/calendar.ics")
    static = {"path": run.put_static("calendar.ics", body)}
    run.rate([FEED, static], 40)  # both workers hold the feed
    ratio, ratios, feed_rate, static_rate = run.ratio(
        lambda: run.rate([FEED], 80), lambda: run.rate([static], 80))
    unchanged = {"path": "/calendar.ics", "headers": {"If-None-Match": headers["ETag"]}}
    empty = {"path": run.put_static("empty.txt", b"")}
    ratio_304, ratios_304, rate_304, empty_rate = run.ratio(
        lambda: run.rate([unchanged], 800, expect=304), lambda: run.rate([empty], 800))
    return {
        "feed_cached_vs_static": Result(
            round(ratio, 3), f"{feed_rate:.0f} vs {static_rate:.0f} req/s, "
                             f"{len(body) / 2**20:.1f} MiB, 8 connections", spread(ratios)),
        "feed_304_vs_static": Result(
            round(ratio_304, 3), f"{rate_304:.0f} vs {empty_rate:.0f} req/s (an empty static "
                                 f"file)", spread(ratios_304)),
    }


@measures("feed_cold_ms_per_meeting")
def cold_feed(run) -> dict:
    """CPU time in this process, with no stored event, no remembered format and no feed."""
    from agmtool.extensions import db
    from agmtool.meetings import feed_cache, ical
    from agmtool.models import FeedEvent

    times, size = [], 0
    with run.app.app_context():
        for _ in range(3):
            with run.app.test_request_context("/calendar.ics"):
                db.session.execute(sa.delete(FeedEvent))
                db.session.commit()
                feed_cache.cached().clear()
                ical.clear_caches()
                started = time.process_time()
                feed = feed_cache.build(None, "en", True, (0, feed_cache.today()))
                times.append(time.process_time() - started)
                size = len(feed.body)
                db.session.remove()
    per_meeting = statistics.median(times) * 1000 / MEETINGS
    return {"feed_cold_ms_per_meeting": Result(
        round(per_meeting, 3), f"median of 3 builds of {MEETINGS:,} meetings with 3 deadlines "
                               f"each ({size / 2**20:.1f} MiB), their events stored")}


@measures("feed_after_change_ms_per_meeting")
def feed_after_change(run) -> dict:
    from agmtool.extensions import db
    from agmtool.meetings import agms, feed_cache
    from agmtool.models import AGM

    run.rate([FEED], 20, concurrency=2)  # both workers hold the current feed
    times = []
    with run.app.app_context():
        agm_id = db.session.scalar(sa.select(AGM.id).where(AGM.local_date >= feed_cache.today())
                                   .order_by(AGM.id).limit(1))
        for n in range(9):
            agm = db.session.get(AGM, agm_id)
            agms.update_agm(agm, None, {"venue": f"Convention Centre, room {n}"}, agm.version)
            db.session.commit()
            times.append(run.rate([FEED], 1, concurrency=1)["results"][0]["ms"])
        db.session.remove()
    return {"feed_after_change_ms_per_meeting": Result(
        round(statistics.median(times) / MEETINGS, 4),
        f"the first request after each of {len(times)} edits: median {statistics.median(times):.0f}"
        f" ms, {min(times):.0f}-{max(times):.0f} ms, for {MEETINGS:,} meetings")}


@measures("agms_page_vs_static")
def meeting_list(run) -> dict:
    page = {"path": "/en/agms/"}
    _status, _headers, body = run.get(page["path"])
    static = {"path": run.put_static("agms.html", body)}
    run.rate([page, static], 40)
    ratio, ratios, page_rate, static_rate = run.ratio(
        lambda: run.rate([page], 300), lambda: run.rate([static], 300))
    busy = sorted(r["ms"] for r in run.rate([page], 500, concurrency=50)["results"])
    p99 = statistics.quantiles(busy, n=100)[98]
    return {"agms_page_vs_static": Result(
        round(ratio, 3), f"{page_rate:.0f} vs {static_rate:.0f} req/s, {len(body) / 1024:.0f} "
                         f"KiB a page; p99 {p99:.0f} ms at 50 at once", spread(ratios))}
