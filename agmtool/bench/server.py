"""The app as `make bench` serves it under gunicorn, and the bench-only endpoints that serve
each figure's baseline from the same server. They exist only where BENCH_ENDPOINTS is set,
which only the bench does (never in production: agmtool/config.py leaves it off and no
environment variable turns it on)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, jsonify, request, send_from_directory

import agmtool
from agmtool.extensions import csrf, db, limiter
from agmtool.meetings import feed_cache
from agmtool.models import Concern, ConcernTopic, History, Translation, utcnow

# Where the bench puts its overrides of the production configuration for gunicorn's workers.
SETTINGS = "AGMTOOL_BENCH_SETTINGS"

bp = Blueprint("bench", __name__, url_prefix="/bench")


def create_app() -> Flask:
    """The WSGI application gunicorn loads for the bench: agmtool/config.py's production
    defaults with the bench's overrides (database, key, base URL, rate limits and the
    minimum fill time off, the bench endpoints on)."""
    return agmtool.create_app(json.loads(os.environ[SETTINGS]))


def init_app(app: Flask) -> None:
    limiter.exempt(bp)
    csrf.exempt(bp)
    app.register_blueprint(bp)


@bp.get("/static/<path:name>")
def static_file(name: str):
    """A baseline: bytes served as a static file by the same server and the same app."""
    return send_from_directory(current_app.config["BENCH_STATIC_DIR"], name)


@bp.post("/insert")
def insert():
    """The baseline of a submission: one row in each table a submission writes (concern,
    concern_topic, translation, history), committed, with nothing checked, parsed or
    rendered."""
    request.get_data()  # read, as a form is, so the connection can be kept alive
    digest = hashlib.sha256(secrets.token_bytes(16)).hexdigest()
    concern_id = db.session.scalar(sa.insert(Concern).values(
        status="received", channel="form", language="es", reply_language="es",
        receipt_hash=digest, body="bench", attribution="anonymous", may_quote=False,
        received_on=utcnow().date(), version=1).returning(Concern.id))
    db.session.execute(sa.insert(ConcernTopic).values(concern_id=concern_id, topic="water"))
    db.session.execute(sa.insert(Translation).values(
        source_type="concern_body", source_id=concern_id, source_language="es",
        source_text="bench", language="en"))
    db.session.execute(sa.insert(History).values(
        at=utcnow(), object_type="concern", object_id=concern_id, action="submitted",
        changes={}))
    db.session.commit()
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/worker")
def worker():
    """Which worker answered, and how many meetings it has serialized since it started."""
    return jsonify(pid=os.getpid(), serialized=feed_cache.cached().serialized)
