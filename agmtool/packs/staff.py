"""Staff pages of packs: a meeting's pack and cards as PDF (staff, and the attendees of that
meeting), its list of builds with the superseded ones marked, and a concern's report-back
as its community reads it. A PDF that takes longer than about a second to render gets a
page that says it is being prepared and refreshes itself until the PDF is ready."""

from __future__ import annotations

from flask import Blueprint, abort, g, make_response, render_template, request
from flask_babel import lazy_gettext as _l

from agmtool import links
from agmtool.extensions import db
from agmtool.models import AGM, Concern, Role
from agmtool.packs import builds
from agmtool.packs.documents import Failed, Pending
from agmtool.security import roles_required

bp = Blueprint("packs", __name__, url_prefix="/staff")

STAFF = (Role.STAFF, Role.ADMIN)
# Seconds between two looks of the "being prepared" page.
REFRESH_SECONDS = 2
FAILED = {
    "timeout": _l("The PDF took longer than its time limit to render and was stopped. "
                  "Look for a very long text in the questions or notes, then try again."),
    "memory": _l("The PDF needed more memory than its limit and was stopped. Look for a "
                 "very long text in the questions or notes, then try again."),
    "crashed": _l("The PDF renderer stopped unexpectedly. Try again in a minute."),
    "busy": _l("Too many PDFs are being rendered right now. Try again in a minute."),
    "failed": _l("The PDF could not be rendered. Try again in a minute; if it fails again, "
                 "tell an administrator."),
}


def get_agm(agm_id: int) -> AGM:
    agm = db.session.get(AGM, agm_id)
    if agm is None or not builds.may_read(g.user, agm.id):
        abort(404)
    return agm


def check_reader(agm_id: int) -> None:
    """404 unless the reader may read the meeting's pack (builds.may_read): no query for
    staff, whose cached pack is found without reading the meeting at all."""
    if not builds.may_read(g.user, agm_id):
        abort(404)


def pdf_response(wanted: builds.Wanted, template: str = "packs/preparing.html"):
    """The PDF of ``wanted``, or the page that refreshes until it is ready, or the page that
    says why it failed. An unchanged PDF the browser holds is answered 304 from its hash.
    A meeting that is not there is a 404."""
    try:
        known = builds.digest(wanted)
    except LookupError:
        abort(404)
    etag = f'"{known.digest[:32]}"'
    if request.headers.get("If-None-Match") == etag:
        response = make_response("", 304)
    else:
        result = builds.fetch(wanted, known)
        if isinstance(result, Pending):
            response = make_response(render_template(template, refresh=REFRESH_SECONDS), 202)
            response.headers["Refresh"] = str(REFRESH_SECONDS)
            response.headers["Cache-Control"] = "no-store"
            return response
        if isinstance(result, Failed):
            response = make_response(render_template(
                "packs/failed.html", message=FAILED.get(result.reason, FAILED["failed"])), 503)
            response.headers["Cache-Control"] = "no-store"
            return response
        if builds.record(wanted, result.digest, g.get("user")):
            db.session.commit()
        response = make_response(result.data)
        response.headers["Content-Type"] = "application/pdf"
        response.headers["Content-Disposition"] = f'inline; filename="{known.name}"'
        etag = f'"{result.digest[:32]}"'
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/agms/<int:agm_id>/pack.pdf")
@roles_required(Role.STAFF, Role.ADMIN, Role.ATTENDEE)
def pack(agm_id: int):
    check_reader(agm_id)
    return pdf_response(builds.pack(agm_id, _pdf_ua()))


def _pdf_ua() -> bool:
    """``?ua=1``: PDF/UA-1 (every PDF is tagged; this adds the PDF/UA identification)."""
    return request.args.get("ua") == "1"


@bp.get("/agms/<int:agm_id>/cards.pdf")
@roles_required(Role.STAFF, Role.ADMIN, Role.ATTENDEE)
def cards(agm_id: int):
    check_reader(agm_id)
    speaker = links.number(request.args.get("speaker"))
    if "speaker" in request.args and speaker is None:
        abort(404)
    return pdf_response(builds.cards(agm_id, speaker, _pdf_ua()))


@bp.get("/agms/<int:agm_id>/packs")
@roles_required(*STAFF)
def listing(agm_id: int):
    agm = get_agm(agm_id)
    return render_template("packs/builds.html", agm=agm, builds=builds.listed(agm),
                           speakers=_speakers(agm))


def meeting_builds(agm: AGM) -> list[builds.Listed]:
    """The meeting's builds for a staff page (the running order shows them too)."""
    return builds.listed(agm)


def _speakers(agm: AGM) -> list[tuple[int, str]]:
    """The meeting's attendees who read questions there (for their cards)."""
    found: dict[int, str] = {}
    for question in agm.questions:
        if question.speaker is not None:
            found[question.speaker.id] = question.speaker.name
    return sorted(found.items(), key=lambda item: item[1])


@bp.get("/concerns/<int:concern_id>/report.pdf")
@roles_required(*STAFF)
def report(concern_id: int):
    concern = db.session.get(Concern, concern_id)
    if concern is None:
        abort(404)
    return pdf_response(builds.report(concern))
