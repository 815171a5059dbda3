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
from agmtool.models import Role, Translation, TranslationState, User, utcnow
from agmtool.security import roles_required
from agmtool.translation import domain as translation
from agmtool.translation import queue
from agmtool.translation.forms import SendBackForm, TranslationForm

bp = Blueprint("translate", __name__, url_prefix="/staff/translate")

TRANSLATORS = (Role.TRANSLATOR, Role.STAFF, Role.ADMIN)
# Who may follow a translation back to the page of its source (a concern, a meeting).
SOURCE_READERS = (Role.STAFF, Role.ADMIN)
PER_PAGE = 50
State = TranslationState


def queue_languages(user: User) -> list[str]:
    """The languages the queue counts and filters by: a translator's own; for staff every
    configured language but English, the language every text is translated from or into."""
    codes = queue.languages_of(user)
    return codes if codes is not None else [code for code in i18n.languages() if code != "en"]


def _filters(languages: list[str]) -> queue.Filters:
    args = request.args
    state = args.get("state")
    return queue.Filters(
        language=args.get("language") if args.get("language") in languages else None,
        state=State(state) if state in {s.value for s in queue.WAITING} else None,
        changed=args.get("changed") == "1")


def get_translation(translation_id: int) -> Translation:
    row = db.session.scalar(queue.visible(sa.select(Translation).where(
        Translation.id == translation_id), g.user))
    if row is None:
        abort(404)
    return row


@bp.get("/", endpoint="queue")
@roles_required(*TRANSLATORS)
def queue_page():
    languages = queue_languages(g.user)
    filters = _filters(languages)
    page = queue.page(g.user, filters, links.number(request.args.get("page"), 1), PER_PAGE)
    args = {"language": filters.language, "state": filters.state and filters.state.value,
            "changed": "1" if filters.changed else None}
    return render_template(
        "translate/queue.html", page=page, filters=filters, work_languages=languages,
        states=queue.WAITING, counts=queue.counts(g.user, languages),
        args={key: value for key, value in args.items() if value},
        kind_label=translation.kind_label, today=utcnow().date())


def _render(row: Translation, form: TranslationForm | None = None,
            back_form: SendBackForm | None = None, code: int = 200,
            seen_source: str | None = None):
    """The editor. ``seen_source``: the original as the person last saw it, when it has
    changed since (they are shown what changed, not the older diff)."""
    seen = {"seen_version": row.version, "seen_source": row.source_text}
    form = form or TranslationForm(formdata=None, text=row.text, **seen)
    back_form = back_form or SendBackForm(formdata=None, **seen)
    if seen_source is not None:
        changes = diffs.words(seen_source, row.source_text)
    else:
        changes = diffs.words(row.made_from, row.source_text) if row.stale else None
    source = translation.source_page(row) if g.user.role in SOURCE_READERS else None
    return render_template(
        "translate/editor.html", row=row, kind_label=translation.kind_label(row.source_type),
        form=form, back_form=back_form, may_approve=translation.may_approve(row, g.user),
        changes=changes, changed_while_open=seen_source is not None,
        source_url=url_for(source[0], **source[1]) if source else None,
        history=history.for_object(row), today=utcnow().date(),
    ), code


@bp.get("/<int:translation_id>")
@roles_required(*TRANSLATORS)
def editor(translation_id: int):
    return _render(get_translation(translation_id))


SAVED_MEANWHILE = _l("this translation")
SOURCE_CHANGED = _l("The original changed while you had this page open, so nothing was saved. "
                    "What changed is marked below and your text is still in the box: check "
                    "it against the original, then save again.")


def _source_changed(row: Translation, form) -> bool:
    """After a refused save: did the original change since the person opened the page? If
    so, the form is set to what the page now shows, so that the next save goes through."""
    seen = form.seen_source.data
    if seen is None or seen.strip() == row.source_text:
        return False
    form.seen_version.data, form.seen_source.data = row.version, row.source_text
    flash(SOURCE_CHANGED, "error")
    return True


def _conflict(row: Translation, text: str):
    """Someone saved this translation after the user opened it: both texts, theirs kept."""
    saved_by = row.translator.email if row.translator else None
    return diffs.conflict_page(
        title=_("Translation %(number)s", number=row.id), what=SAVED_MEANWHILE,
        saved_text=row.text, saved_by=saved_by, your_text=text,
        action=url_for("translate.save", translation_id=row.id), field="text",
        hidden={"seen_version": row.version, "seen_source": row.source_text, "step": "save"},
        lang=row.language)


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
        db.session.refresh(row)
        seen_source = form.seen_source.data
        if _source_changed(row, form):
            return _render(row, form, code=409, seen_source=seen_source)
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
        db.session.refresh(row)
        seen_source = form.seen_source.data
        if _source_changed(row, form):
            return _render(row, back_form=form, code=409, seen_source=seen_source)
        flash(_("Someone saved this translation after you opened it, so it was not sent "
                "back. Read it as it is now; your comment is still in the box."), "error")
        form.seen_version.data = row.version
        return _render(row, back_form=form, code=409)
    flash(_("The translation is sent back to its translator with your comment."), "info")
    return redirect(url_for("translate.editor", translation_id=row.id))


def language_pair(row: Translation) -> str:
    return _("%(source)s into %(target)s", source=i18n.language_name(row.source_language),
             target=i18n.language_name(row.language))


bp.add_app_template_filter(language_pair)
