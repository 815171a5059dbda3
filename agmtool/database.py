"""The database: binding, SQLite settings for concurrent writers, migrations, schema check."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.dialects import postgresql, sqlite

from agmtool.config import ROOT
from agmtool.extensions import db, migrate
from agmtool.security import serving

MIGRATIONS = str(ROOT / "agmtool" / "migrations")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    from flask import current_app

    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(current_app.config['SQLITE_BUSY_TIMEOUT_MS'])}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # withdrawn text is overwritten, not left on disk
    cursor.close()


def init_app(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True, compare_type=True)


def schema_is_current(app: Flask) -> tuple[str | None, set[str]]:
    """The database's revision and the migrations' heads."""
    with app.app_context():
        heads = set(ScriptDirectory.from_config(migrate.get_config()).get_heads())
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        # Start serving with an empty pool: no connection made here leaks into forked workers.
        db.engine.dispose()
    return current, heads


def refuse_stale_schema_when_serving(app: Flask) -> None:
    """Refuse to serve a database whose schema is behind the migrations.

    Checked when a server loads the app (``flask run``, a WSGI server); not for the other
    ``flask`` commands, so ``flask db upgrade`` can still fix the database.
    """
    if app.testing or not serving():
        return
    current, heads = schema_is_current(app)
    if current not in heads:
        raise SystemExit(
            f"agmtool: the database {app.config['SQLALCHEMY_DATABASE_URI']} is at "
            f"revision {current or 'none (empty)'}, behind the migrations ({', '.join(heads)}). "
            "Run `flask --app agmtool db upgrade` (make run does it) and start again."
        )


def upsert(dialect: sa.Dialect, table: sa.Table):
    """An INSERT into ``table`` that takes ``on_conflict_do_update`` and
    ``on_conflict_do_nothing``, for the database in use (SQLite or PostgreSQL)."""
    return (postgresql if dialect.name == "postgresql" else sqlite).insert(table)


class StaleEdit(Exception):
    """Someone else changed the record after this user read it; nothing was written."""


def claim(record, condition, refresh: bool = True, **values) -> None:
    """Write ``values`` to ``record``'s row only where ``condition`` still holds.

    The check is part of the UPDATE itself, so of two requests that read the same row only
    one writes; the other gets StaleEdit. ``values`` may be SQL expressions such as
    ``version=Model.version + 1``. With ``refresh`` the written attributes are read back;
    without, the object keeps the values it had (for a history of what changed).
    """
    model = type(record)
    result = db.session.execute(
        sa.update(model).where(model.id == record.id, condition).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StaleEdit(f"{model.__tablename__} {record.id} changed meanwhile")
    if refresh:
        db.session.refresh(record, attribute_names=list(values))
