"""Staff pages for companies and meetings: list, create, edit, postpone, cancel, reinstate,
delete, and the meetings' CSV export and upload."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from agmtool import forms, history, i18n
from agmtool.database import StaleEdit
from agmtool.extensions import db
from agmtool.meetings import agms, companies, csv_import
from agmtool.meetings import forms as agm_forms
from agmtool.models import AGM, Company, Role, utcnow
from agmtool.security import roles_required

bp = Blueprint("agm_admin", __name__, url_prefix="/staff")
STAFF = (Role.STAFF, Role.ADMIN)


def get_agm(agm_id: int) -> AGM:
    return db.session.get(AGM, agm_id) or abort(404)


def get_company(company_id: int) -> Company:
    return db.session.get(Company, company_id) or abort(404)


def _companies() -> list[Company]:
    return db.session.scalars(sa.select(Company).order_by(Company.name)).all()


def _show_errors(form, invalid: agms.Invalid) -> None:
    for name, messages in invalid.errors.items():
        field = getattr(form, name, None)
        # As plain text, so that the template escapes it: a lazy string passes as markup,
        # and some messages carry what the user typed (a listing's name).
        messages = [str(message) for message in messages]
        if field is not None:
            field.errors = [*field.errors, *messages]
        else:
            for message in messages:
                flash(message, "error")


def _validate(form, record) -> bool:
    """Validate a submitted edit form. A form that lost the version the user saw is treated
    as a stale edit: it is shown again with the current version, and nothing is saved."""
    ok = agm_forms.validate(form)
    if not ok and form.is_submitted() and form.version.errors:
        _stale(form, record)
    return ok


def _save(form, record, change, saved_message):
    """Run the domain function ``change`` once and commit: return its result. On Invalid or
    StaleEdit roll back, show the problem on ``form`` and return None."""
    try:
        result = change()
    except agms.Invalid as invalid:
        db.session.rollback()
        _show_errors(form, invalid)
        return None
    except StaleEdit:
        db.session.rollback()
        _stale(form, record)
        return None
    db.session.commit()
    flash(saved_message, "info")
    return result


def _stale(form, record) -> None:
    flash(forms.STALE_EDIT, "error")
    # The next save is checked against what the user can now see in the other tab.
    form.version.data = record.version


# --- meetings ----------------------------------------------------------------------------

def _meetings_page(form=None, **shown):
    """The list of meetings, with the upload ``form`` and what an upload did or found."""
    meetings = db.session.scalars(
        sa.select(AGM).order_by(AGM.local_date.desc(), AGM.id.desc())).all()
    # The local start, told apart where it falls in the hour that repeats.
    starts = {agm.id: (agms.start_instant(agm), agm.timezone) for agm in meetings}
    clocks = {agm_id: i18n.format_clock_in_zone(start, zone)
              for agm_id, (start, zone) in starts.items() if start is not None}
    return render_template("agm_admin/agms.html", meetings=meetings, clocks=clocks,
                           form=form or agm_forms.ImportForm(), changed_fields=_changed_fields,
                           **shown)


def _changed_fields(changes: dict) -> str:
    """The changed fields' names in the reader's language, in the form's order."""
    labels = agms.HISTORY.fields
    return ", ".join(str(label) for name, label in labels.items() if name in changes)


@bp.get("/agms/")
@roles_required(*STAFF)
def agm_list():
    return _meetings_page()


@bp.get("/agms/export.csv")
@roles_required(*STAFF)
def agm_export():
    name = f"meetings-{utcnow().date().isoformat()}.csv"
    return csv_import.export_csv(), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    }


@bp.post("/agms/import")
@roles_required(*STAFF)
def agm_import_upload():
    form = agm_forms.ImportForm()
    if not form.validate_on_submit():
        return _meetings_page(form)
    try:
        outcomes = csv_import.import_csv(form.file.data.read(), g.user)
    except csv_import.Refused as refused:
        db.session.rollback()
        return _meetings_page(form, problems=refused.problems)
    db.session.commit()
    return _meetings_page(form, outcomes=outcomes, counts=csv_import.counts(outcomes))


@bp.route("/agms/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def agm_new():
    form = agm_forms.MeetingForm(companies=_companies())
    if agm_forms.validate(form):
        agm = _save(form, None, lambda: agms.create_agm(g.user, form.values()),
                    _("The meeting is saved."))
        if agm is not None:
            return redirect(url_for("agm_admin.agm_edit", agm_id=agm.id))
    return render_template("agm_admin/agm_form.html", form=form, agm=None)


@bp.route("/agms/<int:agm_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def agm_edit(agm_id: int):
    agm = get_agm(agm_id)
    form = agm_forms.MeetingEditForm(obj=agm, companies=_companies())
    if agm.status not in {choice.value for choice in form.status.choices}:
        # A postponed or cancelled meeting keeps its status when other fields are edited.
        form.status.choices = [*form.status.choices, *forms.options(
            [(agm.status.value, agm.status.label)])]
    if _validate(form, agm):
        if _save(form, agm, lambda: agms.update_agm(agm, g.user, form.values(),
                                                    form.seen_version),
                 _("The meeting is saved.")) is not None:
            return redirect(url_for("agm_admin.agm_edit", agm_id=agm.id))
    elif not form.is_submitted():
        form.version.data = agm.version
        start = (datetime.combine(agm.local_date, agm.local_time)
                 if agm.local_time is not None else None)
        ambiguous = start is not None and agms.local_time_problem(
            start, agm.timezone) == "ambiguous"
        form.fold.data = agm.fold if ambiguous else None
    translations = agms.note_translations(agm)
    return render_template(
        "agm_admin/agm_form.html", form=form, agm=agm, note_translations=translations,
        history=history.for_records([agm, *translations]),
        about={(row.__tablename__, row.id): _("Public note, into %(language)s",
                                               language=i18n.language_name(row.language))
               for row in translations})


@bp.route("/agms/<int:agm_id>/postpone", methods=["GET", "POST"])
@roles_required(*STAFF)
def agm_postpone(agm_id: int):
    agm = get_agm(agm_id)
    form = agm_forms.PostponeForm()
    if _validate(form, agm):
        if _save(form, agm, lambda: agms.postpone(
                agm, g.user, form.note.data, form.seen_version, new_date=form.new_date.data,
                new_time=form.new_time.data,
                time_to_be_announced=form.time_to_be_announced.data,
                new_deadlines=form.new_deadlines(),
                deadlines_to_be_confirmed=form.deadlines.data == "tbc"),
                 _("The meeting is marked as postponed.")) is not None:
            return redirect(url_for("agm_admin.agm_edit", agm_id=agm.id))
    elif not form.is_submitted():
        form.version.data = agm.version
        for attr, _key, _label in agms.DEADLINES:
            form[attr].data = getattr(agm, attr)
    return render_template("agm_admin/agm_status.html", form=form, agm=agm, action="postpone",
                           has_deadlines=bool(agms.deadlines(agm)))


@bp.route("/agms/<int:agm_id>/reinstate", methods=["GET", "POST"])
@roles_required(*STAFF)
def agm_reinstate(agm_id: int):
    agm = get_agm(agm_id)
    form = agm_forms.ReinstateForm()
    if _validate(form, agm):
        if _save(form, agm, lambda: agms.reinstate(agm, g.user, form.note.data,
                                                   form.seen_version),
                 _("The meeting is reinstated.")) is not None:
            return redirect(url_for("agm_admin.agm_edit", agm_id=agm.id))
    elif not form.is_submitted():
        form.version.data = agm.version
    return render_template("agm_admin/agm_status.html", form=form, agm=agm,
                           action="reinstate")


@bp.route("/agms/<int:agm_id>/delete", methods=["GET", "POST"])
@roles_required(*STAFF)
def agm_delete(agm_id: int):
    agm = get_agm(agm_id)
    form = agm_forms.DeleteForm()
    if _validate(form, agm):
        if _save(form, agm, lambda: agms.delete_agm(agm, g.user, form.seen_version),
                 _("The meeting is deleted.")) is not None:
            return redirect(url_for("agm_admin.agm_list"))
    elif not form.is_submitted():
        form.version.data = agm.version
    return render_template("agm_admin/agm_delete.html", form=form, agm=agm,
                           references=agms.references(agm))


@bp.route("/agms/<int:agm_id>/cancel", methods=["GET", "POST"])
@roles_required(*STAFF)
def agm_cancel(agm_id: int):
    agm = get_agm(agm_id)
    form = agm_forms.CancelForm()
    if _validate(form, agm):
        if _save(form, agm, lambda: agms.cancel(agm, g.user, form.note.data,
                                                form.seen_version),
                 _("The meeting is marked as cancelled. It stays in the calendar feeds.")
                 ) is not None:
            return redirect(url_for("agm_admin.agm_edit", agm_id=agm.id))
    elif not form.is_submitted():
        form.version.data = agm.version
    return render_template("agm_admin/agm_status.html", form=form, agm=agm, action="cancel")


# --- companies ---------------------------------------------------------------------------

def _lines(rows, fmt) -> str:
    return "\n".join(fmt(row) for row in rows)


@bp.get("/companies/")
@roles_required(*STAFF)
def company_list():
    return render_template("agm_admin/companies.html", companies=_companies())


def _save_company(company: Company | None, form):
    listings, listing_problems = companies.parse_listings(form.listings.data)
    sites, site_problems = companies.parse_sites(form.sites.data)
    form.listings.errors = [*form.listings.errors, *map(str, listing_problems)]
    form.sites.errors = [*form.sites.errors, *map(str, site_problems)]
    values = {"name": form.name.data, "website": form.website.data, "notes": form.notes.data}
    if company is None:
        values["slug"] = form.slug.data
    if listing_problems or site_problems:
        # Every problem in one pass, not the lines first and the rest after.
        checked = {**values, "slug": company.slug if company else values["slug"]}
        for field, messages in companies.check_company(checked, company).items():
            form[field].errors = [*form[field].errors, *map(str, messages)]
        return None
    saved = _save(form, company, lambda: companies.save_company(
        company, g.user, values, listings, sites, form.seen_version),
        _("The company is saved."))
    if saved is None:
        return None
    return redirect(url_for("agm_admin.company_edit", company_id=saved.id))


@bp.route("/companies/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def company_new():
    form = agm_forms.CompanyForm()
    if agm_forms.validate(form):
        done = _save_company(None, form)
        if done is not None:
            return done
    return render_template("agm_admin/company_form.html", form=form, company=None)


@bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def company_edit(company_id: int):
    company = get_company(company_id)
    form = agm_forms.CompanyEditForm()
    if _validate(form, company):
        done = _save_company(company, form)
        if done is not None:
            return done
    elif not form.is_submitted():
        form.name.data = company.name
        form.website.data, form.notes.data = company.website, company.notes
        form.listings.data = _lines(company.listings, lambda x: f"{x.entity_name}; {x.exchange}; "
                                                                f"{x.ticker}")
        form.sites.data = _lines(company.sites, lambda s: f"{s.name}; {s.country}; "
                                                          f"{s.region or ''}".rstrip("; "))
        form.version.data = company.version
    return render_template("agm_admin/company_form.html", form=form, company=company,
                           history=history.for_object(company))
