"""The change history: every domain function records what it changed, and who did it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from agmtool import i18n
from agmtool.extensions import db
from agmtool.models import (
    AGM,
    QUARANTINE_REASONS,
    AGMStatus,
    Channel,
    Company,
    Concern,
    ConcernStatus,
    History,
    Listing,
    MeetingFormat,
    MeetingKind,
    Role,
    Translation,
    TranslationState,
    User,
    utcnow,
)

# What each recorded action is called on screen; the stored key stays language-neutral. The
# labels have their own context: in Portuguese an action on a concern (o relato) agrees in
# gender differently from the same word on a meeting (a assembleia) or a button.
ACTION_LABELS = {
    "created": lazy_pgettext("history action", "Created"),
    "updated": lazy_pgettext("history action", "Changed"),
    "locked": lazy_pgettext("history action", "Locked after too many failed logins"),
    "password_changed": lazy_pgettext("history action", "Password changed"),
    "reset_link_issued": lazy_pgettext("history action", "Password-reset link made"),
    "totp_enabled": lazy_pgettext("history action", "Two-factor login turned on"),
    "totp_reset": lazy_pgettext("history action", "Two-factor login reset"),
    # Concerns and their English translation (agmtool/concerns.py).
    "submitted": lazy_pgettext("history action", "Sent through the form"),
    "entered": lazy_pgettext("history action", "Entered by staff"),
    "accepted": lazy_pgettext("history action", "Accepted"),
    "clarification_asked": lazy_pgettext("history action", "Clarification asked for"),
    "clarification_answered": lazy_pgettext("history action", "Answered by the community"),
    "released": lazy_pgettext("history action", "Released from quarantine"),
    "reopened": lazy_pgettext("history action", "Reopened"),
    "declined": lazy_pgettext("history action", "Declined"),
    "merged": lazy_pgettext("history action", "Merged"),
    "withdrawn": lazy_pgettext("history action", "Withdrawn by the submitter"),
    "contact_erased": lazy_pgettext("history action", "Contact details deleted"),
    "saved": lazy_pgettext("history action", "Translation saved"),
    "approved": lazy_pgettext("history action", "Translation approved"),
    # Meetings and companies (agmtool/agms.py).
    "postponed": lazy_pgettext("history action", "Postponed"),
    "cancelled": lazy_pgettext("history action", "Cancelled"),
    "reinstated": lazy_pgettext("history action", "Reinstated"),
    "deleted": lazy_pgettext("history action", "Deleted"),
    "imported": lazy_pgettext("history action", "Imported from a CSV file"),
    "company_changed": lazy_pgettext("history action", "The company's name or listings changed"),
}


def action_label(action: str):
    return ACTION_LABELS.get(action, action)


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def record(obj, user: User | None, action: str, changes: dict | None = None) -> History:
    """Add a history row for ``obj`` (flushed so it has an id).

    ``changes`` maps a field to ``[old, new]``. An action with no user (a submission from the
    public form) is stamped with its day only, like the concern it belongs to.
    """
    if obj.id is None:
        db.session.flush()
    now = utcnow()
    entry = History(
        at=now if user is not None else datetime.combine(now.date(), time()),
        user_id=user.id if user is not None else None,
        object_type=obj.__tablename__,
        object_id=obj.id,
        action=action,
        changes={
            field: [_plain(old), _plain(new)] for field, (old, new) in (changes or {}).items()
        },
    )
    db.session.add(entry)
    return entry


def apply_changes(obj, values: dict) -> dict:
    """Set ``values`` on ``obj`` and return ``{field: [old, new]}`` for those that changed."""
    changes = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [old, new]
            setattr(obj, field, new)
    return changes


def for_object(obj) -> list[History]:
    return db.session.scalars(
        db.select(History)
        .where(History.object_type == obj.__tablename__, History.object_id == obj.id)
        # In the order written: actions from the public form carry their day only.
        .order_by(History.id)
    ).all()


# --- showing an entry -----------------------------------------------------------------------
# Labels reuse the wording of the forms where the field is edited, so that a field is called
# the same on the form and in its history.
_MEETING_LABELS = {
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
    "notes": _l("Private notes (staff only, never published)"),
}
FIELD_LABELS = {
    Concern.__tablename__: {
        "status": _l("Status"),
        "channel": _l("How it arrived"),
        "quarantine_reason": _l("Held back because"),
        "closed_on": _l("Closed on"),
        "decline_reason": _l("Reason for declining"),
        # Entries written before the questions and answers moved to their own table.
        "clarification": _l("Question for the community"),
        "clarification_answer": _l("The community's answer"),
        "merged_into_id": _l("Merged into"),
        "withdrawn_on": _l("Withdrawn on"),
        "contact_erased_on": _l("Contact details deleted on"),
        "body": _l("What is happening?"),
        "wanted": _l("What the community wants"),
        "place": _l("Mine or place"),
        "community_name": _l("Community"),
        "company_other": _l("Company"),
        "speaker_name": _l("The name we may say"),
        "contact_name": _l("Contact details"),
        "contact_details": _l("Contact details"),
    },
    Translation.__tablename__: {
        "state": _l("Translation"),
        "text": _l("English translation"),
    },
    AGM.__tablename__: _MEETING_LABELS,
    Company.__tablename__: {
        "name": _l("Name"),
        "slug": _l("Short name for links"),
        "website": _l("Website"),
        "listings": _l("Listings"),
        "sites": _l("Sites (mines and projects)"),
        "notes": _l("Private notes (staff only, never published)"),
    },
    User.__tablename__: {
        "email": _l("Email"),
        "name": _l("Name"),
        "role": _l("Role"),
        "languages": _l("Translation languages"),
        "active": _l("Account active"),
    },
}
# Bookkeeping that the entry itself already says (who approved, which version).
UNSHOWN = {"approved_by_id", "source_version", "version"}
ENUMS = {
    (Concern.__tablename__, "status"): ConcernStatus,
    (Concern.__tablename__, "channel"): Channel,
    (Translation.__tablename__, "state"): TranslationState,
    (AGM.__tablename__, "status"): AGMStatus,
    (AGM.__tablename__, "kind"): MeetingKind,
    (AGM.__tablename__, "format"): MeetingFormat,
    (User.__tablename__, "role"): Role,
}
DAYS = {"closed_on", "local_date", "withdrawn_on", "contact_erased_on"}
MOMENTS = {"questions_deadline", "proxy_deadline", "registration_deadline"}
LONGEST_VALUE = 160


@dataclass(frozen=True)
class Change:
    """One changed field as shown: ``old`` and ``new`` are None where the values are not
    kept (the community's own words, contact details)."""
    label: str
    old: str | None
    new: str | None


def changes_shown(entry: History) -> list[Change]:
    """The entry's changes in the reader's language, in the order of FIELD_LABELS; fields
    sharing a label show once."""
    labels = FIELD_LABELS.get(entry.object_type, {})
    order = {field: n for n, field in enumerate(labels)}
    shown: dict[str, Change] = {}
    for field, (old, new) in sorted(entry.changes.items(),
                                    key=lambda item: order.get(item[0], len(order))):
        if field in UNSHOWN:
            continue
        label = str(labels.get(field, field))
        if old == "…" and new == "…":
            shown.setdefault(label, Change(label, None, None))
        else:
            shown[label] = Change(label, _value(entry.object_type, field, old),
                                  _value(entry.object_type, field, new))
    return list(shown.values())


def _value(object_type: str, field: str, value) -> str:
    if value is None or value == "" or value == []:  # [] : no listings or sites before
        return "–"
    enum = ENUMS.get((object_type, field))
    if enum is not None:
        return str(enum(value).label)
    if field in DAYS:
        return i18n.format_day(date.fromisoformat(value), "medium")
    if field in MOMENTS:
        return i18n.format_wall_clock(datetime.fromisoformat(value))
    if field == "local_time":
        return i18n.format_wall_clock(time.fromisoformat(value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field == "quarantine_reason":
        return str(QUARANTINE_REASONS.get(value, value))
    if field == "merged_into_id":
        return _("concern %(number)s", number=value)
    if field == "languages":
        return ", ".join(i18n.native_name(code) for code in value.split(",") if code) or "–"
    if field in {"company_id", "listing_id"}:
        return _reference(field, value)
    if isinstance(value, list):
        value = " · ".join(map(str, value))
    text = str(value)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def _reference(field: str, value: int) -> str:
    if field == "company_id":
        company = db.session.get(Company, value)
        return company.name if company else str(value)
    listing = db.session.get(Listing, value)
    return listing.entity_name if listing else str(value)
