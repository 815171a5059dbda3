"""The staff inbox: the list of concerns, staff entry, a concern's page with triage and its
English translations (written in the translation editor), and the CSV export."""

from __future__ import annotations

import click
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError

from agmtool import history, i18n, links, seasons, workflow
from agmtool.accounts import domain as accounts
from agmtool.concerns import domain as concerns
from agmtool.concerns import receipts
from agmtool.concerns import search as concern_search
from agmtool.concerns.forms import (
    CAPS,
    ActionForm,
    ClarifyForm,
    DeclineForm,
    EraseContactForm,
    MergeForm,
    StaffConcernForm,
    written_language,
)
from agmtool.database import StaleEdit
from agmtool.extensions import cache, db
from agmtool.forms import STALE_EDIT, AssignForm, options
from agmtool.models import (
    QUARANTINE_REASONS,
    Channel,
    Concern,
    ConcernStatus,
    Role,
    Topic,
    utcnow,
)
from agmtool.security import roles_required
from agmtool.translation import domain as translation

# `flask --app agmtool concerns purge-contacts` lives on this blueprint's command group.
bp = Blueprint("inbox", __name__, url_prefix="/staff/concerns", cli_group="concerns")

READERS = (Role.STAFF, Role.ADMIN, Role.TRANSLATOR)
TRIAGERS = (Role.STAFF, Role.ADMIN)
PER_PAGE = 25
# Buttons that move a concern without asking for anything more.
SIMPLE_ACTIONS = {
    "accept": concerns.accept,
    "release": concerns.release,
    "reopen": concerns.reopen,
}


@bp.before_request
def purge_contacts_once_a_day() -> None:
    """Erase contact details past their retention on the first staff request of the day.

    So erasure happens without anyone remembering to run the purge command (which still
    exists, for a cron job). ``cache.add`` only succeeds for the first request of the day
    (per cache: a shared one such as Redis makes that once for all workers).
    """
    if g.user is None or g.user.role not in TRIAGERS:
        return
    today = utcnow().date()
    if cache.add(f"contacts-purged-on:{today.isoformat()}", True, timeout=2 * 24 * 3600):
        concerns.purge_contacts(today)
        db.session.commit()


def sees_contacts() -> bool:
    return g.user is not None and g.user.role in TRIAGERS


def _translator_limits() -> dict:
    if g.user.role == Role.TRANSLATOR:
        return {"languages": g.user.language_list,
                "hide": {ConcernStatus.QUARANTINED, ConcernStatus.WITHDRAWN}}
    return {}


def _filters() -> concern_search.Filters:
    args = request.args
    season = args.get("season", "")
    company = args.get("company", "")
    return concern_search.Filters(
        status=(args.get("status") if args.get("status") in ConcernStatus._value2member_map_
                else None),
        language=args.get("language") if args.get("language") in i18n.languages() else None,
        company=company if company == "none" or links.number(company) else None,
        topic=args.get("topic") if args.get("topic") in Topic._value2member_map_ else None,
        season=seasons.parse(season),
        q=(args.get("q") or "").strip()[:200] or None,
        unread_answers=args.get("answers") == "unread",
        in_no_question=args.get("question") == "none",
        assignee=links.number(args.get("assignee")),
        **_translator_limits(),
    )


def _get_concern(concern_id: int) -> Concern:
    concern = db.session.get(Concern, concern_id)
    if concern is None:
        abort(404)
    limits = _translator_limits()
    if limits and (concern.language not in limits["languages"]
                   or concern.status in limits["hide"]):
        abort(404)
    return concern


@bp.get("/")
@roles_required(*READERS)
def index():
    filters = _filters()
    page = db.paginate(concern_search.search(filters),
                       page=links.number(request.args.get("page"), 1),
                       per_page=PER_PAGE, error_out=False, count=True)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    limits = _translator_limits()  # offer only what this reader can open
    return render_template(
        "inbox/index.html", page=page, filters=filters, args=args,
        counts=concern_search.counts(filters),
        unread_answers=concern_search.unread_answers(filters), companies=concerns.companies(),
        seasons=concern_search.received_seasons(), topics=list(Topic),
        statuses=[s for s in ConcernStatus if s not in limits.get("hide", ())],
        filter_languages=limits.get("languages", i18n.languages()),
        people=accounts.assignable(TRIAGERS) if sees_contacts() else [],
    )


@bp.get("/export.csv")
@roles_required(*TRIAGERS)
def export():
    with_contacts = g.user.role == Role.ADMIN and request.args.get("contacts") == "1"
    rows = concern_search.export_csv(_filters(), with_contacts=with_contacts)
    name = f"concerns-{utcnow().date().isoformat()}.csv"
    return Response(stream_with_context(rows), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


def _staff_form() -> StaffConcernForm:
    form = StaffConcernForm()
    form.offer_companies()
    languages = options((code, i18n.language_name(code)) for code in i18n.languages())
    # No default: a concern tagged with the wrong language reaches the wrong translator.
    form.language.choices = options([("", _("Choose the language"))]) + languages
    # Replies go in the concern's own language unless the person asked otherwise.
    form.reply_language.choices = options([("", _("The language of the concern"))]) + languages
    if request.method == "GET":
        form.idempotency_key.data = receipts.new_idempotency_key()
        form.received_on.data = utcnow().date()
    return form


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*TRIAGERS)
def new():
    form = _staff_form()
    if not form.validate_on_submit():
        return render_template("inbox/new.html", form=form, caps=CAPS), (
            422 if request.method == "POST" else 200)
    data = form.submission(form.language.data, channel=Channel(form.channel.data),
                           received_on=form.received_on.data)
    key = form.idempotency_key.data or receipts.new_idempotency_key()
    try:
        concern, code = concerns.submit(data, key, user=g.user)
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        flash(_("The database was busy and nothing was saved. Press “Save” again."), "error")
        return render_template("inbox/new.html", form=form, caps=CAPS), 503
    return render_template("inbox/entered.html", concern=concern, code=code)


@bp.get("/<int:concern_id>")
@roles_required(*READERS)
def detail(concern_id: int):
    return _render_detail(_get_concern(concern_id))


def _written_in(form) -> None:
    """The languages a staff text to the community can be written in; the reply language
    first, so that staff who can write it need no translation."""
    codes = sorted(i18n.languages(), key=lambda code: code != form.reply_language)
    form.language.choices = options((code, i18n.language_name(code)) for code in codes)


def _render_detail(concern: Concern, code: int = 200, decline_form: DeclineForm | None = None,
                   merge_form: MergeForm | None = None, clarify_form: ClarifyForm | None = None):
    seen = {"seen_status": concern.status.value}
    written = {"language": i18n.current_language()}
    decline_form = decline_form or DeclineForm(formdata=None, **seen, **written)
    clarify_form = clarify_form or ClarifyForm(formdata=None, **seen, **written)
    for form in (decline_form, clarify_form):
        form.reply_language = concern.reply_language
        _written_in(form)
    translated = concerns.all_translations(concern)
    entries, about = _history(concern, translated)
    return render_template(
        "inbox/detail.html", concern=concern,
        translations={kind: concerns.english(concern, kind)
                      for kind in (concerns.BODY, concerns.WANTED)},
        written=translated, history=entries, about=about,
        action_form=ActionForm(formdata=None, **seen),
        erase_form=EraseContactForm(formdata=None),
        decline_form=decline_form, clarify_form=clarify_form,
        merge_form=merge_form or MergeForm(formdata=None, **seen),
        allowed=concerns.allowed(concern),
        asked_before=concern_search.asked_before(concern, _translator_limits().get("languages")),
        sees_contacts=sees_contacts(),
        retention_ends=concerns.retention_ends(concern),
        quarantine_reasons=QUARANTINE_REASONS,
        merged_in=concerns.merged_in(concern),
        assign_form=_assign_form(concern) if sees_contacts() else None,
    ), code


def _assign_form(concern: Concern, formdata=None) -> AssignForm:
    return AssignForm.for_record(concern, accounts.assignable(TRIAGERS), formdata)


def _history(concern: Concern, translated: dict) -> tuple[list, dict]:
    """The concern's history with that of every translation of its texts, in order, and
    what each translation's entries are about ("Why a concern was declined, into
    Spanish")."""
    rows = [row for found in translated.values() for row in found]
    return history.for_records([concern, *rows]), translation.history_subjects(rows)


def _triage(concern: Concern, step, done: str | None = None, refused: str | None = None
            ) -> bool:
    """Run one triage ``step`` (a domain call), commit, and say how it went: ``done`` or the
    new status; ``refused`` when a merge is not possible. True when it was done."""
    try:
        step()
        db.session.commit()
        flash(done or _("Saved: %(status)s.", status=concern.status.label), "info")
        return True
    except StaleEdit:
        db.session.rollback()
        flash(STALE_EDIT, "error")
    except workflow.TransitionNotAllowed:
        db.session.rollback()
        flash(_("That step is not possible from “%(status)s”.",
                status=concern.status.label), "error")
    except concerns.MergeNotPossible:
        db.session.rollback()
        flash(refused, "error")
    return False


@bp.post("/<int:concern_id>/<any(accept, release, reopen):action>")
@roles_required(*TRIAGERS)
def act(concern_id: int, action: str):
    concern = _get_concern(concern_id)
    form = ActionForm()
    if form.validate_on_submit():
        _triage(concern, lambda: SIMPLE_ACTIONS[action](concern, g.user, form.seen_status.data))
    return redirect(url_for("inbox.detail", concern_id=concern.id))


def _written_step(concern_id: int, form_class, form_name: str, step):
    """A triage step with a text the community reads on its status page (decline, clarify):
    run ``step(concern, form)``; re-show the page with the text kept when the text is
    missing or the step could not be taken."""
    concern = _get_concern(concern_id)
    form = form_class()
    form.reply_language = concern.reply_language
    _written_in(form)
    if not form.validate_on_submit():
        return _render_detail(concern, 422, **{form_name: form})
    if not _triage(concern, lambda: step(concern, form)):
        # Someone moved the concern meanwhile: the page as it is now, with the text kept.
        form.seen_status.data = concern.status.value
        return _render_detail(concern, 409, **{form_name: form})
    return redirect(url_for("inbox.detail", concern_id=concern.id))


@bp.post("/<int:concern_id>/answer-read")
@roles_required(*TRIAGERS)
def answer_read(concern_id: int):
    concern = _get_concern(concern_id)
    if ActionForm().validate_on_submit() and concerns.mark_answers_read(concern, g.user):
        db.session.commit()
        flash(_("Marked as read."), "info")
    return redirect(url_for("inbox.detail", concern_id=concern.id))


@bp.post("/<int:concern_id>/assign")
@roles_required(*TRIAGERS)
def assign(concern_id: int):
    concern = _get_concern(concern_id)
    form = _assign_form(concern, formdata=request.form)
    if form.validate_on_submit() and history.assign(concern, g.user, form.chosen()):
        db.session.commit()
        flash(_("Saved."), "info")
    return redirect(url_for("inbox.detail", concern_id=concern.id))


@bp.post("/<int:concern_id>/decline")
@roles_required(*TRIAGERS)
def decline(concern_id: int):
    return _written_step(concern_id, DeclineForm, "decline_form", lambda concern, form:
                         concerns.decline(concern, g.user, form.reason.data,
                                          written_language(form.language),
                                          form.seen_status.data))


@bp.post("/<int:concern_id>/clarify")
@roles_required(*TRIAGERS)
def clarify(concern_id: int):
    return _written_step(concern_id, ClarifyForm, "clarify_form", lambda concern, form:
                         concerns.ask_clarification(concern, g.user, form.question.data,
                                                    written_language(form.language),
                                                    form.seen_status.data))


@bp.post("/<int:concern_id>/merge")
@roles_required(*TRIAGERS)
def merge(concern_id: int):
    concern = _get_concern(concern_id)
    form = MergeForm()
    if form.validate_on_submit():
        into = db.session.get(Concern, form.into.data)
        if into is None:
            form.into.errors.append(_("There is no concern with this number."))
        elif into.id == concern.id:
            form.into.errors.append(_("A concern cannot be merged into itself."))
    if form.errors:
        return _render_detail(concern, 422, merge_form=form)
    _triage(concern, lambda: concerns.merge(concern, into, g.user, form.seen_status.data),
            done=_("Merged into concern %(number)s.", number=into.id),
            refused=_("Concern %(number)s cannot take in others: it is merged, declined, "
                      "withdrawn or quarantined.", number=into.id))
    return redirect(url_for("inbox.detail", concern_id=concern.id))


@bp.post("/<int:concern_id>/erase-contact")
@roles_required(*TRIAGERS)
def erase_contact(concern_id: int):
    concern = _get_concern(concern_id)
    form = EraseContactForm()
    if not form.validate_on_submit():
        flash(_("Nothing was deleted: tick the box to confirm."), "error")
    elif concerns.erase_contact(concern, g.user):
        db.session.commit()
        flash(_("The contact details have been deleted."), "info")
    return redirect(url_for("inbox.detail", concern_id=concern.id))


@bp.cli.command("purge-contacts")
def purge_contacts_command() -> None:
    """Erase contact details kept longer than CONTACT_RETENTION after a concern closed."""
    erased = concerns.purge_contacts()
    db.session.commit()
    click.echo(f"Erased the contact details of {erased} concern(s).")
