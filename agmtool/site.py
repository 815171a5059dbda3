"""The site's own pages: the language redirect and switch, the home page, health, and the
staff start page: each role's dashboard (agmtool.dashboard)."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from sqlalchemy import text

from agmtool import dashboard, i18n
from agmtool.extensions import db, limiter
from agmtool.links import safe_next
from agmtool.meetings import agms
from agmtool.models import utcnow
from agmtool.security import roles_required
from agmtool.translation import domain as translation
from agmtool.translation import queue

# Pages under /<lang>/.
bp = Blueprint("public", __name__, url_prefix="/<lang>")
i18n.add_language_prefix(bp)
# Pages outside any language.
site = Blueprint("site", __name__)
# The area behind the login.
staff = Blueprint("staff", __name__, url_prefix="/staff")


@site.get("/")
def root():
    return redirect(url_for("public.home", lang=i18n.best_language()))


@bp.get("/")
def home():
    return render_template("public/home.html")


@site.get("/language/<code>")
def choose_language(code: str):
    """The language switch for pages without a /<lang>/ prefix (the staff area)."""
    if code in i18n.languages():
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


@site.get("/healthz")
@limiter.exempt
def healthz():
    db.session.execute(text("SELECT 1"))
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@staff.get("/", endpoint="index")
@roles_required()
def staff_start():
    board = dashboard.build(g.user, utcnow().date())
    return render_template(
        "staff/index.html", board=board,
        timeline=dashboard.timeline(board) if board.meetings else None,
        counted_statuses=dashboard.COUNTED, waiting_states=queue.WAITING,
        deadline_fields=agms.DEADLINES, in_days=dashboard.in_days,
        format_wall_clock=i18n.format_wall_clock, kind_label=translation.kind_label)


def init_app(app) -> None:
    app.register_blueprint(site)
    app.register_blueprint(bp)
    app.register_blueprint(staff)
