"""Pages for attendance: staff keep the friendly shareholders and a meeting's attendees
(their way in, their proxy's state against the deadlines, their travel); an attendee reads
their own meetings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from agmtool import history, i18n, links, workflow
from agmtool.database import StaleEdit
from agmtool.extensions import db
from agmtool.forms import STALE_EDIT, options
from agmtool.meetings.agms import Invalid
from agmtool.models import (
    AGM,
    Attendee,
    Company,
    EntryState,
    Role,
    Shareholder,
    utcnow,
)
from agmtool.questions import attendees, briefing, deadlines, signoffs
from agmtool.questions import domain as questions
from agmtool.questions.forms import (
    AttendeeForm,
    HoldingForm,
    MoveForm,
    ShareholderForm,
    TravelForm,
)
from agmtool.security import roles_required
from agmtool.translation import domain as translation

bp = Blueprint("attendance", __name__, url_prefix="/staff")

STAFF = (Role.STAFF, Role.ADMIN)

def _show(form, invalid: Invalid) -> None:
    """Put the domain's messages under their fields (or above the form)."""
    for name, messages in invalid.errors.items():
        field = form._fields.get(name)
        for message in messages:
            if field is not None:
                field.errors = [*field.errors, str(message)]
            else:
                flash(str(message), "error")


def _when(agm: AGM):
    """Formats a naive local time of the meeting as its city's clock reads it."""
    zone = ZoneInfo(agm.timezone)
    return lambda local: i18n.format_in_zone(local.replace(tzinfo=zone), agm.timezone)


def get_agm(agm_id: int) -> AGM:
    return db.session.get(AGM, agm_id) or abort(404)


def get_attendee(attendee_id: int) -> Attendee:
    return db.session.get(Attendee, attendee_id) or abort(404)


# --- friendly shareholders ----------------------------------------------------------------

@bp.get("/shareholders/")
@roles_required(*STAFF)
def shareholders():
    return render_template("attendance/shareholders.html",
                           shareholders=attendees.shareholders())


def _shareholder_page(shareholder: Shareholder | None, form: ShareholderForm,
                      holding_form: HoldingForm | None = None, code: int = 200):
    holding_form = holding_form or HoldingForm(formdata=None)
    holding_form.company.choices = options(
        [("", "—")] + [(c.id, c.name) for c in db.session.scalars(
            db.select(Company).order_by(Company.name))])
    return render_template(
        "attendance/shareholder.html", shareholder=shareholder, form=form,
        holding_form=holding_form,
        history=history.for_object(shareholder) if shareholder else []), code


@bp.route("/shareholders/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_shareholder():
    form = ShareholderForm()
    if form.validate_on_submit():
        try:
            found = attendees.save_shareholder(None, g.user, form.data)
            db.session.commit()
            flash(_("The shareholder is saved."), "info")
            return redirect(url_for("attendance.shareholder", shareholder_id=found.id))
        except Invalid as invalid:
            db.session.rollback()
            _show(form, invalid)
    return _shareholder_page(None, form, code=422 if request.method == "POST" else 200)


@bp.route("/shareholders/<int:shareholder_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def shareholder(shareholder_id: int):
    found = db.session.get(Shareholder, shareholder_id) or abort(404)
    if request.method == "GET":
        form = ShareholderForm(obj=found, version=found.version)
        form.holding.data = found.holding.value
        return _shareholder_page(found, form)
    form = ShareholderForm()
    if form.validate_on_submit():
        try:
            attendees.save_shareholder(found, g.user, form.data,
                                       links.number(form.version.data) or 0)
            db.session.commit()
            flash(_("The shareholder is saved."), "info")
            return redirect(url_for("attendance.shareholder", shareholder_id=found.id))
        except Invalid as invalid:
            db.session.rollback()
            _show(form, invalid)
        except StaleEdit:
            db.session.rollback()
            flash(STALE_EDIT, "error")
            form.version.data = db.session.get(Shareholder, shareholder_id).version
    return _shareholder_page(found, form, code=422)


@bp.post("/shareholders/<int:shareholder_id>/holding")
@roles_required(*STAFF)
def set_holding(shareholder_id: int):
    found = db.session.get(Shareholder, shareholder_id) or abort(404)
    holding_form = HoldingForm()
    company = db.session.get(Company, links.number(holding_form.company.data) or 0)
    if holding_form.validate_on_submit() and company is not None:
        try:
            attendees.set_holding(found, company.id, holding_form.shares.data, g.user)
            db.session.commit()
            flash(_("The shares are saved."), "info")
            return redirect(url_for("attendance.shareholder", shareholder_id=found.id))
        except Invalid as invalid:
            db.session.rollback()
            _show(holding_form, invalid)
    elif company is None and not holding_form.company.errors:
        holding_form.company.errors = [_("Choose the company.")]
    form = ShareholderForm(formdata=None, obj=found, version=found.version)
    return _shareholder_page(found, form, holding_form, 422)


# --- a meeting's attendees ----------------------------------------------------------------

def _choices(form: AttendeeForm, agm: AGM) -> AttendeeForm:
    form.user_id.choices = options([("", _("None: a community representative without an "
                                          "account"))] +
                                   [(u.id, u.name or _("account %(number)s", number=u.id))
                                    for u in attendees.accounts()])
    form.community_id.choices = options([("", "—")] + [(c.id, c.name)
                                                       for c in attendees.communities()])
    form.language.choices = options([(code, i18n.language_name(code))
                                     for code in i18n.languages()])
    form.interprets.choices = options([(code, i18n.language_name(code))
                                       for code in i18n.languages()])
    form.shareholding_id.choices = options(
        [("", "—")] + [(h.id, ngettext("%(name)s: %(num)s share, %(free)s free",
                                       "%(name)s: %(num)s shares, %(free)s free", h.shares,
                                       name=h.shareholder.name,
                                       free=i18n.format_number(
                                           h.shares - attendees.carried(h, agm))))
                       for h in attendees.holdings_for(agm)])
    return form


def _values(form: AttendeeForm) -> dict:
    return {"name": form.name.data, "user_id": links.number(form.user_id.data),
            "community_id": links.number(form.community_id.data),
            "language": form.language.data or "en",
            "needs_interpretation": form.needs_interpretation.data,
            "may_be_named": form.may_be_named.data, "interprets": form.interprets.data,
            "entry": form.entry.data, "shareholding_id": links.number(form.shareholding_id.data),
            "shares": form.shares.data or 0, "online_login": form.online_login.data,
            "contact_details": form.contact_details.data}


def _meeting_page(agm: AGM, form: AttendeeForm | None = None, code: int = 200):
    form = form or _choices(AttendeeForm(formdata=None, shares=1, language="en"), agm)
    return render_template(
        "attendance/meeting.html", agm=agm, form=form,
        standings=attendees.standings(agm), proxy=deadlines.proxy_deadline(agm),
        record=deadlines.record_deadline(agm), place=deadlines.place(agm.timezone),
        warn_days=attendees.WARN_DAYS, next_step=attendees.next_step, when=_when(agm)), code


@bp.route("/agms/<int:agm_id>/attendees", methods=["GET", "POST"])
@roles_required(*STAFF)
def meeting(agm_id: int):
    agm = get_agm(agm_id)
    if request.method == "GET":
        return _meeting_page(agm)
    form = _choices(AttendeeForm(), agm)
    if form.validate_on_submit():
        try:
            added = attendees.add(agm, g.user, _values(form))
            db.session.commit()
            flash(_("%(name)s is added to the meeting.", name=added.name), "info")
            return redirect(url_for("attendance.meeting", agm_id=agm.id))
        except Invalid as invalid:
            db.session.rollback()
            _show(form, invalid)
    return _meeting_page(agm, form, 422)


def _attendee_page(attendee: Attendee, form: AttendeeForm | None = None,
                   travel_form: TravelForm | None = None, code: int = 200):
    if form is None:
        form = AttendeeForm(formdata=None, obj=attendee, version=attendee.version)
        form.entry.data = attendee.entry.value
        form.interprets.data = attendee.interpret_list
        form.user_id.data = str(attendee.user_id or "")
        form.community_id.data = str(attendee.community_id or "")
        form.shareholding_id.data = str(attendee.shareholding_id or "")
        form.shares.data = attendee.shares or 1
    _choices(form, attendee.agm)
    travel_form = travel_form or TravelForm(formdata=None, obj=attendee,
                                            version=attendee.version)
    return render_template(
        "attendance/attendee.html", attendee=attendee, agm=attendee.agm, form=form,
        travel_form=travel_form, allowed=attendees.allowed(attendee),
        move_form=MoveForm(formdata=None, seen_status=attendee.state.value),
        history=history.for_object(attendee)), code


@bp.route("/attendees/<int:attendee_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def attendee(attendee_id: int):
    found = get_attendee(attendee_id)
    if request.method == "GET":
        return _attendee_page(found)
    form = _choices(AttendeeForm(), found.agm)
    if form.validate_on_submit():
        try:
            attendees.edit(found, g.user, _values(form), links.number(form.version.data) or 0)
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("attendance.attendee", attendee_id=found.id))
        except Invalid as invalid:
            db.session.rollback()
            _show(form, invalid)
        except StaleEdit:
            db.session.rollback()
            flash(STALE_EDIT, "error")
            form.version.data = db.session.get(Attendee, attendee_id).version
    return _attendee_page(found, form, code=422)


@bp.post("/attendees/<int:attendee_id>/travel")
@roles_required(*STAFF)
def travel(attendee_id: int):
    found = get_attendee(attendee_id)
    travel_form = TravelForm()
    if travel_form.validate_on_submit():
        try:
            attendees.edit(found, g.user, {name: travel_form[name].data for name in (
                "visa", "arrives_on", "leaves_on", "lodging", "travel_notes")},
                links.number(travel_form.version.data) or 0)
            db.session.commit()
            flash(_("The travel details are saved."), "info")
            return redirect(url_for("attendance.attendee", attendee_id=found.id))
        except Invalid as invalid:
            db.session.rollback()
            _show(travel_form, invalid)
        except StaleEdit:
            db.session.rollback()
            flash(STALE_EDIT, "error")
            travel_form.version.data = db.session.get(Attendee, attendee_id).version
    return _attendee_page(found, travel_form=travel_form, code=422)


@bp.post("/attendees/<int:attendee_id>/move/<any(requested, appointed, lodged, confirmed, "
         "refused):to>")
@roles_required(*STAFF)
def move(attendee_id: int, to: str):
    found = get_attendee(attendee_id)
    form = MoveForm()
    if form.validate_on_submit():
        try:
            attendees.move(found, EntryState(to), g.user, form.seen_status.data or None)
            db.session.commit()
            flash(_("%(name)s: %(state)s.", name=found.name, state=EntryState(to).label),
                  "info")
        except StaleEdit:
            db.session.rollback()
            flash(STALE_EDIT, "error")
        except workflow.TransitionNotAllowed:
            db.session.rollback()
            flash(_("That step is not possible from “%(status)s”.",
                    status=found.state.label), "error")
        except Invalid as invalid:
            db.session.rollback()
            for messages in invalid.errors.values():
                for message in messages:
                    flash(str(message), "error")
    return redirect(request.form.get("back") == "meeting" and url_for(
        "attendance.meeting", agm_id=found.agm_id) or url_for("attendance.attendee",
                                                               attendee_id=found.id))


@bp.post("/attendees/<int:attendee_id>/remove")
@roles_required(*STAFF)
def remove(attendee_id: int):
    found = get_attendee(attendee_id)
    agm_id = found.agm_id
    if MoveForm().validate_on_submit():
        attendees.remove(found, g.user)
        db.session.commit()
        flash(_("The attendee is taken off the meeting."), "info")
        return redirect(url_for("attendance.meeting", agm_id=agm_id))
    return redirect(url_for("attendance.attendee", attendee_id=attendee_id))


@bp.cli.command("purge-details")
def purge_command() -> None:
    """Erase attendees' contact details and travel kept longer than ATTENDANCE_RETENTION
    after their meeting."""
    erased = attendees.purge(utcnow().date(), current_app.config["ATTENDANCE_RETENTION"])
    db.session.commit()
    click.echo(f"Erased the contact details and travel of {erased} attendee(s).")


# --- the attendee's own meetings ----------------------------------------------------------

@bp.get("/attending/")
@roles_required(Role.ATTENDEE)
def mine():
    return render_template("attendance/mine.html", entries=attendees.entries_of(g.user))


@bp.get("/attending/<int:agm_id>")
@roles_required(Role.ATTENDEE)
def my_meeting(agm_id: int):
    agm = get_agm(agm_id)
    entry = attendees.entry_of(g.user, agm)
    if entry is None:
        abort(404)
    language = i18n.current_language()
    reading = []
    for question in attendees.reads(entry):
        background = question.background
        if language != "en" and background:
            row = translation.readable(questions.BACKGROUND, question.id, language)
            background = row.text if row is not None else background
        reading.append({
            "question": question, "text": questions.in_language(question, language),
            "background": background,
            "quoted": [words for link in question.links
                       if (words := signoffs.signed_off_excerpt(question, link))]})
    notes = agm.practical_notes
    if language != "en" and notes:
        row = translation.readable(briefing.PRACTICAL_NOTES, agm.id, language)
        notes = row.text if row is not None else notes
    return render_template(
        "attendance/my_meeting.html", agm=agm, entry=entry, reading=reading, notes=notes,
        proxy=deadlines.proxy_deadline(agm), record=deadlines.record_deadline(agm),
        others=attendees.named_others(entry), when=_when(agm),
        start=datetime.combine(agm.local_date, agm.local_time)
        if agm.local_time and not agm.date_estimated else None)
