"""Pure: meetings -> iCalendar bytes, built with the icalendar library, one meeting at a time.

Times are written in UTC (``DTSTART:20250403T100000Z``): every calendar application reads
UTC the same way, so no VTIMEZONE can be out of date or misread. The meeting's own local
time, and London's, are spelled out in the DESCRIPTION. A meeting whose time is not known
yet is an all-day event on its local date.

Each meeting's serialized events are cached by (id, sequence, updated_at, language,
deadlines, base URL): a feed is the calendar's head, then those cached bytes, then its end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event, vDuration

from agmtool import agms, i18n
from agmtool.models import AGM, AGMStatus, MeetingFormat

PRODID = "-//agmtool//AGM calendar//EN"
REFRESH = timedelta(hours=12)
DEADLINE_LENGTH = timedelta(minutes=30)
REMINDER_BEFORE = timedelta(days=1)
# Keeps the per-process cache of serialized events bounded.
EVENT_CACHE_LIMIT = 50_000

# C0 and C1 controls except tab and newline, DEL, lone surrogates and non-characters: none
# belongs in calendar text, and some (NUL) break parsers or databases.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(text: str | None) -> str:
    """Text from the database made safe for a calendar: line ends normalised to \\n, control
    characters removed. icalendar then escapes what remains (commas, semicolons, newlines)."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNWANTED.sub("", text).strip()


@dataclass(frozen=True)
class FeedOptions:
    lang: str
    deadlines: bool
    base_url: str  # absolute, without a trailing slash
    uid_domain: str
    name: str
    description: str


def page_url(agm: AGM, options: FeedOptions) -> str:
    return f"{options.base_url}/{options.lang}/agms/{agm.id}"


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def status_value(agm: AGM) -> str:
    if agm.status == AGMStatus.CANCELLED:
        return "CANCELLED"
    return "TENTATIVE" if agm.status == AGMStatus.EXPECTED else "CONFIRMED"


def summary(agm: AGM) -> str:
    title = _("%(entity)s: %(meeting)s", entity=clean(agms.headline_entity(agm)),
              meeting=agm.kind.label)
    if agm.status == AGMStatus.CANCELLED:
        return _("Cancelled: %(title)s", title=title)
    if agm.status == AGMStatus.POSTPONED:
        return _("Postponed: %(title)s", title=title)
    if agm.status == AGMStatus.EXPECTED:
        return _("%(title)s (date not yet announced)", title=title)
    return title


def location(agm: AGM) -> str:
    parts = [clean(agm.venue), clean(agm.address)]
    text = "\n".join(part for part in parts if part)
    if not text and agm.format == MeetingFormat.ONLINE:
        return _("Online")
    return text


def description(agm: AGM, options: FeedOptions) -> str:
    lines = [_("Status: %(status)s", status=agm.status.label)]
    if agm.status_note:
        lines.append(clean(agm.status_note))
    start = agms.start_instant(agm)
    if start is None:
        lines.append(_("%(day)s. Time to be announced.", day=i18n.format_day(agm.local_date)))
    else:
        lines.extend(i18n.format_meeting_time(start, agm.timezone))
    if agm.format is not None:
        lines.append(_("Format: %(format)s", format=agm.format.label))
    if agm.webcast_url:
        lines.append(_("Webcast: %(link)s", link=clean(agm.webcast_url)))
    found = agms.deadlines(agm)
    if found:
        lines.append(_("Deadlines:"))
        lines.extend(f"- {label}: {i18n.format_in_zone(moment, agm.timezone)}"
                     for _key, label, moment in found)
    lines.append(_("Details: %(link)s", link=page_url(agm, options)))
    return "\n".join(lines)


def meeting_components(agm: AGM, options: FeedOptions) -> list[Event]:
    """The meeting's event, then one short event per deadline (unless left out)."""
    stamp = _aware(agm.updated_at)
    url = page_url(agm, options)
    event = Event()
    event.add("uid", f"agm-{agm.id}@{options.uid_domain}")
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", agm.sequence)
    start = agms.start_instant(agm)
    if start is None:
        event.add("dtstart", agm.local_date)
        event.add("dtend", agm.local_date + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        event.add("dtstart", start)
        event.add("dtend", agms.end_instant(agm))
    event.add("summary", summary(agm))
    place = location(agm)
    if place:
        event.add("location", place)
    event.add("description", description(agm, options))
    event.add("url", url)
    event.add("status", status_value(agm))
    event.add("class", "PUBLIC")
    events = [event]
    if not options.deadlines:
        return events
    title = clean(agms.headline_entity(agm))
    for key, label, moment in agms.deadlines(agm):
        deadline = Event()
        deadline.add("uid", f"agm-{agm.id}-deadline-{key}@{options.uid_domain}")
        deadline.add("dtstamp", stamp)
        deadline.add("last-modified", stamp)
        deadline.add("sequence", agm.sequence)
        deadline.add("dtstart", moment)
        deadline.add("dtend", moment + DEADLINE_LENGTH)
        text = _("Deadline: %(deadline)s (%(entity)s, %(meeting)s)", deadline=label,
                 entity=title, meeting=agm.kind.label)
        if agm.status == AGMStatus.CANCELLED:
            text = _("Cancelled: %(title)s", title=text)
        deadline.add("summary", text)
        deadline.add("description", "\n".join([
            i18n.format_in_zone(moment, agm.timezone),
            _("Details: %(link)s", link=url),
        ]))
        deadline.add("url", url)
        deadline.add("status", status_value(agm))
        deadline.add("class", "PUBLIC")
        if agm.status != AGMStatus.CANCELLED:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", text)
            alarm.add("trigger", -REMINDER_BEFORE)
            deadline.add_component(alarm)
        events.append(deadline)
    return events


def meeting_bytes(agm: AGM, options: FeedOptions) -> bytes:
    return b"".join(component.to_ical() for component in meeting_components(agm, options))


def calendar_head(options: FeedOptions) -> tuple[bytes, bytes]:
    """The calendar's own lines, split where the events go."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", options.name)
    cal.add("x-wr-calname", options.name)
    cal.add("description", options.description)
    cal.add("x-wr-caldesc", options.description)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    whole = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    if not whole.endswith(end):
        raise ValueError("icalendar ended the calendar in an unexpected way")
    return whole[: -len(end)], end


def calendar_bytes(meetings: Iterable[AGM], options: FeedOptions,
                   event_cache: dict | None = None) -> bytes:
    """The whole feed. Call inside flask_babel.force_locale(options.lang)."""
    head, end = calendar_head(options)
    parts = [head]
    for agm in meetings:
        key = (agm.id, agm.sequence, agm.updated_at, options)
        chunk = event_cache.get(key) if event_cache is not None else None
        if chunk is None:
            chunk = meeting_bytes(agm, options)
            if event_cache is not None:
                if len(event_cache) >= EVENT_CACHE_LIMIT:
                    event_cache.clear()
                event_cache[key] = chunk
        parts.append(chunk)
    parts.append(end)
    return b"".join(parts)
