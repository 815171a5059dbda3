"""The database: binding, SQLite settings for concurrent writers, migrations, schema check."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Engine, Pool, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

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


# SQLite lets one transaction write at a time. Its busy handler makes the others sleep and
# retry, ever longer (up to 100 ms a try), so under load a process whose writers follow one
# another keeps the lock while another's writer sleeps, until busy_timeout runs out
# ("database is locked": the user is asked to press Send again). So writers queue instead:
# in each process on a lock, then between processes on a lock file beside the database,
# both waking the next writer at once. Each is held from a transaction's first write to its
# commit or rollback.
_SQLITE_WRITER = threading.Lock()
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_LOCK_FILES: dict[str, int] = {}


def _lock_file(path: str) -> int:
    if path not in _LOCK_FILES:
        _LOCK_FILES[path] = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT, 0o600)
    return _LOCK_FILES[path]


@event.listens_for(Engine, "before_cursor_execute")
def _queue_sqlite_writer(connection, _cursor, statement, _parameters, _context, _many) -> None:
    if connection.dialect.name != "sqlite" or "sqlite_writer" in connection.info:
        return
    if not statement.lstrip()[:7].upper().startswith(_WRITES):
        return
    from flask import current_app

    wait = current_app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000 if current_app else 5.0
    if not _SQLITE_WRITER.acquire(timeout=wait):
        return  # past the wait, SQLite's own lock and timeout decide
    path = connection.engine.url.database
    held = None
    if path and path != ":memory:":
        held = _lock_file(path)
        fcntl.flock(held, fcntl.LOCK_EX)
    connection.info["sqlite_writer"] = held


def _writer_done(info: dict) -> None:
    if "sqlite_writer" not in info:
        return
    held = info.pop("sqlite_writer")
    if held is not None:
        fcntl.flock(held, fcntl.LOCK_UN)
    _SQLITE_WRITER.release()


# A session's writer is let go once its COMMIT is done: the next writer then finds SQLite's
# lock free rather than sleeping in the busy handler while the commit syncs. Connection
# events fire before the commit, so they let go only writers outside a session (rare).

@event.listens_for(Session, "after_begin")
def _session_connection(session, _transaction, connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.info["in_session"] = True
        session.info.setdefault("sqlite_connections", []).append(connection.info)


def _session_done(session, *_args) -> None:
    for info in session.info.pop("sqlite_connections", ()):
        info.pop("in_session", None)
        _writer_done(info)


event.listen(Session, "after_commit", _session_done)
event.listen(Session, "after_rollback", _session_done)


def _connection_done(connection) -> None:
    if not connection.info.get("in_session"):
        _writer_done(connection.info)


event.listen(Engine, "commit", _connection_done)
event.listen(Engine, "rollback", _connection_done)


@event.listens_for(Pool, "checkin")
def _writer_gone(_dbapi_connection, record) -> None:
    """A connection given back with its transaction not ended (closed, or lost)."""
    if record is not None:
        record.info.pop("in_session", None)
        _writer_done(record.info)


# Erased words must leave every file of the database. secure_delete zeroes them in the main
# file, but the WAL keeps the pages that held them until a checkpoint rewrites it, and a
# passive checkpoint leaves the file as it is. So a transaction that erases asks, with
# erase_from_disk(), for a checkpoint that truncates the WAL once it has committed.
_ERASED = "erased_words"


def erase_from_disk() -> None:
    """Once the current transaction commits, checkpoint SQLite's WAL and truncate it, so the
    words this transaction erased are in none of the database's files (PostgreSQL: nothing
    to do here). Side effect: marks the session."""
    db.session.info[_ERASED] = True


def truncate_wal(engine: sa.Engine) -> bool:
    """Copy the WAL into the database file and truncate it to nothing. False when a reader
    kept it from finishing (the next erasure, or the daily purge, tries again)."""
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        busy, _log, _moved = connection.exec_driver_sql(
            "PRAGMA wal_checkpoint(TRUNCATE)").one()
    return not busy


@event.listens_for(Session, "after_commit")
def _erased_committed(session) -> None:
    if session.info.pop(_ERASED, False):
        truncate_wal(session.get_bind())


@event.listens_for(Session, "after_rollback")
def _erased_rolled_back(session) -> None:
    session.info.pop(_ERASED, None)


_SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal", "-writer")


def keep_private(app: Flask) -> None:
    """instance/ and the SQLite database (its -wal, -shm and lock files too) readable by
    their owner only: 0700 and 0600, whatever the umask. The database file is made before
    SQLite opens it, since SQLite gives its -wal and -shm the database file's mode; files an
    earlier version left readable by others are tightened."""
    instance = Path(app.instance_path)
    if instance.is_dir() and instance.stat().st_mode & 0o077:
        instance.chmod(0o700)
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    path = url.database if url.get_backend_name() == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    if not os.path.exists(path) and os.path.isdir(os.path.dirname(os.path.abspath(path))):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for suffix in _SQLITE_SUFFIXES:
        try:
            mode = os.stat(path + suffix).st_mode
            if mode & 0o077:
                os.chmod(path + suffix, mode & 0o700)
        except (FileNotFoundError, PermissionError):
            continue


def init_app(app: Flask) -> None:
    keep_private(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A ping before each use finds a dropped network connection; a SQLite file has none,
        # and the ping was one more statement in every request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}
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
