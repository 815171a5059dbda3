"""Public AGM pages under /<lang>/agms/ and the iCalendar feeds /calendar.ics and
/calendar/<company-slug>.ics, served from their caches (feed_cache) with ETags and no
cookies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import format_datetime as http_date
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from babel.dates import format_timedelta
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    render_template,
    request,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _

from agmtool import i18n, links
from agmtool.extensions import db, limiter
from agmtool.meetings import agms, feed_cache
from agmtool.models import AGM, Company

bp = Blueprint("agms", __name__, url_prefix="/<lang>/agms")
i18n.add_language_prefix(bp)
feeds = Blueprint("feeds", __name__)

FEED_MAX_AGE = 900
FEED_ENDPOINTS = {"feeds.all_meetings", "feeds.company_meetings"}


class FeedsWithoutCookies(SecureCookieSessionInterface):
    """The default session interface, except that a feed response never sets, refreshes or
    deletes a cookie (and so never varies by one): calendars and caches share feeds."""

    def save_session(self, app, session, response):
        if request.endpoint in FEED_ENDPOINTS:
            return None
        return super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = FeedsWithoutCookies()
    feed_cache.init_app(app)
    app.add_template_filter(utc_iso)
    app.register_blueprint(bp)
    app.register_blueprint(feeds)


def today() -> date:
    return datetime.now(UTC).date()


# --- links to subscribe ------------------------------------------------------------------

def feed_url(company: Company | None = None, lang: str | None = None) -> str:
    lang = lang or i18n.current_language()
    if company is None:
        return links.external_url("feeds.all_meetings", lang=lang)
    return links.external_url("feeds.company_meetings", slug=company.slug, lang=lang)


def subscribe_links(company: Company | None = None) -> dict[str, str]:
    https = feed_url(company)
    webcal = "webcal://" + https.split("://", 1)[1]
    name = (_("AGMs: %(company)s", company=company.name) if company is not None
            else _("Mining company AGMs"))
    return {
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
                   + urlencode({"url": https, "name": name}, quote_via=quote),
        "download": https,
        "name": name,
    }


# --- pages -------------------------------------------------------------------------------

def in_how_long(moment: datetime) -> str:
    """'in 12 days' / '3 days ago' in the reader's language, counted in days."""
    return format_timedelta(moment - datetime.now(UTC), granularity="day", threshold=10_000,
                            add_direction=True, locale=i18n.format_locale())


def meeting_view(agm: AGM) -> dict:
    start = agms.start_instant(agm)
    now = datetime.now(UTC)
    return {
        "agm": agm,
        "entity": agms.headline_entity(agm),
        "start": start,
        "times": i18n.format_meeting_time(start, agm.timezone) if start else [],
        "day": i18n.format_day(agm.local_date),
        "month": i18n.format_month(agm.local_date),
        "past": agm.local_date < today(),
        "deadlines": [
            {"label": label, "when": i18n.format_in_zone(moment, agm.timezone),
             "in": in_how_long(moment), "passed": moment < now, "instant": moment}
            for _key, label, moment in agms.deadlines(agm)
        ],
    }


@bp.get("/")
def index():
    meetings = [meeting_view(agm) for agm in agms.upcoming(today())]
    return render_template("agms/index.html", meetings=meetings, links=subscribe_links())


@bp.get("/<int:agm_id>")
def detail(agm_id: int):
    agm = db.session.get(AGM, agm_id) or abort(404)
    return render_template("agms/detail.html", m=meeting_view(agm),
                           links=subscribe_links(agm.company), all_links=subscribe_links())


# --- feeds -------------------------------------------------------------------------------

def _feed_language() -> str:
    lang = request.args.get("lang", "")
    return lang if lang in i18n.languages() else current_app.config["DEFAULT_LANGUAGE"]


def _feed_response(company: Company | None, scope: str):
    feed = feed_cache.feed(company, _feed_language(), request.args.get("deadlines") != "0")
    headers = {
        "ETag": f'"{feed.etag}"',
        "Last-Modified": http_date(feed.last_modified, usegmt=True),
        "Cache-Control": f"public, max-age={FEED_MAX_AGE}",
    }
    if feed.etag in request.if_none_match:
        return Response(status=304, headers=headers)
    response = Response(feed.body, headers=headers, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{scope}.ics"'
    return response


@feeds.get("/calendar.ics")
@limiter.exempt
def all_meetings():
    return _feed_response(None, "agms")


@feeds.get("/calendar/<slug>.ics")
@limiter.exempt
def company_meetings(slug: str):
    company = db.session.scalar(sa.select(Company).where(Company.slug == slug))
    if company is None:
        abort(404)
    return _feed_response(company, f"agms-{company.slug}")


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
