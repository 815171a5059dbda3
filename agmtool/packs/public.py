"""The community's report-back as a PDF, from its status page.

The receipt code never goes into a URL: the status page, once it has checked the code (by
POST), shows a link that carries a signed token naming the concern, good for
``LINK_SECONDS``. The token is not the code and opens nothing but this PDF; a link kept
past its time leads back to the status page.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from agmtool import i18n
from agmtool.concerns.status import StatusSection
from agmtool.extensions import db
from agmtool.models import Concern, ConcernStatus
from agmtool.packs import builds, staff
from agmtool.questions import answers

bp = Blueprint("packs_public", __name__, url_prefix="/<lang>")
i18n.add_language_prefix(bp)

LINK_SECONDS = 30 * 60
SALT = "agmtool.packs.report"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def report_token(concern: Concern) -> str:
    return _serializer().dumps(concern.id)


def concern_of(token: str) -> Concern | None:
    """The concern a token names, while the token is fresh and the concern not withdrawn."""
    try:
        concern_id = _serializer().loads(token, max_age=LINK_SECONDS)
    except BadSignature:  # also an expired one
        return None
    concern = db.session.get(Concern, concern_id) if isinstance(concern_id, int) else None
    if concern is None or concern.status == ConcernStatus.WITHDRAWN:
        return None
    return concern


def context(concern: Concern, _state: dict) -> dict:
    """The report-back link on the status page, once a question was asked in its name."""
    if concern.status == ConcernStatus.WITHDRAWN or not answers.report(concern):
        return {}
    return {"report_url": url_for("packs_public.report", token=report_token(concern)),
            "minutes": LINK_SECONDS // 60}


SECTION = StatusSection(template="packs/_status.html", context=context, actions={})


@bp.get("/status/report/<token>.pdf")
def report(token: str):
    if len(token) > 200:
        abort(404)
    concern = concern_of(token)
    if concern is None:
        return redirect(url_for("intake.status"))
    response = staff.pdf_response(builds.report(concern))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
