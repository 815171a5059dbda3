"""Domain: companies, their listings and sites, and their meetings (create, edit, postpone,
cancel), with local times checked against each meeting's IANA zone. CSV import: csv_import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache as memoize
from functools import lru_cache
from itertools import chain
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from babel.core import get_global
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import event
from sqlalchemy.orm import Session

from agmtool import history
from agmtool.database import claim, upsert
from agmtool.extensions import db
from agmtool.i18n import format_number
from agmtool.models import (
    AGM,
    AGMStatus,
    CalendarState,
    Company,
    Listing,
    MeetingFormat,
    MeetingKind,
    Question,
    QuestionProcess,
    Translation,
    User,
    utcnow,
)
from agmtool.text import clean_text, is_web_link

# A meeting's deadlines: (attribute on AGM, key used in UIDs and URLs, label).
DEADLINES = (
    ("questions_deadline", "questions", _l("Written questions")),
    ("proxy_deadline", "proxy", _l("Proxy appointment")),
    ("registration_deadline", "registration", _l("Registration")),
)

# What a status may become. Postponing and cancelling have their own functions because
# they need a note; every status change goes through change_status.
TRANSITIONS: dict[AGMStatus, set[AGMStatus]] = {
    AGMStatus.EXPECTED: {AGMStatus.ANNOUNCED, AGMStatus.CONFIRMED, AGMStatus.POSTPONED,
                         AGMStatus.CANCELLED},
    AGMStatus.ANNOUNCED: {AGMStatus.EXPECTED, AGMStatus.CONFIRMED, AGMStatus.POSTPONED,
                          AGMStatus.CANCELLED},
    AGMStatus.CONFIRMED: {AGMStatus.ANNOUNCED, AGMStatus.POSTPONED, AGMStatus.CANCELLED},
    AGMStatus.POSTPONED: {AGMStatus.ANNOUNCED, AGMStatus.CONFIRMED, AGMStatus.POSTPONED,
                          AGMStatus.CANCELLED},
    # A cancelled meeting that is called again is announced afresh (see reinstate).
    AGMStatus.CANCELLED: {AGMStatus.ANNOUNCED, AGMStatus.EXPECTED},
}

# Fields a subscribed calendar shows: changing one bumps the sequence. ``notes`` is not one.
CALENDAR_FIELDS = (
    "company_id", "listing_id", "kind", "local_date", "local_time", "timezone", "fold",
    "duration_minutes", "venue", "address", "format", "webcast_url", "questions_deadline",
    "proxy_deadline", "registration_deadline", "deadlines_to_be_confirmed", "status",
    "status_note", "status_note_language",
)
EDITABLE_FIELDS = (*CALENDAR_FIELDS, "notes")

# The most characters each text takes: the one definition the form, the CSV import and
# check_meeting read. Venue and link are as long as their columns.
TEXT_CAPS = {
    "venue": AGM.__table__.c.venue.type.length,
    "address": 2000,
    "webcast_url": AGM.__table__.c.webcast_url.type.length,
    "status_note": 1000,
    "notes": 5000,
}
# Texts written on one line: a line break in them is a space.
ONE_LINE = ("venue", "webcast_url")

DEFAULT_DURATION_MINUTES = 120


class Invalid(ValueError):
    """Input the domain refuses: ``errors`` maps a field name to translated messages."""

    def __init__(self, errors: dict[str, list]):
        super().__init__(sorted(errors))  # the messages are lazy: translated when shown
        self.errors = errors


# Passed as ``seen_version`` by code that edits without a user who saw a version (scripts,
# the command line): the record's current version. A view always passes what the user saw.
UNCHECKED = "unchecked"


def _seen(record, seen_version) -> int:
    if seen_version is None:
        raise TypeError("seen_version is required: the version the user saw, or UNCHECKED")
    return record.version if seen_version == UNCHECKED else seen_version


def _company(value) -> str:
    company = db.session.get(Company, value)
    return company.name if company else str(value)


def _listing(value) -> str:
    listing = db.session.get(Listing, value)
    return listing.entity_name if listing else str(value)


# How a meeting's history reads (registered by agmtool.meetings.init_app): the labels of
# the meeting form, so that a field is called the same on the form and in its history.
HISTORY = history.Labels(
    fields={
        "ref": _l("Reference"),
        "company_id": _l("Company"),
        "company": _l("Company"),
        "listing_id": _l("Listed entity holding the meeting"),
        "kind": _l("Kind of meeting"),
        "local_date": _l("Date (local)"),
        "local_time": _l("Start time (local)"),
        "timezone": _l("Timezone"),
        "fold": _l("If the time happens twice (clocks going back)"),
        "duration_minutes": _l("Duration in minutes"),
        "venue": _l("Venue"),
        "address": _l("Address"),
        "format": _l("Format"),
        "webcast_url": _l("Webcast or platform link"),
        "questions_deadline": _l("Deadline for written questions (local)"),
        "proxy_deadline": _l("Deadline for proxy appointment (local)"),
        "registration_deadline": _l("Deadline for registration (local)"),
        "deadlines_to_be_confirmed": _l("Deadlines to be confirmed"),
        "status": _l("Status"),
        "date_estimated": _l("Date not yet announced"),
        "status_note": _l("Public note"),
        "status_note_language": _l("The public note is written in"),
        "notes": _l("Private notes (staff only, never published)"),
        # What the questions and the pack need (edited on the meeting's briefing page).
        "question_seconds": _l("Time the company gives one question, in seconds"),
        "question_process": _l("How the company takes questions"),
        "practical_notes": _l("Practical notes for the people attending"),
        "sources": _l("Sources"),
    },
    actions={
        "postponed": lazy_pgettext("history action", "Postponed"),
        "cancelled": lazy_pgettext("history action", "Cancelled"),
        "reinstated": lazy_pgettext("history action", "Reinstated"),
        "deleted": lazy_pgettext("history action", "Deleted"),
        "imported": lazy_pgettext("history action", "Imported from a CSV file"),
        "company_changed": lazy_pgettext("history action",
                                         "The company's name or listings changed"),
        "source_added": lazy_pgettext("history action", "Source added"),
        "source_removed": lazy_pgettext("history action", "Source removed"),
    },
    enums={"status": AGMStatus, "kind": MeetingKind, "format": MeetingFormat,
           "question_process": QuestionProcess},
    values={"local_date": history.day, "local_time": history.wall_clock,
            "questions_deadline": history.wall_clock, "proxy_deadline": history.wall_clock,
            "registration_deadline": history.wall_clock, "company_id": _company,
            "listing_id": _listing},
)


# --- zones and instants ------------------------------------------------------------------

# Where London-listed mining companies hold their meetings: offered first in the zone menu.
USUAL_ZONES = (
    "Europe/London", "Europe/Zurich", "Australia/Perth", "Australia/Melbourne",
    "Australia/Sydney", "Australia/Adelaide", "Australia/Brisbane", "Africa/Johannesburg",
    "America/Toronto", "America/Santiago", "America/Lima", "America/Bogota",
    "America/Sao_Paulo", "Asia/Jakarta", "Asia/Jayapura",
)


@memoize
def zone_names() -> tuple[str, ...]:
    """The zone menu: the usual AGM zones, then every other place-based IANA zone under its
    current name (no Etc/ zones, no legacy aliases such as Asia/Calcutta)."""
    aliases = get_global("zone_aliases")
    others = sorted(
        z for z in _known_zones()
        if "/" in z and z not in aliases and z not in USUAL_ZONES
        and not z.startswith(("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Chile/",
                              "Mexico/"))
    )
    return (*USUAL_ZONES, *others)


@memoize
def _known_zones() -> frozenset[str]:
    # available_timezones() walks the zone files on disk: some 30 ms a call.
    return frozenset(available_timezones())


@memoize
def _offered_zones() -> frozenset[str]:
    return frozenset(zone_names())


def valid_zone(name: str | None) -> bool:
    if not name or name not in _known_zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_time_problem(moment: datetime, zone: str) -> str | None:
    """'missing' when the naive local ``moment`` never happens in ``zone`` (clocks jump over
    it), 'ambiguous' when it happens twice (clocks go back), else None."""
    tz = ZoneInfo(zone)
    early = moment.replace(tzinfo=tz, fold=0)
    late = moment.replace(tzinfo=tz, fold=1)
    if early.utcoffset() == late.utcoffset():
        return None
    # In a gap the wall time does not survive the round trip through UTC.
    back = early.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return "missing" if back != moment else "ambiguous"


def to_instant(moment: datetime, zone: str, fold: int = 0) -> datetime:
    """The aware UTC instant of naive local ``moment`` in ``zone``."""
    return moment.replace(tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


def start_instant(agm: AGM) -> datetime | None:
    """When the meeting starts, in UTC; None while the time is to be announced."""
    if agm.local_time is None:
        return None
    return to_instant(datetime.combine(agm.local_date, agm.local_time), agm.timezone, agm.fold)


def end_instant(agm: AGM) -> datetime | None:
    start = start_instant(agm)
    if start is None:
        return None
    return start + timedelta(minutes=agm.duration_minutes or DEFAULT_DURATION_MINUTES)


def deadline_instant(agm: AGM, attribute: str) -> datetime | None:
    value = getattr(agm, attribute)
    return None if value is None else to_instant(value, agm.timezone)


def deadlines(agm: AGM) -> list[tuple[str, object, datetime]]:
    """The meeting's set deadlines as (key, label, UTC instant), earliest first."""
    found = [(key, label, deadline_instant(agm, attr)) for attr, key, label in DEADLINES
             if getattr(agm, attr) is not None]
    return sorted(found, key=lambda item: item[2])


def headline_entity(agm: AGM) -> str:
    """The listed entity that holds the meeting, else the company's name."""
    return agm.listing.entity_name if agm.listing is not None else agm.company.name


# --- the calendar generation -------------------------------------------------------------

# A feed shows rows of these tables and nothing else.
CALENDAR_MODELS = (AGM, Company, Listing)


def calendar_generation() -> int:
    """A number that rises with every change to a meeting, a company or a listing, committed
    by any process (a worker, the CSV import, a script); 0 before the first. Feeds are cached
    under it, and reading it is a one-row read: what a feed request costs to learn that
    nothing changed."""
    return db.session.execute(_GENERATION).scalar() or 0


# Built once, and on the table rather than the model: a third of the cost of the ORM query,
# on every feed request and every page of the meeting list.
_GENERATION = sa.select(CalendarState.__table__.c.generation).where(
    CalendarState.__table__.c.id == 1)


def raise_calendar_generation(connection: sa.Connection) -> None:
    """Add one to the generation in ``connection``'s transaction, creating its row if it is
    missing."""
    table = CalendarState.__table__
    statement = upsert(connection.dialect, table).values(id=1, generation=1)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[table.c.id], set_={"generation": table.c.generation + 1}))


@event.listens_for(Session, "after_flush")
def _calendar_changed(session: Session, _context) -> None:
    """Raise the generation in every flush that writes a meeting, a company or a listing.

    Done here rather than by each domain function so that it commits, or rolls back, with
    the change itself whoever makes it (a view, the CSV import, a script): no feed is
    served stale, and an uncommitted change moves nothing. A flush that changes only a
    meeting's private notes raises it too; that costs one feed rebuild from stored events.
    """
    dirty = (obj for obj in session.dirty
             if session.is_modified(obj, include_collections=False))
    if any(isinstance(obj, CALENDAR_MODELS)
           for obj in chain(session.new, session.deleted, dirty)):
        raise_calendar_generation(session.connection())


# --- validation --------------------------------------------------------------------------

def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def check_meeting(values: dict) -> dict[str, list]:
    """Errors (field -> translated messages) in a meeting's ``values``; empty when valid.

    ``values`` holds parsed Python values for EDITABLE_FIELDS. ``fold`` may be None when the
    user has not chosen which of two repeated times is meant.
    """
    errors: dict[str, list] = {}
    company = db.session.get(Company, values.get("company_id")) if values.get(
        "company_id") else None
    if company is None:
        _add(errors, "company_id", _l("Choose the company."))
    listing_id = values.get("listing_id")
    if listing_id is not None:
        listing = db.session.get(Listing, listing_id)
        if listing is None or company is None or listing.company_id != company.id:
            _add(errors, "listing_id", _l("This listed entity belongs to another company."))
    zone = values.get("timezone")
    # The zones the form offers, wherever the values come from.
    if not valid_zone(zone) or zone not in _offered_zones():
        _add(errors, "timezone", _l("Choose a timezone from the list, such as Europe/London."))
        return errors
    day, clock = values.get("local_date"), values.get("local_time")
    if day is None:
        _add(errors, "local_date", _l("Enter the date of the meeting."))
        return errors
    start = None
    if clock is not None:
        moment = datetime.combine(day, clock)
        problem = local_time_problem(moment, zone)
        if problem == "missing":
            _add(errors, "local_time", _l(
                "This time does not exist in %(zone)s on that day: the clocks skip it. "
                "Check the notice of meeting.", zone=zone))
        elif problem == "ambiguous" and values.get("fold") not in (0, 1):
            _add(errors, "fold", _l(
                "This time happens twice in %(zone)s on that day, because the clocks go "
                "back. Say which one is meant.", zone=zone))
        else:
            start = to_instant(moment, zone, values.get("fold") or 0)
    duration = values.get("duration_minutes")
    if duration is not None and not 1 <= duration <= 24 * 60:
        _add(errors, "duration_minutes", _l("Give a duration between 1 and 1,440 minutes."))
    for attr, _key, _label in DEADLINES:
        moment = values.get(attr)
        if moment is None:
            continue
        problem = local_time_problem(moment, zone)
        if problem == "missing":
            _add(errors, attr, _l("This time does not exist in %(zone)s: the clocks skip it.",
                                  zone=zone))
        elif problem == "ambiguous":
            _add(errors, attr, _l("This time happens twice in %(zone)s because the clocks go "
                                  "back. Choose a time that happens once.", zone=zone))
        elif start is not None and to_instant(moment, zone) >= start:
            _add(errors, attr, _l("A deadline must fall before the meeting starts."))
        elif start is None and moment.date() > day:
            _add(errors, attr, _l("A deadline must fall before the meeting day."))
    if values.get("webcast_url") and not is_web_link(values["webcast_url"]):
        _add(errors, "webcast_url", _l("Enter a link starting with https://."))
    if values.get("status") in (AGMStatus.POSTPONED, AGMStatus.CANCELLED) and not values.get(
            "status_note"):
        _add(errors, "status_note", _l("Say why, in a short public note."))
    _check_caps(values, errors)
    return errors


def _check_caps(values: dict, errors: dict) -> None:
    for field, cap in TEXT_CAPS.items():
        text = values.get(field)
        if text and len(text) > cap:
            _add(errors, field, _l("At most %(max)s characters (this one has %(count)s).",
                                   max=format_number(cap), count=format_number(len(text))))


# C0 and C1 controls except tab and newline, DEL, lone surrogates and non-characters: none
# belongs in stored text, PostgreSQL refuses NUL, and calendars break on some.
def plain_text(text: str | None) -> str:
    """``text`` cleaned as every stored text is (agmtool.text.clean_text); '' for None."""
    return clean_text(text) or ""


def _normalise(values: dict, date_estimated: bool = False) -> dict:
    """The editable fields cleaned, plus the derived ``date_estimated`` (``date_estimated``:
    the meeting's current one, which a cancellation keeps)."""
    values = {key: values.get(key) for key in EDITABLE_FIELDS}
    for key in TEXT_CAPS:
        if isinstance(values[key], str):
            values[key] = plain_text(values[key]).strip() or None
        if key in ONE_LINE and values[key]:
            values[key] = " ".join(values[key].split())
    if values["local_time"] is None or values["local_date"] is None or not valid_zone(
            values["timezone"]):
        values["fold"] = values["fold"] if values["fold"] in (0, 1) else 0
    elif local_time_problem(datetime.combine(values["local_date"], values["local_time"]),
                            values["timezone"]) != "ambiguous":
        values["fold"] = 0  # fold only means something at a repeated time
    values["kind"] = MeetingKind(values["kind"] or MeetingKind.AGM)
    values["format"] = MeetingFormat(values["format"]) if values["format"] else None
    values["status"] = AGMStatus(values["status"] or AGMStatus.EXPECTED)
    values["deadlines_to_be_confirmed"] = bool(values["deadlines_to_be_confirmed"])
    # The note's readers in other languages get its translation (agmtool.translation.notes).
    if values["status_note_language"] not in current_app.config["LANGUAGES"]:
        values["status_note_language"] = current_app.config["DEFAULT_LANGUAGE"]
    values["date_estimated"] = values["status"] == AGMStatus.EXPECTED or (
        values["status"] == AGMStatus.CANCELLED and date_estimated)
    return values


def status_problem(old: AGMStatus, new: AGMStatus):
    """Why the workflow does not let ``old`` become ``new``; None when it does."""
    if old != new and new not in TRANSITIONS[old]:
        return _l("A meeting that is “%(old)s” cannot become “%(new)s”.", old=old.label,
                  new=new.label)
    return None


def allowed(agm: AGM) -> set[AGMStatus]:
    """The statuses ``agm`` may move to from the one it has."""
    return TRANSITIONS[agm.status]


# --- meetings ----------------------------------------------------------------------------

def claim_version(record: AGM | Company, seen_version: int | str) -> None:
    """Raise StaleEdit unless the row still has the version the user saw; then bump it
    (see database.claim)."""
    model = type(record)
    claim(record, model.version == _seen(record, seen_version), version=model.version + 1)


def calendar_touch(agm: AGM, changes: dict) -> None:
    """Raise the sequence when a calendar shows a change. The increment happens in the
    database (SET sequence = sequence + 1), so a meeting edit and a company rename landing at
    once both count."""
    if any(field in CALENDAR_FIELDS for field in changes):
        agm.sequence = AGM.sequence + 1
        agm.updated_at = utcnow()
        db.session.flush()
        db.session.refresh(agm, attribute_names=["sequence"])


def problems(values: dict) -> dict[str, list]:
    """What check_meeting finds in a new meeting's ``values`` once cleaned; changes nothing."""
    return check_meeting(_normalise(values))


def create_agm(user: User | None, values: dict, action: str = "created") -> AGM:
    """Create a meeting from ``values`` (see check_meeting).

    Side effects: adds the AGM, records history ``action``, flushes. Raises Invalid with
    every problem found.
    """
    values = _normalise(values)
    errors = check_meeting(values)
    if errors:
        raise Invalid(errors)
    agm = AGM(sequence=0, version=1, updated_at=utcnow(), **values)
    db.session.add(agm)
    db.session.flush()
    history.record(agm, user, action, {k: [None, v] for k, v in values.items()
                                        if v is not None})
    db.session.flush()
    return agm


def update_agm(agm: AGM, user: User | None, values: dict, seen_version: int | None,
               action: str = "updated") -> dict:
    """Apply ``values`` to ``agm``; return the changes (see _change, history ``action``)."""
    return _change(agm, user, values, seen_version, action)


def change_problems(agm: AGM, values: dict) -> dict[str, list]:
    """What _change would refuse in ``values`` over ``agm``'s; changes nothing."""
    return _checked(agm, values)[1]


def _checked(agm: AGM, values: dict) -> tuple[dict, dict[str, list]]:
    merged = _normalise({**{k: getattr(agm, k) for k in EDITABLE_FIELDS}, **values},
                        agm.date_estimated)
    errors = check_meeting(merged)
    problem = status_problem(agm.status, merged["status"])
    if problem is not None:
        _add(errors, "status", problem)
    return merged, errors


def postpone(agm: AGM, user: User | None, note: str, seen_version: int | str,
             new_date: date | None = None, new_time: time | None = None,
             time_to_be_announced: bool = False, new_deadlines: dict | None = None,
             deadlines_to_be_confirmed: bool = False) -> dict:
    """Mark the meeting postponed, with a public note, moving it to the new slot if known.

    - no new date and no new time: there is no new slot yet, so the old time is dropped
      (time to be announced) rather than shown as if it still held;
    - a new date alone keeps the old time, unless ``time_to_be_announced``;
    - a new time alone moves the meeting within its day.
    Deadlines belong to the old slot: a meeting that has any takes ``new_deadlines``
    (attribute -> local time or None, see DEADLINES) or ``deadlines_to_be_confirmed``,
    which keeps the old ones marked as such until an edit clears the mark.
    Feeds show a postponed meeting without a time as TENTATIVE (ical.status_value).
    Side effects: as update_agm, with history action 'postponed'.
    """
    if not (note or "").strip():
        raise Invalid({"note": [_l("Say why, in a short public note.")]})
    if time_to_be_announced and new_time is not None:
        raise Invalid({"new_time": [_l(
            "Give the new start time, or say that it is not known yet, not both.")]})
    values = {"status": AGMStatus.POSTPONED, "status_note": note.strip()}
    if new_deadlines is not None and deadlines_to_be_confirmed:
        raise Invalid({"deadlines": [_l(
            "Give the new deadlines, or mark the old ones as to be confirmed, not both.")]})
    if new_deadlines is not None:
        values.update({attr: new_deadlines.get(attr) for attr, _key, _label in DEADLINES},
                      deadlines_to_be_confirmed=False)
    elif deadlines_to_be_confirmed:
        values["deadlines_to_be_confirmed"] = True
    elif deadlines(agm):
        raise Invalid({"deadlines": [_l(
            "Give the new deadlines, or mark the old ones as to be confirmed.")]})
    if new_date is not None:
        values["local_date"] = new_date
    if new_time is not None or time_to_be_announced or new_date is None:
        values["local_time"] = new_time
    return _change(agm, user, values, seen_version, "postponed")


def cancel(agm: AGM, user: User | None, note: str, seen_version: int | None) -> dict:
    """Cancel the meeting, keeping the record and its place in the feeds, with a note.

    Side effects: as update_agm, with history action 'cancelled'.
    """
    if not (note or "").strip():
        raise Invalid({"note": [_l("Say why, in a short public note.")]})
    values = {"status": AGMStatus.CANCELLED, "status_note": note.strip()}
    return _change(agm, user, values, seen_version, "cancelled")


def _change(agm: AGM, user: User | None, values: dict, seen_version, action: str) -> dict:
    """``values`` over the meeting's current ones, checked, then written; the changes.

    Side effects: checks and bumps ``version`` (StaleEdit when someone saved first), sets
    the fields, bumps ``sequence`` and ``updated_at`` when a calendar shows a change,
    records history ``action``, flushes. Raises Invalid with every problem found.
    """
    merged, errors = _checked(agm, values)
    if errors:
        raise Invalid(errors)
    if seen_version == UNCHECKED and all(getattr(agm, k) == v for k, v in merged.items()):
        return {}  # a script that changes nothing writes nothing (an import run again)
    claim_version(agm, seen_version)
    changes = history.apply_changes(agm, merged)
    if changes:
        calendar_touch(agm, changes)
        history.record(agm, user, action, changes)
    db.session.flush()
    return changes


# --- the public note in the reader's language ---------------------------------------------
# The source type of a public note's translations. Translation comes after meetings in the
# chain of features: agmtool.translation.notes keeps the rows in step with the note, and
# tells note_translation_changed when what readers are shown changes; this package only
# reads the rows.
NOTE = "meeting_note"


@dataclass(frozen=True)
class PublicNote:
    """A meeting's public note as one reader may read it: in their language, or as written
    while its translation is on its way (``pending``)."""

    text: str
    language: str
    pending: bool = False


def public_notes(meetings: Iterable[AGM], language: str) -> dict[int, PublicNote]:
    """The public note of each of ``meetings`` that has one, for a reader of ``language``:
    as written when that is their language, else its approved translation, else as written
    and pending. One query, whatever the number of meetings."""
    noted = [agm for agm in meetings if agm.status_note]
    others = [agm.id for agm in noted if agm.status_note_language != language]
    translated = {}
    if others:
        translated = {row.source_id: row.text for row in db.session.scalars(
            sa.select(Translation).where(Translation.source_type == NOTE,
                                         Translation.language == language,
                                         Translation.source_id.in_(others)))
            if row.readable}
    notes = {}
    for agm in noted:
        if agm.status_note_language == language:
            notes[agm.id] = PublicNote(agm.status_note, language)
        elif agm.id in translated:
            notes[agm.id] = PublicNote(translated[agm.id], language)
        else:
            notes[agm.id] = PublicNote(agm.status_note, agm.status_note_language, pending=True)
    return notes


def note_translations(agm: AGM) -> list[Translation]:
    """The translations of the meeting's public note, by language (for staff)."""
    return list(db.session.scalars(sa.select(Translation).where(
        Translation.source_type == NOTE, Translation.source_id == agm.id)
        .order_by(Translation.language)))


def note_translation_changed(agm: AGM) -> None:
    """A translation of the meeting's public note was approved, or stopped being readable:
    the meeting's page and events read differently in that language, so calendars and
    caches must learn of it like any change they show.

    Side effects: raises the sequence and updated_at (see calendar_touch), flushes. The
    version stays: nobody's edit of the meeting is stale because of it.
    """
    calendar_touch(agm, {"status_note": None})


def reinstate(agm: AGM, user: User | None, note: str | None, seen_version: int | str) -> dict:
    """Call a cancelled meeting again: announced, or expected if its date was an estimate;
    ``note`` (may be empty) replaces the cancellation's public note.

    Side effects: as update_agm, with history action 'reinstated'. Raises Invalid unless
    the meeting is cancelled.
    """
    if agm.status != AGMStatus.CANCELLED:
        raise Invalid({"status": [_l("Only a cancelled meeting can be reinstated.")]})
    status = AGMStatus.EXPECTED if agm.date_estimated else AGMStatus.ANNOUNCED
    return _change(agm, user, {"status": status, "status_note": (note or "").strip() or None},
                   seen_version, "reinstated")


def references(agm: AGM) -> list:
    """Why the meeting cannot be deleted: what refers to it, as translated sentences."""
    found = []
    questions = db.session.scalar(sa.select(sa.func.count()).select_from(Question)
                                  .where(Question.agm_id == agm.id))
    if questions:
        found.append(_l("Questions are planned for this meeting, so it cannot be deleted. "
                        "Cancel it instead."))
    if agm.attendees:
        found.append(_l("Attendees are assigned to this meeting, so it cannot be deleted. "
                        "Cancel it instead."))
    if agm.sources:
        found.append(_l("Sources are listed for this meeting's pack, so it cannot be "
                        "deleted. Cancel it instead."))
    # The public note's own translations go with the meeting (translation.notes).
    translations = db.session.scalar(sa.select(sa.func.count()).select_from(Translation)
                                     .where(Translation.agm_id == agm.id,
                                            Translation.source_type != NOTE))
    if translations:
        found.append(_l("Translations are under way for this meeting, so it cannot be "
                        "deleted. Cancel it instead."))
    return found


def delete_agm(agm: AGM, user: User | None, seen_version: int | str) -> dict:
    """Delete a meeting made by mistake: feeds drop it, and subscribed calendars with them.

    Side effects: checks the version the user saw (StaleEdit), records history 'deleted'
    with what identified the meeting (kept after it), deletes the row, flushes; returns
    what the history keeps. Raises Invalid while anything refers to the meeting (see
    references).
    """
    found = references(agm)
    if found:
        raise Invalid({"delete": found})
    claim_version(agm, seen_version)
    kept = {"ref": [agm.ref, None], "company_id": [agm.company_id, None],
            "listing_id": [agm.listing_id, None], "kind": [agm.kind, None],
            "local_date": [agm.local_date, None], "status": [agm.status, None]}
    history.record(agm, user, "deleted", kept)
    db.session.delete(agm)
    db.session.flush()
    return kept


def by_ref(ref: str) -> AGM | None:
    return db.session.scalar(sa.select(AGM).where(AGM.ref == ref.strip().lower()))


def same_meeting(company_id: int, listing_id: int | None, kind: MeetingKind,
                 local_date: date) -> list[AGM]:
    """The meetings a row without a ref means: one company's, held by one entity (or the
    company itself), of one kind, on one local date."""
    listing = (AGM.listing_id.is_(None) if listing_id is None
               else AGM.listing_id == listing_id)
    return db.session.scalars(sa.select(AGM).where(
        AGM.company_id == company_id, listing, AGM.kind == kind,
        AGM.local_date == local_date).order_by(AGM.id)).all()


def in_feeds(today: date):
    """The condition on AGM for the meetings a feed carries: upcoming ones and those of the
    last twelve months."""
    return AGM.local_date >= today - timedelta(days=366)


def for_feed(today: date, company: Company | None = None) -> list[AGM]:
    """The meetings a feed carries (see in_feeds)."""
    query = (sa.select(AGM).where(in_feeds(today))
             .options(sa.orm.joinedload(AGM.company), sa.orm.joinedload(AGM.listing)))
    if company is not None:
        query = query.where(AGM.company_id == company.id)
    return in_order(db.session.scalars(query).unique().all())


def sort_instant(agm: AGM) -> datetime:
    """When the meeting starts, in UTC; a meeting whose time is to be announced counts from
    the start of its local day in its zone, so it comes before that day's timed meetings
    there."""
    return _sort_instant(agm.local_date, agm.local_time, agm.timezone, agm.fold)


@lru_cache(maxsize=8192)
def _sort_instant(day: date, clock: time | None, zone: str, fold: int) -> datetime:
    # Remembered: every feed built and every meeting list read sorts all the meetings.
    return to_instant(datetime.combine(day, clock or time()), zone, fold if clock else 0)


def in_order(meetings) -> list[AGM]:
    """``meetings`` by the instant they start (see sort_instant), then by id: the same on
    every database, whatever its NULL ordering."""
    return sorted(meetings, key=lambda agm: (sort_instant(agm), agm.id))
