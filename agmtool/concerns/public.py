"""The public side of concerns: the form, the receipt, the status page and withdrawal."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature, TimestampSigner
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict
from wtforms import ValidationError

from agmtool import i18n, workflow
from agmtool.concerns import domain as concerns
from agmtool.concerns import receipts
from agmtool.concerns import status as status_page
from agmtool.concerns.forms import CAPS, AnswerForm, ConcernForm, StatusForm, WithdrawForm
from agmtool.database import StaleEdit
from agmtool.extensions import csrf, db, give_rate_limit_id, limiter
from agmtool.forms import options
from agmtool.models import ConcernStatus

bp = Blueprint("intake", __name__, url_prefix="/<lang>")
i18n.add_language_prefix(bp)

# The status as the community reads it; a quarantined concern reads as received.
STATUS_WORDING = {
    ConcernStatus.RECEIVED: _l("We have received your concern. Our team will read it soon."),
    ConcernStatus.QUARANTINED: _l(
        "We have received your concern. Our team will read it soon."),
    ConcernStatus.NEEDS_CLARIFICATION: _l(
        "Our team needs to ask you something about your concern. If you "
        "left contact details, we may also get in touch."),
    ConcernStatus.ACCEPTED: _l(
        "Your concern has been accepted. We are preparing a question for the "
        "company's annual meeting."),
    ConcernStatus.MERGED: _l(
        "Other people raised the same problem. We have joined your concern with "
        "theirs so that they are asked together."),
    ConcernStatus.DECLINED: _l("We cannot take your concern to a company meeting this time."),
    ConcernStatus.ASKED: _l(
        "Your question was asked at the company's meeting. We will bring you the "
        "company's answer."),
    ConcernStatus.ANSWERED: _l(
        "The company has answered. Its answer is below as soon as it is ready in "
        "your language."),
    ConcernStatus.CLOSED: _l("The work on this concern is finished."),
    ConcernStatus.WITHDRAWN: _l(
        "You withdrew this concern. What you wrote and your contact details have "
        "been deleted."),
}

FORM_PROBLEMS = {
    "csrf": _l("This page was open for a long time, so for your safety we could not accept it "
               "yet. Your text is still here: check it and press “Send” again."),
    # A browser that refuses cookies fails the token check every time: say so instead.
    "no_cookie": _l("Your browser did not send back this site's cookie, so we could not accept "
                    "the form. The cookie only protects this form and holds nothing about you. "
                    "Allow cookies for this site, then press the button again; anything you "
                    "typed is still here."),
    # The status and withdrawal forms carry no text of the person's to keep.
    "csrf_status": _l("This page was open for a long time, so for your safety we could not "
                      "accept it yet. Press the button again."),
    "encoding": _l("Some characters could not be read, and are shown as �. Check your text, "
                   "correct them and send again."),
    "invalid": _l("Something needs your attention. Look for the messages in red below; "
                  "your text is still here."),
    "busy": _l("We are very busy right now. Please wait a minute and press “Send” again; your "
               "text is still here."),
    "status_busy": _l("Too many codes were tried from here in a short time. For your safety, "
                      "wait a minute before trying again."),
    "locked": _l("We could not save your concern just now. Please press “Send” again; your "
                 "text is still here."),
}


def _form_limit():
    return current_app.config["CONCERN_RATE_LIMIT"]


def _form_global_limit():
    return current_app.config["CONCERN_GLOBAL_RATE_LIMIT"]


def _status_limit():
    return current_app.config["STATUS_RATE_LIMIT"]


def _status_global_limit():
    return current_app.config["STATUS_GLOBAL_RATE_LIMIT"]


def _everyone() -> str:
    return "everyone"


def _got_through(response) -> bool:
    # The global ceiling counts only requests that were not refused: a client that keeps
    # sending past its own limit (or the shared no-session one) does not use it up.
    return response.status_code != 429


def _posted() -> tuple[MultiDict, bool]:
    """The posted fields, and whether they were valid UTF-8.

    Werkzeug turns a body with invalid UTF-8 into an empty form; reading the raw body
    first lets us keep what can be read and say what went wrong.
    """
    raw = request.get_data(cache=True)
    if request.mimetype == "application/x-www-form-urlencoded":
        # The body may carry raw UTF-8 (curl -d, many HTTP libraries) as well as
        # percent-escapes of it (browsers): both are read as UTF-8.
        try:
            text, readable = raw.decode("utf-8"), True
        except UnicodeDecodeError:
            text, readable = raw.decode("utf-8", errors="replace"), False
        try:
            return MultiDict(parse_qsl(text, keep_blank_values=True, encoding="utf-8",
                                       errors="strict", max_num_fields=200)), readable
        except UnicodeDecodeError:
            return MultiDict(parse_qsl(text, keep_blank_values=True, encoding="utf-8",
                                       errors="replace", max_num_fields=200)), False
        except ValueError:
            abort(400)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return MultiDict(request.form), False
    return MultiDict(request.form), True


def _token_problem(usual: str) -> str:
    """Which FORM_PROBLEMS message explains a failed token check: ``usual`` (the page was
    open too long), or that no cookie came back at all."""
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return "no_cookie"
    return usual


def _csrf_ok(data: MultiDict) -> bool:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(data.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="concern-form-started")


def _concern_form(data: MultiDict | None = None) -> ConcernForm:
    form = ConcernForm(formdata=data)
    form.offer_companies()
    form.reply_language.choices = options(
        (code, i18n.native_name(code)) for code in i18n.languages())
    if data is None:
        form.reply_language.data = g.lang
        _stamp(form)
    return form


def _stamp(form: ConcernForm) -> None:
    """A new idempotency key, and its stamp (see form_stamp)."""
    form.idempotency_key.data = receipts.new_idempotency_key()
    form.started.data = form_stamp(form.idempotency_key.data)


def form_stamp(key: str) -> str:
    """The time a form was handed out, signed together with its idempotency ``key`` (so a
    stamp cannot be taken from one old form and replayed on many new ones)."""
    return _signer().sign(key).decode()


def _form_age(form: ConcernForm) -> float | None:
    """Seconds since this form was handed out; None when the stamp is missing, altered, or
    was made for another idempotency key."""
    try:
        key, signed_at = _signer().unsign(form.started.data or "", return_timestamp=True)
    except BadSignature:
        return None
    if key.decode() != (form.idempotency_key.data or ""):
        return None
    return time.time() - signed_at.timestamp()


def _show_form(form: ConcernForm, problem: str | None = None, code: int = 200):
    response = current_app.make_response(
        (render_template("intake/new.html", form=form, caps=CAPS,
                         problem=FORM_PROBLEMS.get(problem)), code))
    response.headers["Cache-Control"] = "no-store"
    return response


def _suspect(form: ConcernForm, age: float | None) -> str | None:
    """Why a submission looks automated, or None. Suspects are quarantined, not refused."""
    if form.website.data:
        return "honeypot"
    minimum = current_app.config["CONCERN_MIN_FILL_SECONDS"]
    if not minimum:
        return None
    if age is None:
        return "no_timestamp"
    if age < minimum:
        return "too_fast"
    return None


@bp.route("/concerns/new", methods=["GET", "POST"])
@limiter.limit(_form_limit, methods=["POST"])
@limiter.shared_limit(_form_global_limit, scope="concern-form-all", key_func=_everyone,
                      methods=["POST"], deduct_when=_got_through)
def new_concern():
    if request.method == "GET":
        give_rate_limit_id()
        return _show_form(_concern_form())
    data, readable = _posted()
    form = _concern_form(data)
    if not readable:
        form.validate()
        return _show_form(form, "encoding", 400)
    if not _csrf_ok(data):
        return _show_form(form, _token_problem("csrf"), 400)
    if not form.validate():
        return _show_form(form, "invalid", 422)
    age = _form_age(form)
    if age is not None and age > current_app.config["CONCERN_FORM_MAX_AGE"]:
        # Treated like an expired token: a person who left the page open keeps the text.
        _stamp(form)
        return _show_form(form, "csrf", 400)
    key = form.idempotency_key.data or ""
    if not (16 <= len(key) <= 64):
        key = receipts.new_idempotency_key()
    try:
        concern, code = concerns.submit(form.submission(g.lang), key, suspect=_suspect(form, age))
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        return _show_form(form, "locked", 503)
    response = current_app.make_response(render_template(
        "intake/receipt.html", code=code, concern=concern))
    response.headers["Cache-Control"] = "no-store"
    return response


def _show_status(form: StatusForm, concern=None, withdraw_form: WithdrawForm | None = None,
                 message: str | None = None, code: int = 200,
                 answer_form: AnswerForm | None = None, done: str | None = None,
                 states: dict | None = None):
    if concern is not None and withdraw_form is None:
        withdraw_form = WithdrawForm(formdata=None, code=form.code.data)
    if concern is not None and answer_form is None:
        answer_form = AnswerForm(formdata=None, code=form.code.data)
    # Quarantine is ours to know: the submitter sees the same as for any new concern.
    shown = concern.status if concern is not None else None
    if shown == ConcernStatus.QUARANTINED:
        shown = ConcernStatus.RECEIVED
    response = current_app.make_response((render_template(
        "intake/status.html", form=form, concern=concern, withdraw_form=withdraw_form,
        answer_form=answer_form, shown=shown, wording=STATUS_WORDING, message=message,
        done=done, staff_texts=concerns.staff_texts_for_submitter(concern)
        if concern is not None else {},
        sections=_sections_shown(concern, states or {})), code))
    response.headers["Cache-Control"] = "no-store"
    return response


def _sections_shown(concern, states: dict) -> list[tuple[str, dict]]:
    """Each later feature's section of the page: its template and what it shows."""
    if concern is None:
        return []
    return [(section.template, section.context(concern, states.get(name, {})))
            for name, section in status_page.sections().items()]


NOT_FOUND = _l("We found no concern with this code. Check each character and try again. "
               "The letters O and I are read as the numbers 0 and 1.")


def _status_limited(view):
    """The status page's POST limits: per person, and for everyone at once. They are what
    bounds how many codes anyone can try (see receipts.find_by_receipt)."""
    view = limiter.shared_limit(_status_global_limit, scope="status-all", key_func=_everyone,
                                methods=["POST"], deduct_when=_got_through)(view)
    return limiter.limit(_status_limit, methods=["POST"])(view)


@bp.route("/status", methods=["GET", "POST"])
@_status_limited
def status():
    if request.method == "GET":
        give_rate_limit_id()
        return _show_status(StatusForm(formdata=None))
    data, _readable = _posted()
    form = StatusForm(formdata=data)
    if not _csrf_ok(data):
        return _show_status(form, message=FORM_PROBLEMS[_token_problem("csrf_status")], code=400)
    if not form.validate():
        return _show_status(form, code=422)
    concern = receipts.find_by_receipt(form.code.data)
    if concern is None:
        return _show_status(form, message=NOT_FOUND)
    return _show_status(form, concern)


def _readable_body() -> bool:
    return _posted()[1]


def _posted_with_code(form_class):
    """A POST from a concern's status page: the posted form, the status form for the same
    code, and the concern (None when the code finds none)."""
    data, _readable = _posted()
    posted = form_class(formdata=data)
    form = StatusForm(formdata=None, code=posted.code.data)
    return data, posted, form, receipts.find_by_receipt(posted.code.data or "")


@bp.post("/status/withdraw")
@_status_limited
def withdraw():
    data, withdraw_form, form, concern = _posted_with_code(WithdrawForm)
    if concern is None:
        return _show_status(form, message=NOT_FOUND)
    if not _csrf_ok(data):
        return _show_status(form, concern,
                            message=FORM_PROBLEMS[_token_problem("csrf_status")], code=400)
    if not withdraw_form.validate():
        return _show_status(form, concern, withdraw_form, code=422)
    if concern.status != ConcernStatus.WITHDRAWN:
        concerns.withdraw(concern)
        db.session.commit()
    return _show_status(form, concern)


@bp.post("/status/answer")
@_status_limited
def answer():
    """The community answers staff's question; the concern goes back to the inbox."""
    data, answer_form, form, concern = _posted_with_code(AnswerForm)
    if concern is None:
        return _show_status(form, message=NOT_FOUND)
    if not _readable_body():
        return _show_status(form, concern, answer_form=answer_form,
                            message=FORM_PROBLEMS["encoding"], code=400)
    if not _csrf_ok(data):
        return _show_status(form, concern, answer_form=answer_form,
                            message=FORM_PROBLEMS[_token_problem("csrf")], code=400)
    if not answer_form.validate():
        return _show_status(form, concern, answer_form=answer_form, code=422)
    try:
        concerns.answer_clarification(concern, answer_form.answer.data)
        db.session.commit()
    except (StaleEdit, workflow.TransitionNotAllowed):
        db.session.rollback()  # answered already, or withdrawn: the page says where it is
        return _show_status(form, concern)
    return _show_status(form, concern, done=ANSWER_SENT)


@bp.post("/status/<section>/<action>")
@_status_limited
def section_action(section: str, action: str):
    """A button of a later feature's section of the status page (see StatusSection)."""
    found = status_page.sections().get(section)
    handler = found.actions.get(action) if found is not None else None
    if handler is None:
        abort(404)
    data, readable = _posted()
    form = StatusForm(formdata=None, code=data.get("code"))
    concern = receipts.find_by_receipt(data.get("code") or "")
    if concern is None:
        return _show_status(form, message=NOT_FOUND)
    if not readable:
        return _show_status(form, concern, code=400, message=FORM_PROBLEMS["encoding"],
                            states={section: {"posted": data}})
    if not _csrf_ok(data):
        return _show_status(form, concern, code=400,
                            message=FORM_PROBLEMS[_token_problem("csrf")],
                            states={section: {"posted": data}})
    outcome = handler(concern, data)
    if outcome.code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return _show_status(form, concern, code=outcome.code, done=outcome.done,
                        message=outcome.problem, states={section: outcome.state})


ANSWER_SENT = _l("Thank you. Your answer has reached our team, and your concern is back in "
                 "their inbox.")


for _view in (new_concern, status, withdraw, answer, section_action):
    csrf.exempt(_view)  # checked in the view, which keeps the text when a token expired


@bp.errorhandler(RateLimitExceeded)
def busy(_error):
    data, _readable = _posted()
    if request.endpoint == "intake.new_concern":
        return _show_form(_concern_form(data), "busy", 429)
    form = StatusForm(formdata=data)
    return _show_status(form, message=FORM_PROBLEMS["status_busy"], code=429)
