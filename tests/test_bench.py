"""The bench's pieces that the app carries: its endpoints exist only under the bench's own
flag; its figures are the keys of bench-results.json; its cold build starts from nothing."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from agmtool import bench, i18n
from agmtool.models import Concern, ConcernTopic, FeedEvent, History, Translation


def test_the_production_configuration_has_no_bench_endpoint(client):
    assert client.get("/bench/static/empty.txt").status_code == 404
    assert client.post("/bench/insert").status_code == 404
    assert [rule.rule for rule in client.application.url_map.iter_rules()
            if rule.rule.startswith("/bench")] == []


@pytest.fixture
def bench_app(app, tmp_path):
    from agmtool import create_app
    from agmtool.extensions import db as shared_db

    (tmp_path / "feed.ics").write_bytes(b"BEGIN:VCALENDAR\r\n")
    bench = create_app({**app.config, "BENCH_ENDPOINTS": True,
                        "BENCH_STATIC_DIR": str(tmp_path)})
    yield bench
    # Its own engine: closed here, or PostgreSQL's connections are collected in a later test.
    with bench.app_context():
        shared_db.engine.dispose()


def test_the_bench_serves_its_baseline_files(bench_app):
    response = bench_app.test_client().get("/bench/static/feed.ics")
    served = (response.status_code, response.data)
    response.close()
    assert served == (200, b"BEGIN:VCALENDAR\r\n")


def test_the_bench_insert_writes_one_row_in_each_table_a_submission_writes(bench_app, db):
    response = bench_app.test_client().post("/bench/insert", data={"body": "x"})
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(model))
              for model in (Concern, ConcernTopic, Translation, History)]
    assert (response.status_code, response.text, counts) == (200, "ok", [1, 1, 1, 1])


def test_a_measure_names_only_figures_of_the_results_file():
    with pytest.raises(KeyError, match="not a figure of bench-results.json: feed_uncached"):
        bench.measures("feed_uncached_ms_per_event")


def test_the_cold_feed_figure_starts_with_no_stored_event_and_no_remembered_format(
        app, db, make_agm):
    from agmtool.bench import feeds

    day = datetime.now(UTC).date() + timedelta(days=30)
    make_agm(local_date=day, proxy_deadline=datetime.combine(day - timedelta(2), time(10)))
    i18n._full_date(date(1900, 1, 1), "en")  # left over from an earlier build
    result = feeds.cold_feed(SimpleNamespace(app=app))["feed_cold_ms_per_meeting"]
    assert result.value > 0
    # What one build from nothing leaves: the meeting's days and times, not 1900's.
    assert i18n._full_date.cache_info().currsize == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedEvent)) == 1
