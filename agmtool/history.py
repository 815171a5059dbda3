"""The change history: every domain function records what it changed, and who did it."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum

from flask_babel import lazy_gettext as _l

from agmtool.extensions import db
from agmtool.models import History, User, utcnow

# What each recorded action is called on screen; the stored key stays language-neutral.
ACTION_LABELS = {
    "created": _l("Created"),
    "updated": _l("Changed"),
    "locked": _l("Locked after too many failed logins"),
    "password_changed": _l("Password changed"),
    "reset_link_issued": _l("Password-reset link made"),
    "totp_enabled": _l("Two-factor login turned on"),
    "totp_reset": _l("Two-factor login reset"),
    # Concerns and their English translation (agmtool/concerns.py).
    "submitted": _l("Sent through the form"),
    "entered": _l("Entered by staff"),
    "accepted": _l("Accepted"),
    "clarification_asked": _l("Clarification asked for"),
    "released": _l("Released from quarantine"),
    "reopened": _l("Reopened"),
    "declined": _l("Declined"),
    "merged": _l("Merged"),
    "withdrawn": _l("Withdrawn by the submitter"),
    "contact_erased": _l("Contact details deleted"),
    "saved": _l("Translation saved"),
    "approved": _l("Translation approved"),
    # Meetings and companies (agmtool/agms.py).
    "postponed": _l("Postponed"),
    "cancelled": _l("Cancelled"),
    "company_changed": _l("The company's name or listings changed"),
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


def diff(obj, values: dict) -> dict:
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
        .order_by(History.at, History.id)
    ).all()
