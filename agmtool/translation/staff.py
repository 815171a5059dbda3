"""The translator's pages: the work waiting in their languages, and the side-by-side editor
where a translation is written, sent for review, approved or sent back."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from agmtool import diffs, history, i18n, links
from agmtool.database import StaleEdit
from agmtool.extensions import db
from agmtool.models import Role, Translation, TranslationState, User
from agmtool.security import roles_required
from agmtool.translation import domain as translation
from agmtool.translation.forms import SendBackForm, TranslationForm

bp = Blueprint("translate", __name__, url_prefix="/staff/translate")

TRANSLATORS = (Role.TRANSLATOR, Role.STAFF, Role.ADMIN)
PER_PAGE = 50


def languages_of(user: User) -> list[str] | None:
    """The languages whose work ``user`` sees (None: every language). A translator's are
    matched on the side that is not English: a Spanish translator puts Spanish texts into
    English and English texts into Spanish."""
    return user.language_list if user.role == Role.TRANSLATOR else None


def visible(query, user: User):
    """``query`` over Translation limited to what ``user`` may open."""
    codes = languages_of(user)
    if codes is None:
        return query
    return query.where(sa.or_(Translation.language.in_(codes),
                              Translation.source_language.in_(codes)))


def get_translation(translation_id: int) -> Translation:
    row = db.session.scalar(visible(sa.select(Translation).where(
        Translation.id == translation_id), g.user))
    if row is None:
        abort(404)
    return row


@bp.get("/")
@roles_required(*TRANSLATORS)
def queue():
    waiting = visible(sa.select(Translation).where(
        Translation.state != TranslationState.APPROVED), g.user).order_by(
        Translation.due_on.is_(None), Translation.due_on, Translation.id)
    page = db.paginate(waiting, page=links.number(request.args.get("page"), 1),
                       per_page=PER_PAGE, error_out=False, count=True)
    return render_template("translate/queue.html", page=page, kind_label=translation.kind_label)


def _render(row: Translation, form: TranslationForm | None = None,
            back_form: SendBackForm | None = None, code: int = 200):
    seen = {"seen_version": row.version}
    return render_template(
        "translate/editor.html", row=row, kind_label=translation.kind_label(row.source_type),
        form=form or TranslationForm(formdata=None, text=row.text, **seen),
        back_form=back_form or SendBackForm(formdata=None, **seen),
        may_approve=translation.may_approve(row, g.user),
        changes=diffs.words(row.made_from, row.source_text) if row.stale else None,
        history=history.for_object(row),
    ), code


@bp.get("/<int:translation_id>")
@roles_required(*TRANSLATORS)
def editor(translation_id: int):
    return _render(get_translation(translation_id))


SAVED_MEANWHILE = _l("this translation")


def _conflict(row: Translation, text: str):
    """Someone saved this translation after the user opened it: both texts, theirs kept."""
    db.session.refresh(row)
    saved_by = row.translator.email if row.translator else None
    return diffs.conflict_page(
        title=_("Translation %(number)s", number=row.id), what=SAVED_MEANWHILE,
        saved_text=row.text, saved_by=saved_by, your_text=text,
        action=url_for("translate.editor", translation_id=row.id), field="text",
        hidden={"seen_version": row.version, "step": "save"}, lang=row.language)


@bp.post("/<int:translation_id>")
@roles_required(*TRANSLATORS)
def save(translation_id: int):
    """Save as a draft or for review, or approve: approval is of the text in the box."""
    row = get_translation(translation_id)
    form = TranslationForm()
    step = request.form.get("step", "save")
    if not form.validate_on_submit():
        return _render(row, form, code=422)
    seen = links.number(form.seen_version.data)
    try:
        if step == "approve":
            translation.approve(row, g.user, seen, form.text.data)
            done = _("The translation is approved.")
        else:
            translation.save(row, form.text.data, g.user, seen, ready=step == "ready")
            done = (_("The translation is saved and waits for review.") if step == "ready"
                    else _("The translation is saved as a draft."))
        db.session.commit()
    except StaleEdit:
        db.session.rollback()
        return _conflict(row, form.text.data)
    except translation.NotYours:
        db.session.commit()  # the edited text was saved for another person to approve
        flash(_("You wrote this translation, so another person approves it. It is saved and "
                "waits for their review."), "info")
        return redirect(url_for("translate.editor", translation_id=row.id))
    flash(done, "info")
    return redirect(url_for("translate.editor", translation_id=row.id))


@bp.post("/<int:translation_id>/send-back")
@roles_required(*TRANSLATORS)
def send_back(translation_id: int):
    row = get_translation(translation_id)
    form = SendBackForm()
    if not form.validate_on_submit():
        return _render(row, back_form=form, code=422)
    try:
        translation.send_back(row, g.user, links.number(form.seen_version.data),
                              form.comment.data)
        db.session.commit()
    except StaleEdit:
        db.session.rollback()
        flash(_("Someone saved this translation after you opened it, so it was not sent "
                "back. Read it as it is now; your comment is still in the box."), "error")
        db.session.refresh(row)
        form.seen_version.data = str(row.version)
        return _render(row, back_form=form, code=409)
    flash(_("The translation is sent back to its translator with your comment."), "info")
    return redirect(url_for("translate.editor", translation_id=row.id))


def language_pair(row: Translation) -> str:
    return _("%(source)s into %(target)s", source=i18n.language_name(row.source_language),
             target=i18n.language_name(row.language))


bp.add_app_template_filter(language_pair)
