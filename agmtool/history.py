"""The change history: every domain function records what it changed, and who did it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from agmtool import i18n
from agmtool.extensions import db
from agmtool.models import History, User, utcnow

# What the actions every record has are called on screen; a feature names its own actions,
# and the fields and values of its records, with register() (see Labels). The labels have
# their own context: in Portuguese an action on a concern (o relato) agrees in gender
# differently from the same word on a meeting (a assembleia) or a button.
COMMON_ACTIONS = {
    "created": lazy_pgettext("history action", "Created"),
    "updated": lazy_pgettext("history action", "Changed"),
    "assigned": lazy_pgettext("history action", "Assigned"),
}
# Fields every assignable record has (a concern, a question, a translation).
COMMON_FIELDS = {"assignee": _l("Assigned to")}


def person(user: User | None) -> str | None:
    """How a person is named in a history entry: their name, else their email."""
    return None if user is None else (user.name or user.email)


def assign(obj, user: User | None, assignee: User | None) -> bool:
    """Give ``obj`` (anything with ``assignee_id``: a concern, a question, a translation)
    to ``assignee``, None for nobody. Side effects: ``assignee_id``, an "assigned" entry
    naming the people, flush. False when it was already theirs (nothing recorded).

    Not a stale-edit claim: the last choice is the one meant, and the version of the record
    (which guards its text) does not move."""
    new_id = assignee.id if assignee is not None else None
    if obj.assignee_id == new_id:
        return False
    old = db.session.get(User, obj.assignee_id) if obj.assignee_id else None
    obj.assignee_id = new_id
    record(obj, user, "assigned", {"assignee": [person(old), person(assignee)]})
    db.session.flush()
    return True


@dataclass(frozen=True)
class Labels:
    """How one table's history entries read: ``fields`` names each field in the order they
    are shown (reusing the form's wording, so a field is called the same on the form and in
    its history); ``actions`` names the table's own actions; ``enums`` says which fields hold
    a status key; ``values`` formats any other field's stored value for display."""

    fields: dict[str, Any]
    actions: dict[str, Any] = field(default_factory=dict)
    enums: dict[str, type[Enum]] = field(default_factory=dict)
    values: dict[str, Callable[[Any], str]] = field(default_factory=dict)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["action_label"] = action_label
    app.jinja_env.filters["history_changes"] = changes_shown


def register(app: Flask, model, labels: Labels) -> None:
    """Say how ``model``'s history reads (called by each feature package's init_app)."""
    app.extensions.setdefault("agmtool.history", {})[model.__tablename__] = labels


def _labels(object_type: str) -> Labels:
    return current_app.extensions.get("agmtool.history", {}).get(object_type, _NO_LABELS)


_NO_LABELS = Labels(fields={})


def action_label(entry: History):
    """The entry's action in the reader's language."""
    return _labels(entry.object_type).actions.get(entry.action) or COMMON_ACTIONS.get(
        entry.action, entry.action)


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
            name: [_plain(old), _plain(new)] for name, (old, new) in (changes or {}).items()
        },
    )
    db.session.add(entry)
    return entry


def apply_changes(obj, values: dict) -> dict:
    """Set ``values`` on ``obj`` and return ``{field: [old, new]}`` for those that changed."""
    changes = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = [old, new]
            setattr(obj, name, new)
    return changes


def for_object(obj) -> list[History]:
    return db.session.scalars(
        db.select(History)
        .where(History.object_type == obj.__tablename__, History.object_id == obj.id)
        # In the order written: actions from the public form carry their day only.
        .order_by(History.id)
    ).all()


def for_objects(model) -> list[History]:
    """Every entry of every record of ``model`` (a small table: the settings)."""
    return db.session.scalars(
        db.select(History).where(History.object_type == model.__tablename__)
        .order_by(History.id)).all()


def for_records(records) -> list[History]:
    """The histories of several records as one list, in the order written: a record's page
    shows the entries of its translations with its own. One query."""
    pairs = sorted({(record.__tablename__, record.id) for record in records})
    if not pairs:
        return []
    return db.session.scalars(
        db.select(History)
        .where(sa.tuple_(History.object_type, History.object_id).in_(pairs))
        .order_by(History.id)
    ).all()


# --- showing an entry -----------------------------------------------------------------------
# Bookkeeping that the entry itself already says (who approved, which version).
UNSHOWN = {"approved_by_id", "source_version", "version"}
LONGEST_VALUE = 160


def day(value: str) -> str:
    """A stored day (YYYY-MM-DD) as the reader writes it."""
    return i18n.format_day(date.fromisoformat(value), "medium")


def wall_clock(value: str) -> str:
    """A stored local date and time, or a time of day, as the clock on the wall reads it."""
    parsed = datetime.fromisoformat(value) if "T" in value else time.fromisoformat(value)
    return i18n.format_wall_clock(parsed)


def languages(value: str) -> str:
    """Comma-separated language codes, named in their own language."""
    return ", ".join(i18n.native_name(code) for code in value.split(",") if code) or "–"


@dataclass(frozen=True)
class Change:
    """One changed field as shown: ``old`` and ``new`` are None where the values are not
    kept (the community's own words, contact details)."""
    label: str
    old: str | None
    new: str | None


def changes_shown(entry: History) -> list[Change]:
    """The entry's changes in the reader's language, in the order of the table's labels;
    fields sharing a label show once."""
    labels = _labels(entry.object_type)
    order = {name: n for n, name in enumerate(labels.fields)}
    shown: dict[str, Change] = {}
    for name, (old, new) in sorted(entry.changes.items(),
                                   key=lambda item: order.get(item[0], len(order))):
        if name in UNSHOWN:
            continue
        label = str(labels.fields.get(name) or COMMON_FIELDS.get(name, name))
        if old == "…" and new == "…":
            shown.setdefault(label, Change(label, None, None))
        else:
            shown[label] = Change(label, _value(labels, name, old), _value(labels, name, new))
    return list(shown.values())


def _value(labels: Labels, name: str, value) -> str:
    if value is None or value == "" or value == []:  # [] : no listings or sites before
        return "–"
    if name in labels.enums:
        return str(labels.enums[name](value).label)
    if name in labels.values:
        return str(labels.values[name](value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        value = " · ".join(map(str, value))
    text = str(value)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"
