"""Public AGM pages under /<lang>/agms/ and the iCalendar feeds /calendar.ics and
/calendar/<company-slug>.ics, served from their caches (feed_cache) with ETags and no
cookies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime as http_date
from functools import lru_cache
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from babel.dates import format_timedelta
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    get_template_attribute,
    render_template,
    request,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from agmtool import i18n, links
from agmtool.extensions import db, limiter
from agmtool.meetings import agms, feed_cache, ical
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
    """Feeds are served without cookies, from their caches (feed_cache); the pages keep
    what they have formatted and rendered; the pages and feeds' blueprints."""
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = FeedsWithoutCookies()
    feed_cache.init_app(app)
    app.extensions["agm_views"] = {}
    app.extensions["agm_items"] = {}
    app.extensions["agm_subscribe"] = {}
    app.extensions["agm_listing"] = {}
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

PER_PAGE = 20


def in_how_long(moment: datetime, now: datetime | None = None,
                locale: str | None = None) -> str:
    """'in 12 days' / '3 days ago' in the reader's language (or ``locale``), counted in
    days."""
    seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    days = abs(seconds) / 86400
    # Rounded as Babel rounds, so that one wording per number of days is remembered.
    return _in_days(seconds >= 0, int(round(max(1, days))) if days else 0,
                    locale or i18n.format_locale())


@lru_cache(maxsize=2048)
def _in_days(future: bool, days: int, locale: str) -> str:
    return format_timedelta(timedelta(days=days if future else -days), granularity="day",
                            threshold=10_000, add_direction=True, locale=locale)


def meeting_view(agm: AGM) -> dict:
    """What the pages show of a meeting: its formatted times (worked out once per meeting,
    its sequence and the language, see _formatted) and how far off its deadlines are."""
    formatted = _formatted(agm)
    now, past = datetime.now(UTC), agm.local_date < today()
    return {
        **formatted,
        "agm": agm,
        "past": past,
        "time_not_recorded": ical.time_not_recorded(agm, past),
        "deadlines": [{**deadline, "in": in_how_long(deadline["instant"]),
                       "passed": deadline["instant"] < now}
                      for deadline in formatted["deadlines"]],
    }


def _formatted(agm: AGM) -> dict:
    """The meeting's dates and times as the reader's language writes them, remembered in
    this worker per meeting and language until the meeting's sequence moves on (a change a
    calendar shows, the company's name included), one entry each."""
    views = current_app.extensions["agm_views"]
    key, version = (agm.id, i18n.current_language()), (agm.sequence, agm.updated_at)
    found = views.get(key)
    if found is not None and found[0] == version:
        return found[1]
    start = agms.start_instant(agm)
    formatted = {
        "entity": agms.headline_entity(agm),
        "start": start,
        "times": i18n.format_meeting_time(start, agm.timezone) if start else [],
        "day": i18n.format_day(agm.local_date),
        "month": i18n.format_month(agm.local_date),
        "deadlines": [
            {"label": label, "when": i18n.format_in_zone(moment, agm.timezone),
             "instant": moment}
            for _key, label, moment in agms.deadlines(agm)
        ],
    }
    views[key] = (version, formatted)
    return formatted


@dataclass(frozen=True)
class Listed:
    """An upcoming meeting as the list sorts, filters and pages it."""
    id: int
    slug: str
    company: str
    month: str  # YYYY-MM of its local date
    local_date: date
    version: tuple  # its sequence and last change: what its formatted text depends on
    deadlines: tuple[datetime, ...]


@dataclass(frozen=True)
class Upcoming:
    meetings: list[Listed]  # in order
    companies: list[tuple[str, str]]  # (name, slug) of those with a meeting, by name
    months: list[str]  # YYYY-MM with a meeting, in order


def upcoming() -> Upcoming:
    """The upcoming meetings in order, read once per worker, calendar generation and day;
    the list filters and pages them in memory, and loads a meeting only to show it anew."""
    stamp = (agms.calendar_generation(), today())
    kept = current_app.extensions["agm_listing"]
    if kept.get("stamp") != stamp:
        rows = db.session.execute(
            sa.select(AGM.id, AGM.sequence, AGM.updated_at, AGM.local_date, AGM.local_time,
                      AGM.timezone, AGM.fold, AGM.questions_deadline, AGM.proxy_deadline,
                      AGM.registration_deadline, Company.slug, Company.name)
            .join(Company, Company.id == AGM.company_id)
            .where(AGM.local_date >= today() - timedelta(days=1))).all()
        listed = [Listed(row.id, row.slug, row.name, row.local_date.strftime("%Y-%m"),
                         row.local_date, (row.sequence, row.updated_at),
                         tuple(moment for _key, _label, moment in agms.deadlines(row)))
                  for row in agms.in_order(rows)]
        shown = {row.id for row in listed}
        for name in ("agm_views", "agm_items"):
            kept_views = current_app.extensions[name]
            for key in [key for key in kept_views if key[0] not in shown]:
                kept_views.pop(key, None)  # past meetings are not listed again
        kept.update(stamp=stamp, upcoming=Upcoming(
            listed, sorted({(row.company, row.slug) for row in listed}),
            sorted({row.month for row in listed})))
    return kept["upcoming"]


def list_items(rows: list[Listed]) -> list[Markup]:
    """Each meeting of a page as the list shows it, rendered once per meeting and language
    and kept in this worker until the meeting changes, its day passes, or a deadline's
    distance ("in 12 days", "passed") reads differently; only meetings to render anew are
    loaded."""
    items = current_app.extensions["agm_items"]
    lang, locale, now, day = (i18n.current_language(), i18n.format_locale(),
                              datetime.now(UTC), today())
    keys = {row.id: (row.version, row.local_date < day,
                     tuple((in_how_long(moment, now, locale), moment < now)
                           for moment in row.deadlines))
            for row in rows}
    stale = [row.id for row in rows
             if items.get((row.id, lang), (None,))[0] != keys[row.id]]
    if stale:
        render = get_template_attribute("agms/_meeting.html", "list_item")
        loaded = db.session.scalars(
            sa.select(AGM).where(AGM.id.in_(stale))
            .options(joinedload(AGM.company), joinedload(AGM.listing))).unique().all()
        # A note's translation approved, or no longer readable, raises the meeting's
        # sequence (agms.note_translation_changed), so the key above covers it too.
        notes = agms.public_notes(loaded, lang)
        for agm in loaded:
            items[(agm.id, lang)] = (keys[agm.id], render(meeting_view(agm), notes.get(agm.id)))
    return [items[(row.id, lang)][1] for row in rows if (row.id, lang) in items]


@lru_cache(maxsize=512)
def _month_name(month: str, _locale: str) -> str:
    """'May 2027' for '2027-05' in the current locale (the argument keys the memory)."""
    return i18n.format_month(datetime.strptime(month, "%Y-%m").date())


def subscribe_section() -> Markup:
    """The list's links to subscribe to every meeting, rendered once per language and
    base URL."""
    kept = current_app.extensions["agm_subscribe"]
    key = (i18n.current_language(), current_app.config.get("BASE_URL") or request.host_url)
    if key not in kept:
        kept[key] = get_template_attribute("agms/_subscribe.html", "subscribe")(
            subscribe_links(), _("Add every meeting to your calendar"))
    return kept[key]


@bp.get("/")
def index():
    found = upcoming()
    company = request.args.get("company", "")
    company = company if company in {slug for _name, slug in found.companies} else ""
    month = request.args.get("month", "")
    month = month if month in found.months else ""
    chosen = found.meetings if not (company or month) else [
        row for row in found.meetings
        if (not company or row.slug == company) and (not month or row.month == month)]
    pages = max(1, -(-len(chosen) // PER_PAGE))
    page = min(links.number(request.args.get("page"), 1), pages)
    locale = i18n.format_locale()
    return render_template(
        "agms/index.html", items=list_items(chosen[(page - 1) * PER_PAGE:page * PER_PAGE]),
        subscribe=subscribe_section(), companies=found.companies, company=company,
        total=len(chosen), months=[(value, _month_name(value, locale)) for value in found.months],
        month=month, page=page, pages=pages, any_meetings=bool(found.meetings),
        args={key: value for key, value in (("company", company), ("month", month)) if value})


@bp.get("/<int:agm_id>")
def detail(agm_id: int):
    agm = db.session.get(AGM, agm_id) or abort(404)
    note = agms.public_notes([agm], i18n.current_language()).get(agm.id)
    return render_template("agms/detail.html", m=meeting_view(agm), note=note,
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
