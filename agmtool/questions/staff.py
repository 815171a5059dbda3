"""Staff pages for questions: drafting from concerns or from a meeting, a question's page
(text, concerns and quoted words, translations, sign-offs, what happened at the meeting,
history), a meeting's running order and briefing, and communities' backgrounds."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from agmtool import diffs, history, i18n, links, workflow
from agmtool.accounts import domain as accounts
from agmtool.database import StaleEdit
from agmtool.extensions import db
from agmtool.forms import STALE_EDIT, AssignForm, options
from agmtool.models import (
    AGM,
    Community,
    Concern,
    ConcernStatus,
    EntryState,
    Question,
    QuestionProcess,
    QuestionStatus,
    Role,
    SignOffChannel,
    SignOffDecision,
    Source,
    Translation,
    utcnow,
)
from agmtool.questions import answers, attendees, briefing, signoffs
from agmtool.questions import domain as questions
from agmtool.questions.forms import (
    BackgroundForm,
    BriefingForm,
    CarryForm,
    ExcerptForm,
    LinkForm,
    MoveForm,
    NewQuestionForm,
    OutcomeForm,
    QuestionForm,
    RecordSignOffForm,
    SourceForm,
    WrittenAnswerForm,
)
from agmtool.security import roles_required
from agmtool.translation import domain as translation

bp = Blueprint("questions", __name__, url_prefix="/staff")

STAFF = (Role.STAFF, Role.ADMIN)
# What each move is called on its button.
MOVES = {
    QuestionStatus.IN_TRANSLATION: _l("Send for translation"),
    QuestionStatus.AWAITING_SIGNOFF: _l("Translations done: wait for the communities' sign-off"),
    QuestionStatus.APPROVED: _l("Approve the question"),
    QuestionStatus.DRAFT: _l("Back to draft"),
    QuestionStatus.WITHDRAWN: _l("Withdraw the question"),
}
NOT_READY = {
    "no_concern": _l("A question goes to translation once it answers at least one concern."),
    "translations": _l("Some translations are not approved yet: %(languages)s."),
    "signoffs": _l("These concerns have not signed the question off yet: %(concerns)s."),
}
def get_question(question_id: int) -> Question:
    return db.session.get(Question, question_id) or abort(404)


def get_agm(agm_id: int) -> AGM:
    return db.session.get(AGM, agm_id) or abort(404)


def _languages() -> list:
    return options([("", "—")] + [(code, i18n.language_name(code))
                                  for code in i18n.languages() if code != "en"])


def _upcoming_meetings(company_id: int | None = None) -> list[AGM]:
    """Meetings a question can be drafted for: from yesterday on, the company's first."""
    found = db.session.scalars(sa.select(AGM).where(
        AGM.local_date >= utcnow().date().replace(day=1))).all()
    return sorted(found, key=lambda agm: (agm.company_id != company_id, agm.local_date, agm.id))


def _meeting_label(agm: AGM) -> str:
    return f"{agm.company.name}: {i18n.format_day(agm.local_date, 'medium')}"


# --- the list -------------------------------------------------------------------------------

@bp.get("/questions/")
@roles_required(*STAFF)
def index():
    status = request.args.get("status")
    agm_id = links.number(request.args.get("agm"))
    query = sa.select(Question).join(AGM).order_by(AGM.local_date, Question.agm_id,
                                                    Question.position, Question.id)
    if status in QuestionStatus._value2member_map_:
        query = query.where(Question.status == status)
    if agm_id:
        query = query.where(Question.agm_id == agm_id)
    if request.args.get("overdue") == "1":
        query = query.where(Question.answer.has(answers.written_overdue(utcnow().date())))
    if assignee := links.number(request.args.get("assignee")):
        query = query.where(Question.assignee_id == assignee)
    page = db.paginate(query, page=links.number(request.args.get("page"), 1), per_page=50,
                       error_out=False, count=True)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("questions/index.html", page=page, args=args,
                           statuses=list(QuestionStatus),
                           status=status, agm=db.session.get(AGM, agm_id) if agm_id else None,
                           people=accounts.assignable(STAFF), assignee=assignee,
                           overdue=request.args.get("overdue") == "1")


# --- drafting ---------------------------------------------------------------------------------

def _accepted(company_id: int | None) -> list[Concern]:
    query = sa.select(Concern).where(Concern.status.in_(
        [ConcernStatus.ACCEPTED, ConcernStatus.ASKED, ConcernStatus.ANSWERED]))
    if company_id:
        query = query.where(Concern.company_id == company_id)
    return list(db.session.scalars(query.order_by(Concern.received_on.desc(), Concern.id)))


@bp.route("/questions/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new():
    """Draft a question: from a concern's page (``concern=``) or a meeting's (``agm=``)."""
    concern = db.session.get(Concern, links.number(request.values.get("concern")) or 0)
    agm = db.session.get(AGM, links.number(request.values.get("agm")) or 0)
    form = NewQuestionForm()
    company_id = agm.company_id if agm else concern.company_id if concern else None
    meetings = [agm] if agm else _upcoming_meetings(company_id)
    form.agm.choices = options([(m.id, _meeting_label(m)) for m in meetings])
    form.interpret_from.choices = _languages()
    offered = _accepted(company_id)
    chosen = [int(value) for value in request.form.getlist("concerns") if value.isdigit()]
    if request.method == "GET" and concern is not None:
        chosen = [concern.id]
    if form.validate_on_submit():
        meeting = db.session.get(AGM, links.number(form.agm.data) or 0)
        picked = [c for c in offered if c.id in chosen]
        if meeting is None:
            form.agm.errors.append(_("Choose the meeting."))
        elif not picked:
            flash(_("Choose at least one accepted concern the question answers."), "error")
        else:
            question = questions.draft(meeting, picked, form.text.data, g.user,
                                       background=form.background.data)
            questions.edit(question, g.user, {
                "needs_interpretation": form.needs_interpretation.data,
                "interpret_from": form.interpret_from.data or None,
                "sent_in_writing": form.sent_in_writing.data}, question.version)
            db.session.commit()
            flash(_("The question is drafted."), "info")
            return redirect(url_for("questions.detail", question_id=question.id))
    return render_template("questions/new.html", form=form, offered=offered, chosen=chosen,
                           agm=agm), 422 if request.method == "POST" else 200


# --- a question's page -------------------------------------------------------------------------

def _speakers(form: QuestionForm, question: Question) -> QuestionForm:
    """The speaker is one of the meeting's attendees (not those refused)."""
    form.speaker.choices = options([("", _("No speaker yet"))] + [
        (a.id, f"{a.name} ({a.entry.label}, {a.state.label})")
        for a in question.agm.attendees
        if a.state != EntryState.REFUSED or a.id == question.speaker_id])
    return form


def _edit_form(question: Question) -> QuestionForm:
    form = QuestionForm(formdata=None, obj=question, version=question.version,
                        speaker=str(question.speaker_id or ""))
    form.interpret_from.choices = _languages()
    return _speakers(form, question)


def _render(question: Question, code: int = 200, **forms):
    seen = {"seen_status": question.status.value}
    carry = CarryForm(formdata=None)
    carry.agm.choices = options([(m.id, _meeting_label(m)) for m in _upcoming_meetings(
        question.agm.company_id) if m.company_id == question.agm.company_id
        and m.local_date > question.agm.local_date])
    translations = db.session.scalars(sa.select(Translation).where(
        Translation.source_type.in_([questions.QUESTION, questions.BACKGROUND,
                                     answers.ANSWER, answers.WRITTEN_ANSWER]),
        Translation.source_id.in_([question.id, *([question.answer.id]
                                                   if question.answer else [])]))
        .order_by(Translation.source_type, Translation.language)).all()
    translations = [t for t in translations if (t.source_id == question.id) == (
        t.source_type in (questions.QUESTION, questions.BACKGROUND))]
    # Every save, review and approval of its translations reads with its own history.
    entries = history.for_records([question, *translations])
    return render_template(
        "questions/detail.html", question=question, agm=question.agm,
        speakers=questions.speakers_for(question), link_for=questions.link_for,
        states={c.id: signoffs.state(question, c) for c in questions.speakers_for(question)},
        needed={c.id: signoffs.needed(c) for c in questions.speakers_for(question)},
        signoff_labels=signoffs.LABELS, translations=translations,
        kind_label=lambda kind: questions.TRANSLATION_KINDS.get(
            kind, answers.TRANSLATION_KINDS.get(kind)).label,
        reading=questions.reading_seconds(question.text),
        allowed=sorted(questions.TRANSITIONS[question.status], key=list(QuestionStatus).index),
        moves=MOVES, move_form=MoveForm(formdata=None, **seen),
        edit_form=forms.get("edit_form") or _edit_form(question),
        link_form=forms.get("link_form") or LinkForm(formdata=None),
        excerpt_forms=forms.get("excerpt_forms") or {},
        outcome_form=forms.get("outcome_form") or _outcome_form(question),
        written_form=forms.get("written_form") or WrittenAnswerForm(
            formdata=None, seen_version=question.answer.version if question.answer else ""),
        signoff_form=forms.get("signoff_form") or RecordSignOffForm(
            formdata=None, given_on=utcnow().date()),
        carry_form=carry, asked_before=questions.asked_before(question),
        history=entries, about=translation.history_subjects(translations),
        text_changes=_text_changes(entries),
        quotable=questions.quotable, community_name=questions.community_name,
        person_name=questions.person_name, overdue=_overdue(question),
        assign_form=_assign_form(question),
        speaker_problems=[str(attendees.PROBLEMS[key]) % {"language": i18n.language_name(
            attendees.spoken_in(question) or "en")}
            for key in attendees.speaker_problems(question)],
    ), code


def _assign_form(question: Question, formdata=None) -> AssignForm:
    return AssignForm.for_record(question, accounts.assignable(STAFF), formdata)


@bp.post("/questions/<int:question_id>/assign")
@roles_required(*STAFF)
def assign(question_id: int):
    question = get_question(question_id)
    form = _assign_form(question, formdata=request.form)
    if form.validate_on_submit() and history.assign(question, g.user, form.chosen()):
        db.session.commit()
        flash(_("Saved."), "info")
    return redirect(url_for("questions.detail", question_id=question.id))


def _outcome_form(question: Question) -> OutcomeForm:
    answer = question.answer
    return OutcomeForm(
        formdata=None, seen_status=question.status.value,
        asked={QuestionStatus.ASKED: "asked",
               QuestionStatus.NOT_REACHED: "not_reached"}.get(question.status),
        answer_text=answer.text if answer else None,
        given_by=answer.given_by if answer else None,
        written_promised=answer.written_promised if answer else False,
        written_due=answer.written_due if answer else None)


def _overdue(question: Question) -> bool:
    answer = question.answer
    return bool(answer and answer.written_promised and not answer.written_text
                and answer.written_due and answer.written_due < date.today())


def _text_changes(entries) -> dict[int, list]:
    """The word diff of each history entry that changed the question's text (its
    translations' entries keep no text)."""
    return {entry.id: diffs.words(*entry.changes["text"]) for entry in entries
            if entry.object_type == Question.__tablename__ and "text" in entry.changes
            and all(isinstance(v, str | None) for v in entry.changes["text"])}


@bp.get("/questions/<int:question_id>")
@roles_required(*STAFF)
def detail(question_id: int):
    return _render(get_question(question_id))


@bp.post("/questions/<int:question_id>/edit")
@roles_required(*STAFF)
def edit(question_id: int):
    question = get_question(question_id)
    form = _speakers(QuestionForm(), question)
    form.interpret_from.choices = _languages()
    if not form.validate_on_submit():
        return _render(question, 422, edit_form=form)
    try:
        questions.edit(question, g.user, {
            "text": form.text.data, "background": form.background.data,
            "speaker_id": links.number(form.speaker.data),
            "needs_interpretation": form.needs_interpretation.data,
            "interpret_from": form.interpret_from.data or None,
            "sent_in_writing": form.sent_in_writing.data},
            links.number(form.version.data) or 0)
        db.session.commit()
    except ValueError:  # a speaker who does not attend this meeting (a stale page)
        db.session.rollback()
        form.speaker.errors = [_("Choose one of this meeting's attendees.")]
        return _render(question, 422, edit_form=form)
    except StaleEdit:
        db.session.rollback()
        db.session.refresh(question)
        return diffs.conflict_page(
            title=_("Question %(number)s", number=question.id), what=_("this question"),
            saved_text=question.text, saved_by=None, your_text=form.text.data,
            action=url_for("questions.edit", question_id=question.id), field="text",
            hidden={"version": question.version, "background": question.background or "",
                    "speaker": question.speaker_id or "",
                    "interpret_from": question.interpret_from or "",
                    **({"needs_interpretation": "y"} if question.needs_interpretation else {}),
                    **({"sent_in_writing": "y"} if question.sent_in_writing else {})},
            lang="en")
    flash(_("The question is saved."), "info")
    return redirect(url_for("questions.detail", question_id=question.id))


def _not_ready_message(error: questions.NotReady) -> str:
    details = error.details
    return str(NOT_READY[error.reason]) % {
        "languages": ", ".join(i18n.language_name(c) for c in details.get("languages", [])),
        "concerns": ", ".join(_("concern %(number)s", number=n)
                              for n in details.get("concerns", []))}


def _step(question: Question, do, done: str) -> None:
    """Run one domain step, commit, and say how it went."""
    try:
        do()
        db.session.commit()
        flash(done, "info")
    except StaleEdit:
        db.session.rollback()
        flash(STALE_EDIT, "error")
    except workflow.TransitionNotAllowed:
        db.session.rollback()
        flash(_("That step is not possible from “%(status)s”.", status=question.status.label),
              "error")
    except questions.NotReady as error:
        db.session.rollback()
        flash(_not_ready_message(error), "error")


@bp.post("/questions/<int:question_id>/move/<any(draft, in_translation, awaiting_signoff, "
         "approved, withdrawn):to>")
@roles_required(*STAFF)
def move(question_id: int, to: str):
    question = get_question(question_id)
    form = MoveForm()
    if form.validate_on_submit():
        _step(question, lambda: questions.move(question, QuestionStatus(to), g.user,
                                               form.seen_status.data or None),
              _("Saved: %(status)s.", status=QuestionStatus(to).label))
    return redirect(url_for("questions.detail", question_id=question.id))


@bp.post("/questions/<int:question_id>/attention-read")
@roles_required(*STAFF)
def attention_read(question_id: int):
    question = get_question(question_id)
    if MoveForm().validate_on_submit():
        questions.clear_attention(question, g.user)
        db.session.commit()
    return redirect(url_for("questions.detail", question_id=question.id))


@bp.post("/questions/<int:question_id>/link")
@roles_required(*STAFF)
def link(question_id: int):
    question = get_question(question_id)
    form = LinkForm()
    if not form.validate_on_submit():
        return _render(question, 422, link_form=form)
    concern = db.session.get(Concern, form.concern.data)
    try:
        if concern is None:
            raise ValueError("no such concern")
        questions.link(question, concern, g.user)
        db.session.commit()
    except ValueError:
        db.session.rollback()
        form.concern.errors.append(_("Only an accepted concern that is not linked yet can "
                                     "be added."))
        return _render(question, 422, link_form=form)
    flash(_("Concern %(number)s is added.", number=concern.id), "info")
    return redirect(url_for("questions.detail", question_id=question.id))


@bp.post("/questions/<int:question_id>/unlink/<int:concern_id>")
@roles_required(*STAFF)
def unlink(question_id: int, concern_id: int):
    question = get_question(question_id)
    concern = db.session.get(Concern, concern_id) or abort(404)
    if MoveForm().validate_on_submit():
        questions.unlink(question, concern, g.user)
        db.session.commit()
        flash(_("Concern %(number)s is removed from the question.", number=concern.id), "info")
    return redirect(url_for("questions.detail", question_id=question.id))


@bp.post("/questions/<int:question_id>/excerpt/<int:concern_id>")
@roles_required(*STAFF)
def excerpt(question_id: int, concern_id: int):
    question = get_question(question_id)
    concern = db.session.get(Concern, concern_id) or abort(404)
    form = ExcerptForm()
    if form.validate_on_submit():
        try:
            questions.choose_excerpt(question, concern, form.excerpt.data, g.user,
                                     links.number(form.seen_version.data) or 0)
            db.session.commit()
            flash(_("The quoted words are saved. The community is asked to sign them off "
                    "with the question."), "info")
            return redirect(url_for("questions.detail", question_id=question.id))
        except StaleEdit:
            db.session.rollback()
            form.excerpt.errors.append(str(STALE_EDIT))
        except ValueError:
            db.session.rollback()
            form.excerpt.errors.append(_("Copy the words exactly as the community wrote them, "
                                         "from its concern: only its own words are quoted."))
    return _render(question, 422, excerpt_forms={concern.id: form})


@bp.post("/questions/<int:question_id>/signoff")
@roles_required(*STAFF)
def record_signoff(question_id: int):
    """A sign-off given by phone, message or in a meeting, recorded by staff."""
    question = get_question(question_id)
    form = RecordSignOffForm()
    concern = db.session.get(Concern, links.number(form.concern.data) or 0)
    if concern is None or concern not in questions.speakers_for(question):
        abort(404)
    if not form.validate_on_submit():
        return _render(question, 422, signoff_form=form)
    try:
        signoffs.respond(question, concern, SignOffDecision(form.decision.data),
                         form.comment.data, SignOffChannel(form.channel.data), g.user,
                         given_by=form.given_by.data, given_on=form.given_on.data)
        db.session.commit()
    except ValueError:
        db.session.rollback()
        flash(_("The community cannot read this question in its language yet, so no sign-off "
                "can be recorded for it."), "error")
        return _render(question, 409, signoff_form=form)
    flash(_("The sign-off is recorded."), "info")
    return redirect(url_for("questions.detail", question_id=question.id))


@bp.post("/questions/<int:question_id>/outcome")
@roles_required(*STAFF)
def outcome(question_id: int):
    question = get_question(question_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _render(question, 422, outcome_form=form)
    if form.written_promised.data and form.written_due.data is None:
        form.written_due.errors.append(_("Give the day the written answer is due."))
        return _render(question, 422, outcome_form=form)
    _step(question, lambda: answers.record_outcome(
        question, g.user, form.asked.data == "asked", form.seen_status.data or None,
        text=form.answer_text.data, given_by=form.given_by.data,
        written_promised=form.written_promised.data, written_due=form.written_due.data),
        _("What happened at the meeting is recorded."))
    return redirect(url_for("questions.detail", question_id=question.id))


@bp.post("/questions/<int:question_id>/written-answer")
@roles_required(*STAFF)
def written_answer(question_id: int):
    question = get_question(question_id)
    if question.answer is None:
        abort(404)
    form = WrittenAnswerForm()
    if not form.validate_on_submit():
        return _render(question, 422, written_form=form)
    try:
        answers.record_written_answer(question.answer, g.user, form.written_text.data,
                                      form.written_received_on.data,
                                      links.number(form.seen_version.data) or 0)
        db.session.commit()
    except StaleEdit:
        db.session.rollback()
        form.written_text.errors.append(str(STALE_EDIT))
        return _render(question, 409, written_form=form)
    flash(_("The written answer is recorded."), "info")
    return redirect(url_for("questions.detail", question_id=question.id))


@bp.post("/questions/<int:question_id>/carry")
@roles_required(*STAFF)
def carry(question_id: int):
    question = get_question(question_id)
    form = CarryForm()
    to = db.session.get(AGM, links.number(form.agm.data) or 0)
    if form.validate_on_submit() and to is not None:
        try:
            new = questions.carry(question, to, g.user)
            db.session.commit()
            flash(_("The question is carried to the meeting of %(day)s as a new draft.",
                    day=i18n.format_day(to.local_date, "long")), "info")
            return redirect(url_for("questions.detail", question_id=new.id))
        except ValueError:
            db.session.rollback()
    flash(_("A question not reached is carried to a later meeting of the same company."),
          "error")
    return redirect(url_for("questions.detail", question_id=question.id))


# --- a meeting's running order and briefing ------------------------------------------------------

@bp.get("/agms/<int:agm_id>/questions")
@roles_required(*STAFF)
def running_order(agm_id: int):
    agm = get_agm(agm_id)
    order = questions.running_order(agm)
    return render_template("questions/running_order.html", agm=agm, order=order,
                           reading={q.id: questions.reading_seconds(q.text) for q in order},
                           problems={q.id: attendees.speaker_problems(q) for q in order},
                           problem_text=attendees.PROBLEMS, spoken_in=attendees.spoken_in,
                           move_form=MoveForm(formdata=None))


@bp.post("/questions/<int:question_id>/shift/<any(up, down):way>")
@roles_required(*STAFF)
def shift(question_id: int, way: str):
    question = get_question(question_id)
    if MoveForm().validate_on_submit():
        questions.shift(question, -1 if way == "up" else 1, g.user)
        db.session.commit()
    return redirect(url_for("questions.running_order", agm_id=question.agm_id,
                            _anchor=f"question-{question.id}"))


@bp.post("/agms/<int:agm_id>/questions/order")
@roles_required(*STAFF)
def reorder(agm_id: int):
    """The whole order at once (the drag and drop of the running order page)."""
    agm = get_agm(agm_id)
    if MoveForm().validate_on_submit():
        ids = [int(value) for value in request.form.get("order", "").split(",")
               if value.strip().isdigit()]
        questions.reorder(agm, ids, g.user)
        db.session.commit()
    return redirect(url_for("questions.running_order", agm_id=agm.id))


@bp.route("/agms/<int:agm_id>/briefing", methods=["GET", "POST"])
@roles_required(*STAFF)
def meeting_briefing(agm_id: int):
    agm = get_agm(agm_id)
    form = BriefingForm(obj=agm) if request.method == "GET" else BriefingForm()
    if request.method == "GET":
        form.version.data = agm.version
        form.question_process.data = agm.question_process.value if agm.question_process else ""
    source_form = SourceForm(formdata=None)
    if form.validate_on_submit():
        try:
            briefing.set_briefing(agm, g.user, form.question_seconds.data,
                                  QuestionProcess(form.question_process.data)
                                  if form.question_process.data else None,
                                  form.practical_notes.data, links.number(form.version.data) or 0)
            db.session.commit()
            flash(_("The briefing is saved."), "info")
            return redirect(url_for("questions.meeting_briefing", agm_id=agm.id))
        except StaleEdit:
            db.session.rollback()
            flash(STALE_EDIT, "error")
            form.version.data = db.session.get(AGM, agm_id).version
    return render_template("questions/briefing.html", agm=agm, form=form,
                           source_form=source_form), 422 if form.errors else 200


@bp.post("/agms/<int:agm_id>/sources")
@roles_required(*STAFF)
def add_source(agm_id: int):
    agm = get_agm(agm_id)
    source_form = SourceForm()
    if source_form.validate_on_submit():
        try:
            briefing.add_source(agm, g.user, source_form.title.data, source_form.publisher.data,
                                source_form.published_on.data, source_form.link.data)
            db.session.commit()
            flash(_("The source is added."), "info")
            return redirect(url_for("questions.meeting_briefing", agm_id=agm.id))
        except ValueError:
            db.session.rollback()
            source_form.link.errors.append(_("Enter a link starting with https://."))
    form = BriefingForm(formdata=None, obj=agm, version=agm.version)
    return render_template("questions/briefing.html", agm=agm, form=form,
                           source_form=source_form), 422


@bp.post("/sources/<int:source_id>/remove")
@roles_required(*STAFF)
def remove_source(source_id: int):
    source = db.session.get(Source, source_id) or abort(404)
    agm_id = source.agm_id
    if MoveForm().validate_on_submit():
        briefing.remove_source(source, g.user)
        db.session.commit()
    return redirect(url_for("questions.meeting_briefing", agm_id=agm_id))


# --- communities ---------------------------------------------------------------------------------

@bp.get("/communities/")
@roles_required(*STAFF)
def communities():
    found = db.session.scalars(sa.select(Community).order_by(Community.name)).all()
    return render_template("questions/communities.html", communities=found)


@bp.route("/communities/<int:community_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def community(community_id: int):
    found = db.session.get(Community, community_id) or abort(404)
    form = BackgroundForm(obj=found) if request.method == "GET" else BackgroundForm()
    if request.method == "GET":
        form.version.data = found.version
    if form.validate_on_submit():
        try:
            briefing.set_background(found, g.user, form.background.data,
                                    links.number(form.version.data) or 0)
            db.session.commit()
            flash(_("The background is saved."), "info")
            return redirect(url_for("questions.community", community_id=found.id))
        except StaleEdit:
            db.session.rollback()
            db.session.refresh(found)
            return diffs.conflict_page(
                title=found.name, what=_("this background"),
                saved_text=found.background or "", saved_by=None,
                your_text=form.background.data or "",
                action=url_for("questions.community", community_id=found.id),
                field="background", hidden={"version": found.version}, lang="en")
    return render_template("questions/community.html", community=found, form=form,
                           history=history.for_object(found)), 422 if form.errors else 200

