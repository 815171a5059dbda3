"""The translator's pages: the work waiting in their languages, and the side-by-side editor
where a translation is written, sent for review, approved or sent back."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
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
from flask_babel import lazy_gettext as _l

from agmtool import diffs, history, i18n, links
from agmtool.accounts import domain as accounts
from agmtool.database import StaleEdit
from agmtool.extensions import db
from agmtool.forms import AssignForm
from agmtool.models import (
    EVERY_LANGUAGE,
    GlossaryTerm,
    Role,
    TermKind,
    Translation,
    TranslationState,
    User,
    utcnow,
)
from agmtool.security import roles_required
from agmtool.translation import domain as translation
from agmtool.translation import glossary, memory, queue, xliff
from agmtool.translation.forms import (
    GlossaryTermForm,
    OverrideForm,
    SeenForm,
    SendBackForm,
    TranslationForm,
    XliffUploadForm,
)

bp = Blueprint("translate", __name__, url_prefix="/staff/translate")

TRANSLATORS = (Role.TRANSLATOR, Role.STAFF, Role.ADMIN)
# Who may follow a translation back to the page of its source (a concern, a meeting).
SOURCE_READERS = (Role.STAFF, Role.ADMIN)
PER_PAGE = 50


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
        state=TranslationState(state) if state in {s.value for s in queue.WAITING} else None,
        changed=args.get("changed") == "1",
        assignee=links.number(args.get("assignee")))


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
            "changed": "1" if filters.changed else None,
            "assignee": filters.assignee}
    return render_template(
        "translate/queue.html", page=page, filters=filters, work_languages=languages,
        people=accounts.assignable(TRANSLATORS) if g.user.role in SOURCE_READERS else [],
        states=queue.WAITING, counts=queue.counts(g.user, languages),
        args={key: value for key, value in args.items() if value},
        kind_label=translation.kind_label, today=utcnow().date())


def _assign_form(row: Translation, formdata=None) -> AssignForm:
    """Staff give a translation to a colleague, or to a translator who works in its
    language (the side that is not English)."""
    language = row.language if row.language != "en" else row.source_language
    return AssignForm.for_record(row, accounts.assignable(TRANSLATORS, language), formdata)


@bp.post("/<int:translation_id>/assign")
@roles_required(*SOURCE_READERS)
def assign(translation_id: int):
    row = get_translation(translation_id)
    form = _assign_form(row, formdata=request.form)
    if form.validate_on_submit() and history.assign(row, g.user, form.chosen()):
        db.session.commit()
        flash(_("Saved."), "info")
    return redirect(url_for("translate.editor", translation_id=row.id))


def _render(row: Translation, form: TranslationForm | None = None,
            back_form: SendBackForm | None = None, code: int = 200,
            seen_source: str | None = None, override_form: OverrideForm | None = None):
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
        assign_form=_assign_form(row) if g.user.role in SOURCE_READERS else None,
        **_aids(row, form.text.data or "", override_form),
    ), code


def _aids(row: Translation, text: str, override_form: OverrideForm | None) -> dict:
    """What the editor's places for the memory and the glossary show: the suggestions for
    the original, its glossary terms checked against the text in the box, and the reason
    an approver gives to approve a text that breaks them."""
    checks = glossary.check(row.source_text, text, row.source_language, row.language)
    suggestions = [(found, diffs.words(found.source_text, found.piece))
                   for found in memory.suggest_for(row)]
    return {"suggestions": suggestions, "checks": checks,
            "broken": [check for check in checks if not check.kept],
            "override_form": override_form or OverrideForm(formdata=None)}


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
    if "use" in request.form:
        return _with_suggestion(row, form, request.form["use"])
    override_form = OverrideForm()
    if not (form.validate_on_submit() and override_form.validate()):
        return _render(row, form, code=422, override_form=override_form)
    seen = links.number(form.seen_version.data)
    try:
        if step == "approve":
            translation.approve(row, g.user, seen, form.text.data,
                                override=override_form.override.data)
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
    except translation.GlossaryBroken:
        db.session.rollback()
        flash(_("Not approved: this translation does not keep the glossary terms marked "
                "below. Correct it, or give your reason to approve it as it is. Your text "
                "is still in the box."), "error")
        return _render(row, form, code=422, override_form=override_form)
    except translation.NotYours:
        db.session.commit()  # the edited text was saved for another person to approve
        flash(_("You wrote this translation, so another person approves it. It is saved and "
                "waits for their review."), "info")
        return redirect(url_for("translate.editor", translation_id=row.id))
    flash(done, "info")
    return redirect(url_for("translate.editor", translation_id=row.id))


def _with_suggestion(row: Translation, form: TranslationForm, segment_id: str):
    """The editor again, with a suggestion of the memory in the box; nothing is saved."""
    segment = memory.segment(links.number(segment_id), row.source_language, row.language)
    if segment is None:
        flash(_("That suggestion is no longer in the memory."), "error")
    else:
        form.text.data = memory.with_suggestion(form.text.data or "", segment,
                                                row.source_text)
        flash(_("The suggestion is in the box. Check it against the original, then save: "
                "nothing is saved until you do."), "info")
    return _render(row, form)


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


# --- the glossary -------------------------------------------------------------------------

def _glossary_page(form: GlossaryTermForm | None = None, code: int = 200):
    shown = request.args.get("language")
    shown = shown if shown in i18n.languages() else None
    terms = db.session.scalars(sa.select(GlossaryTerm).where(
        sa.or_(GlossaryTerm.source_language.in_([shown, EVERY_LANGUAGE]),
               GlossaryTerm.language.in_([shown, EVERY_LANGUAGE])) if shown else sa.true())
        .order_by(GlossaryTerm.term_key, GlossaryTerm.source_language, GlossaryTerm.language))
    form = form or GlossaryTermForm(formdata=None, kind=TermKind.KEEP,
                                    source_language=EVERY_LANGUAGE, language=EVERY_LANGUAGE)
    return render_template("translate/glossary.html", terms=list(terms), form=form,
                           shown=shown, glossary_languages=i18n.languages(),
                           may_edit=lambda term: glossary.may_edit(
                               g.user, term.source_language, term.language)), code


def _term_values(form: GlossaryTermForm) -> dict:
    return {"kind": TermKind(form.kind.data), "source_language": form.source_language.data,
            "language": form.language.data, "term": form.term.data,
            "rendering": form.rendering.data, "note": form.note.data}


TERM_PROBLEMS = {
    "term": _l("Write the term with at least one letter or digit."),
    "pair": _l("A term translated one way belongs to one pair of languages: choose both."),
    "rendering": _l("Write how the term must be translated."),
    "length": _l("The term, its translation or the note is too long."),
}
NOT_YOUR_PAIR = _l("You translate other languages: ask an administrator to change terms of "
                   "this pair.")


def _refused(form: GlossaryTermForm, error: Exception) -> None:
    """Put a domain refusal on the form, by the field it concerns."""
    if isinstance(error, glossary.TermExists):
        form.term.errors = [_("This pair of languages already has this term: change the one "
                              "listed instead.")]
    else:
        field = {"pair": form.language, "rendering": form.rendering}.get(error.args[0], form.term)
        field.errors = [str(TERM_PROBLEMS.get(error.args[0], TERM_PROBLEMS["term"]))]


@bp.get("/glossary/")
@roles_required(*TRANSLATORS)
def glossary_page():
    return _glossary_page()


@bp.post("/glossary/")
@roles_required(*TRANSLATORS)
def glossary_add():
    form = GlossaryTermForm()
    if not form.validate_on_submit():
        return _glossary_page(form, 422)
    values = _term_values(form)
    if not glossary.may_edit(g.user, values["source_language"], values["language"]):
        form.language.errors = [str(NOT_YOUR_PAIR)]
        return _glossary_page(form, 403)
    try:
        term = glossary.add(g.user, **values)
        db.session.commit()
    except (glossary.BadTerm, glossary.TermExists) as error:
        db.session.rollback()
        _refused(form, error)
        return _glossary_page(form, 422)
    flash(_("The term “%(term)s” is in the glossary.", term=term.term), "info")
    return redirect(url_for("translate.glossary_page") + f"#term-{term.id}")


def get_term(term_id: int) -> GlossaryTerm:
    term = db.session.get(GlossaryTerm, term_id)
    if term is None:
        abort(404)
    return term


def _term_page(term: GlossaryTerm, form: GlossaryTermForm | None = None, code: int = 200):
    form = form or GlossaryTermForm(formdata=None, obj=term, seen_version=term.version)
    return render_template(
        "translate/glossary_term.html", term=term, form=form,
        delete_form=SeenForm(formdata=None, seen_version=term.version),
        may_edit=glossary.may_edit(g.user, term.source_language, term.language),
        history=history.for_object(term)), code


@bp.get("/glossary/<int:term_id>")
@roles_required(*TRANSLATORS)
def glossary_term(term_id: int):
    return _term_page(get_term(term_id))


@bp.post("/glossary/<int:term_id>")
@roles_required(*TRANSLATORS)
def glossary_save(term_id: int):
    term = get_term(term_id)
    form = GlossaryTermForm()
    if not form.validate_on_submit():
        return _term_page(term, form, 422)
    values = _term_values(form)
    if not (glossary.may_edit(g.user, term.source_language, term.language)
            and glossary.may_edit(g.user, values["source_language"], values["language"])):
        form.language.errors = [str(NOT_YOUR_PAIR)]
        return _term_page(term, form, 403)
    try:
        glossary.change(term, g.user, links.number(form.seen_version.data), **values)
        db.session.commit()
    except StaleEdit:
        db.session.rollback()
        db.session.refresh(term)
        flash(_("Someone changed this term after you opened it, so your change was not "
                "saved. It is shown as it is now; your values are still in the form."), "error")
        form.seen_version.data = term.version
        return _term_page(term, form, 409)
    except (glossary.BadTerm, glossary.TermExists) as error:
        db.session.rollback()
        _refused(form, error)
        return _term_page(term, form, 422)
    flash(_("The term is saved."), "info")
    return redirect(url_for("translate.glossary_term", term_id=term.id))


@bp.post("/glossary/<int:term_id>/delete")
@roles_required(*TRANSLATORS)
def glossary_delete(term_id: int):
    term = get_term(term_id)
    form = SeenForm()
    if not glossary.may_edit(g.user, term.source_language, term.language):
        abort(403)
    name = term.term
    try:
        glossary.delete(term, g.user, links.number(form.seen_version.data))
        db.session.commit()
    except StaleEdit:
        db.session.rollback()
        flash(_("Someone changed this term after you opened it, so it was not deleted. Read "
                "it as it is now."), "error")
        return redirect(url_for("translate.glossary_term", term_id=term_id))
    flash(_("The term “%(term)s” is deleted from the glossary.", term=name), "info")
    return redirect(url_for("translate.glossary_page"))


# --- XLIFF exchange -----------------------------------------------------------------------

REASONS = {
    "unknown": _l("not a translation of this tool that you may open"),
    "source_changed": _l("the original changed after the export: export again and translate "
                         "the new original"),
    "saved_meanwhile": _l("someone saved this translation after the export: read it in the "
                          "editor before you replace it"),
    "too_long": _l("longer than 20,000 characters"),
}
FILE_PROBLEMS = {
    "unreadable": _l("This file is not an XLIFF file we can read. Export it from your tool "
                     "as XLIFF 1.2 (or 1.1) and try again."),
    "doctype": _l("This file declares a DOCTYPE, which we refuse: it can make a file read "
                  "other files. Export it again without one."),
}


def _pairs(user: User) -> list[tuple[str, str, int]]:
    """The language pairs ``user`` may export, with how many translations wait in each."""
    counted = db.session.execute(queue.visible(
        sa.select(Translation.source_language, Translation.language, sa.func.count())
        .where(Translation.state.in_(queue.WAITING)), user)
        .group_by(Translation.source_language, Translation.language)
        .order_by(Translation.source_language, Translation.language)).all()
    return [(source, target, count) for source, target, count in counted]


def _exchange_page(form: XliffUploadForm | None = None, result=None, code: int = 200):
    return render_template(
        "translate/exchange.html", pairs=_pairs(g.user),
        form=form or XliffUploadForm(formdata=None), result=result, reasons=REASONS,
        limit=current_app.config["XLIFF_MAX_BYTES"]), code


@bp.get("/xliff/")
@roles_required(*TRANSLATORS)
def exchange():
    return _exchange_page()


@bp.get("/xliff/<source>-<target>.xlf")
@roles_required(*TRANSLATORS)
def xliff_export(source: str, target: str):
    codes = queue.languages_of(g.user)
    if source == target or source not in i18n.languages() or target not in i18n.languages() \
            or (codes is not None and not {source, target} & set(codes)):
        abort(404)
    rows = xliff.waiting(source, target)
    notes = {row.id: str(translation.kind_label(row.source_type)) for row in rows}
    return Response(xliff.export(rows, source, target, notes),
                    mimetype="application/x-xliff+xml", headers={
                        "Content-Disposition":
                            f"attachment; filename=agmtool-{source}-{target}.xlf"})


@bp.url_value_preprocessor
def _larger_upload(endpoint: str | None, _values) -> None:
    # An XLIFF file may be a few megabytes; every other request keeps the app's small limit.
    # Set here because URL value preprocessors run before any before_request function (the
    # CSRF check reads the body in one).
    if endpoint == "translate.xliff_import":
        request.max_content_length = current_app.config["XLIFF_MAX_BYTES"]
        request.max_form_memory_size = current_app.config["XLIFF_MAX_BYTES"]


@bp.post("/xliff/")
@roles_required(*TRANSLATORS)
def xliff_import():
    form = XliffUploadForm()
    if not form.validate_on_submit():
        return _exchange_page(form, code=422)
    try:
        result = xliff.import_file(form.file.data.read(), g.user)
        db.session.commit()
    except xliff.NotXliff as error:
        db.session.rollback()
        form.file.errors = [str(FILE_PROBLEMS[error.args[0]])]
        return _exchange_page(form, code=422)
    return _exchange_page(result=result)


# --- commands -----------------------------------------------------------------------------

@click.group("translations", help="The translation memory.")
def translations_cli() -> None:
    pass


@translations_cli.command("import-tmx")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_tmx_command(path: Path) -> None:
    """Load an existing translation memory from the TMX file PATH (OmegaT, Trados, Weblate
    and others export one): each unit in our languages becomes a suggestion."""
    try:
        imported = memory.import_tmx(path.read_bytes(), path.name)
    except memory.NotAMemory as error:
        raise click.ClickException(f"{path.name} is not a TMX file we can read ({error}); "
                                   "nothing was imported.") from error
    db.session.commit()
    skipped = (f" ({imported.skipped} unit{'s' if imported.skipped != 1 else ''} skipped: "
               "no language pair of ours)" if imported.skipped else "")
    click.echo(f"Imported {imported.segments} segments from {path.name}{skipped}.")


@translations_cli.command("rebuild-memory")
def rebuild_memory_command() -> None:
    """Add every approved translation to the memory again (after an upgrade); imported
    segments stay."""
    count = memory.rebuild()
    db.session.commit()
    click.echo(f"The memory holds {count} segments of approved translations.")
