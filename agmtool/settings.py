"""Settings that admins change at run time on the settings page, each change in the history.
Deployment settings (the database, the key, the languages) are config.py's instead."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from agmtool import history
from agmtool.database import StaleEdit, claim
from agmtool.extensions import db
from agmtool.models import Setting, User


@dataclass(frozen=True)
class Definition:
    default: bool
    label: object  # a lazy string, as the settings page and the history show it
    help: object


DEFINITIONS = {
    "translation_self_approval": Definition(
        False, _l("Translators may approve their own translations"),
        _l("Off: a second person approves every translation before anyone reads it. Turn it "
           "on only for a team too small for that.")),
    "anonymous_signoff_required": Definition(
        False, _l("Anonymous concerns need the community's sign-off too"),
        _l("Concerns that name the person or the community always need it before their "
           "question is approved.")),
}

HISTORY = history.Labels(fields={key: d.label for key, d in DEFINITIONS.items()})


def init_app(app: Flask) -> None:
    history.register(app, Setting, HISTORY)


def get(key: str) -> bool:
    """The setting's value: the one saved, else its default."""
    value = db.session.scalar(sa.select(Setting.value).where(Setting.key == key))
    return DEFINITIONS[key].default if value is None else value["value"]


def current() -> dict[str, tuple[bool, int | None]]:
    """Every setting's value and the version of its row (None while at its default)."""
    saved = {row.key: row for row in db.session.scalars(sa.select(Setting))}
    return {key: (saved[key].value["value"], saved[key].version) if key in saved
            else (definition.default, None) for key, definition in DEFINITIONS.items()}


def change(key: str, value: bool, user: User, seen_version: int | None) -> bool:
    """Set ``key`` to ``value``; False when it already had that value.

    ``seen_version`` is the row's version the admin saw (None: it was at its default).
    Side effects: adds or updates the row (StaleEdit when someone changed it meanwhile),
    records history, flushes.
    """
    row = db.session.scalar(sa.select(Setting).where(Setting.key == key))
    old = DEFINITIONS[key].default if row is None else row.value["value"]
    if row is None:
        if seen_version is not None:
            raise StaleEdit(f"setting {key} was reset meanwhile")
        row = Setting(key=key, value={"value": value}, version=1)
        try:
            with db.session.begin_nested():  # two admins saving the first value at once
                db.session.add(row)
        except IntegrityError:
            raise StaleEdit(f"setting {key} was saved meanwhile") from None
    else:
        claim(row, Setting.version == seen_version, value={"value": value},
              version=Setting.version + 1)
    if old == value:
        return False
    history.record(row, user, "updated", {key: [old, value]})
    db.session.flush()
    return True
