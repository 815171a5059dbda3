"""Pure: meetings -> iCalendar bytes, built with the icalendar library, one meeting at a time.

Times are written in UTC (``DTSTART:20250403T100000Z``): every calendar application reads
UTC the same way, so no VTIMEZONE can be out of date or misread. The meeting's own local
time, and London's, are spelled out in the DESCRIPTION. A meeting whose time is not known
yet is an all-day event on its local date.

A feed is the calendar's head, then each meeting's serialized events, then its end, so
that a meeting's bytes can be kept and reused on their own (agmtool.meetings.feed_cache).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event, vDDDTypes, vDuration, vInt, vText, vUri

from agmtool import i18n
from agmtool.meetings import agms
from agmtool.models import AGM, AGMStatus, MeetingFormat, MeetingKind

PRODID = "-//agmtool//AGM calendar//EN"
REFRESH = timedelta(hours=12)
DEADLINE_LENGTH = timedelta(minutes=30)
REMINDER_BEFORE = timedelta(days=1)

# Unicode's own line and paragraph separators and NEL: calendar applications treat them
# variously (some drop them, some break the line), and plain_text would drop NEL and join
# the words either side. They become the line break the writer meant.
_LINE_SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\x85": "\n"})


def clean(text: str | None) -> str:
    """Text from the database made safe for a calendar: line ends normalised to \\n, control
    characters removed. icalendar then escapes what remains (commas, semicolons, newlines)."""
    return agms.plain_text((text or "").translate(_LINE_SEPARATORS)).strip()


def one_line(text: str | None) -> str:
    """``text`` cleaned, every run of spaces and line breaks one space: for titles."""
    return " ".join(clean(text).split())


@dataclass(frozen=True)
class FeedOptions:
    lang: str
    deadlines: bool
    base_url: str  # absolute, without a trailing slash
    uid_domain: str
    name: str
    description: str
    reference_zone: str  # config REFERENCE_TIMEZONE: London, where the companies are listed


class Words:
    """Every fixed text of a feed, translated once per feed rather than once per event, and
    dates and places formatted as agmtool.i18n formats them, remembered between events."""

    def __init__(self, lang: str, reference_zone: str):
        self.reference_zone = reference_zone
        self.status = {member: str(member.label) for member in AGMStatus}
        self.kind = {member: str(member.label) for member in MeetingKind}
        self.format = {member: str(member.label) for member in MeetingFormat}
        self.deadline = {key: str(label) for _attr, key, label in agms.DEADLINES}
        # Without arguments gettext returns the translated template, filled in below.
        self.title = _("%(entity)s: %(meeting)s")
        self.cancelled = _("Cancelled: %(title)s")
        self.postponed = _("Postponed: %(title)s")
        self.expected = _("%(title)s (date not yet announced)")
        self.online = _("Online")
        self.note_pending = _("A translation into your language is on its way. Until then, "
                              "here it is as our team wrote it.")
        self.status_line = _("Status: %(status)s")
        self.to_be_announced = _("%(day)s. Time to be announced.")
        self.not_recorded = _("%(day)s. The time was not recorded.")
        self.estimated = _("Expected around %(month)s: the company has not announced the "
                           "date yet.")
        self.was_estimated = _("It was expected around %(month)s.")
        self._months: dict[tuple[int, int], str] = {}
        self.format_line = _("Format: %(format)s")
        self.webcast = _("Webcast: %(link)s")
        self.deadlines = _("Deadlines:")
        self.deadlines_tbc = _("Deadlines, to be confirmed (set before the meeting was "
                               "postponed):")
        self.to_be_confirmed = _("To be confirmed: %(title)s")
        self.details = _("Details: %(link)s")
        self.deadline_title = _("Deadline: %(deadline)s (%(entity)s, %(meeting)s)")

    def day(self, day: date) -> str:
        return i18n.format_day(day)

    def month(self, day: date) -> str:
        key = (day.year, day.month)
        if key not in self._months:
            self._months[key] = i18n.format_month(day)
        return self._months[key]

    def in_zone(self, moment: datetime, zone: str) -> str:
        return i18n.format_in_zone(moment, zone)

    def meeting_time(self, moment: datetime, zone: str) -> list[str]:
        return i18n.format_meeting_time(moment, zone, self.reference_zone)


def clear_caches() -> None:
    """Forget every remembered formatted date, time and city (for honest benchmarks)."""
    i18n.clear_format_caches()


def page_url(agm: AGM, options: FeedOptions) -> str:
    return f"{options.base_url}/{options.lang}/agms/{agm.id}"


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def status_value(agm: AGM) -> str:
    """CANCELLED; TENTATIVE while the date is expected, or while a postponed meeting has no
    new start time (agms.postpone drops the old one); else CONFIRMED."""
    if agm.status == AGMStatus.CANCELLED:
        return "CANCELLED"
    if agm.status == AGMStatus.EXPECTED or (
            agm.status == AGMStatus.POSTPONED and agm.local_time is None):
        return "TENTATIVE"
    return "CONFIRMED"


def summary(agm: AGM, words: Words) -> str:
    title = words.title % {"entity": one_line(agms.headline_entity(agm)),
                           "meeting": words.kind[agm.kind]}
    if agm.status == AGMStatus.CANCELLED:
        return words.cancelled % {"title": title}
    if agm.status == AGMStatus.POSTPONED:
        return words.postponed % {"title": title}
    if agm.status == AGMStatus.EXPECTED:
        return words.expected % {"title": title}
    return title


def location(agm: AGM, words: Words) -> str:
    parts = [clean(agm.venue), clean(agm.address)]
    text = "\n".join(part for part in parts if part)
    if not text and agm.format == MeetingFormat.ONLINE:
        return words.online
    return text


def as_written(agm: AGM) -> agms.PublicNote | None:
    """The meeting's public note as staff wrote it (a feed built without translations)."""
    return agms.PublicNote(agm.status_note, agm.status_note_language) if agm.status_note \
        else None


def description(agm: AGM, options: FeedOptions, words: Words, start, found,
                past: bool = False, note: agms.PublicNote | None = None) -> str:
    lines = [words.status_line % {"status": words.status[agm.status]}]
    if note is not None:
        lines.append(clean(note.text))
        if note.pending:
            lines.append(words.note_pending)
    if agm.date_estimated:
        said = words.was_estimated if agm.status == AGMStatus.CANCELLED else words.estimated
        lines.append(said % {"month": words.month(agm.local_date)})
    elif start is None:
        said = words.not_recorded if time_not_recorded(agm, past) else words.to_be_announced
        lines.append(said % {"day": words.day(agm.local_date)})
    else:
        lines.extend(words.meeting_time(start, agm.timezone))
    if agm.format is not None:
        lines.append(words.format_line % {"format": words.format[agm.format]})
    if agm.webcast_url:
        lines.append(words.webcast % {"link": clean(agm.webcast_url)})
    if found:
        lines.append(words.deadlines_tbc if deadlines_unconfirmed(agm) else words.deadlines)
        lines.extend(f"- {words.deadline[key]}: {words.in_zone(moment, agm.timezone)}"
                     for key, _label, moment in found)
    lines.append(words.details % {"link": page_url(agm, options)})
    return "\n".join(lines)


# Values every deadline's reminder shares: icalendar only reads a value to serialize it.
_DISPLAY = vText("DISPLAY")
_TRIGGER = vDDDTypes(-REMINDER_BEFORE)
_TRANSPARENT = vText("TRANSPARENT")
_TENTATIVE = vText("TENTATIVE")


def _event(uid: str, stamp: vDDDTypes, sequence: vInt) -> Event:
    # Properties are set as icalendar's typed values directly: the same output as
    # Event.add, at half the cost, which counts when a feed is built from scratch. The
    # meeting's stamp and sequence values are built once and shared by all its events.
    event = Event()
    event["UID"] = vText(uid)
    event["DTSTAMP"] = stamp
    event["LAST-MODIFIED"] = stamp
    event["SEQUENCE"] = sequence
    return event


def deadlines_unconfirmed(agm: AGM) -> bool:
    """The old deadlines of a postponed meeting, not yet confirmed (cancelling ends that)."""
    return agm.deadlines_to_be_confirmed and agm.status != AGMStatus.CANCELLED


def time_not_recorded(agm: AGM, past: bool) -> bool:
    """A past meeting without a time: no time will be announced any more. A postponed one
    still waits for its new slot."""
    return past and agm.local_time is None and agm.status != AGMStatus.POSTPONED


def meeting_components(agm: AGM, options: FeedOptions, words: Words | None = None,
                       past: bool = False, note: agms.PublicNote | None = None) -> list[Event]:
    """The meeting's event, then one short event per deadline (unless left out). ``past``:
    the meeting's day is over; ``note``: the public note in the feed's language (see
    agms.public_notes), None for the note as written."""
    words = words or Words(options.lang, options.reference_zone)
    note = note or as_written(agm)
    stamp = vDDDTypes(_aware(agm.updated_at))
    sequence = vInt(agm.sequence)
    url = vUri(page_url(agm, options))
    status = vText(status_value(agm))
    # An estimated date is a whole day at most: a time on it would be invented twice over.
    start = None if agm.date_estimated else agms.start_instant(agm)
    found = agms.deadlines(agm)
    event = _event(f"agm-{agm.id}@{options.uid_domain}", stamp, sequence)
    if start is None:
        event["DTSTART"] = vDDDTypes(agm.local_date)
        event["DTEND"] = vDDDTypes(agm.local_date + timedelta(days=1))
        event["TRANSP"] = _TRANSPARENT
    else:
        event["DTSTART"] = vDDDTypes(start)
        event["DTEND"] = vDDDTypes(agms.end_instant(agm))
    event["SUMMARY"] = vText(summary(agm, words))
    place = location(agm, words)
    if place:
        event["LOCATION"] = vText(place)
    event["DESCRIPTION"] = vText(description(agm, options, words, start, found, past, note))
    event["URL"] = url
    event["STATUS"] = status
    events = [event]
    if not options.deadlines:
        return events
    title = one_line(agms.headline_entity(agm))
    unconfirmed = deadlines_unconfirmed(agm)
    for key, _label, moment in found:
        deadline = _event(f"agm-{agm.id}-deadline-{key}@{options.uid_domain}", stamp,
                          sequence)
        deadline["DTSTART"] = vDDDTypes(moment)
        deadline["DTEND"] = vDDDTypes(moment + DEADLINE_LENGTH)
        text = words.deadline_title % {"deadline": words.deadline[key], "entity": title,
                                       "meeting": words.kind[agm.kind]}
        if agm.status == AGMStatus.CANCELLED:
            text = words.cancelled % {"title": text}
        elif unconfirmed:
            text = words.to_be_confirmed % {"title": text}
        deadline["SUMMARY"] = vText(text)
        deadline["DESCRIPTION"] = vText("\n".join([
            words.in_zone(moment, agm.timezone), words.details % {"link": url}]))
        deadline["URL"] = url
        deadline["STATUS"] = _TENTATIVE if unconfirmed else status
        if agm.status != AGMStatus.CANCELLED:
            alarm = Alarm()
            alarm["ACTION"] = _DISPLAY
            alarm["DESCRIPTION"] = deadline["SUMMARY"]
            alarm["TRIGGER"] = _TRIGGER
            deadline.add_component(alarm)
        events.append(deadline)
    return events


def meeting_bytes(agm: AGM, options: FeedOptions, words: Words | None = None,
                  past: bool = False, note: agms.PublicNote | None = None) -> bytes:
    return b"".join(component.to_ical(sorted=False)
                    for component in meeting_components(agm, options, words, past, note))


def calendar_head(options: FeedOptions) -> tuple[bytes, bytes]:
    """The calendar's own lines, split where the events go."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # Typed as text, so that icalendar escapes them: it passes NAME (RFC 7986) and X- values
    # through raw, line breaks included.
    for key in ("name", "x-wr-calname"):
        cal.add(key, vText(options.name))
    for key in ("description", "x-wr-caldesc"):
        cal.add(key, vText(options.description))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    whole = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    if not whole.endswith(end):
        raise ValueError("icalendar ended the calendar in an unexpected way")
    return whole[: -len(end)], end


def calendar_bytes(meetings: Iterable[AGM], options: FeedOptions,
                   today: date | None = None,
                   notes: dict[int, agms.PublicNote] | None = None) -> bytes:
    """The whole feed on ``today`` (UTC; default: now). Call inside
    flask_babel.force_locale(options.lang). ``notes``: the meetings' public notes in the
    feed's language (agms.public_notes); None, as written."""
    today = today or datetime.now(UTC).date()
    head, end = calendar_head(options)
    words = Words(options.lang, options.reference_zone)
    # A meeting reads differently once its day is over, unchanged in the database.
    return b"".join([head, *(meeting_bytes(
        agm, options, words, agm.local_date < today,
        notes.get(agm.id) if notes is not None else as_written(agm)) for agm in meetings),
        end])
