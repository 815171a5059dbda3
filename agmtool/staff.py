"""The area behind the login: a start page that shows each role what it can do."""

from __future__ import annotations

from flask import Blueprint, render_template

from agmtool.auth import roles_required

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
@roles_required()
def index():
    return render_template("staff/index.html")
