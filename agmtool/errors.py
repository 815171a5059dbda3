"""Error pages in the reader's language."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from agmtool.extensions import db
from agmtool.i18n import best_language
from agmtool.links import posted_from
from agmtool.text import clean_text

MESSAGES = {
    400: (_l("Something in that request was not right"),
          _l("Go back, reload the page and try again.")),
    403: (_l("You cannot open this page"),
          _l("Your account does not have access to this page. Ask an administrator if you "
             "need it.")),
    404: (_l("Page not found"),
          _l("There is no page at this address. It may have moved, or the link may be "
             "incomplete.")),
    405: (_l("That action is not possible here"),
          _l("Go back to the previous page and use its buttons.")),
    413: (_l("That was too much to send at once"),
          _l("What you sent is larger than this site accepts. Shorten the text and try "
             "again.")),
    429: (_l("Too busy, try again in a minute"),
          _l("This site has had many requests in a short time. Wait a minute and try "
             "again.")),
    500: (_l("Something went wrong on our side"),
          _l("The problem has been noted. Please try again in a few minutes.")),
}


EXPIRED_FORM = (
    _l("This form has expired"),
    _l("For your safety, forms stop working after a while. Go back, reload the page and send "
       "it again."),
)
KEPT_TEXT = _l("What you typed is below: copy it before you leave this page, then paste it "
               "into the form again.")
# Fields where people type, kept however short ("Duplicado"); other fields are kept when
# they look typed (long, or several words) rather than chosen from a list.
TYPED = {"reason", "question", "answer", "text", "body", "wanted", "note", "status_note",
         "notes", "venue", "address", "name", "place", "community_name", "company_other",
         "speaker_name", "contact_name", "contact_details", "listings", "sites"}
# Fields of a posted form that are not text a person typed.
NOT_TYPED = {"csrf_token", "version", "seen_status", "seen_version", "idempotency_key", "step",
             "started", "website", "password", "current", "confirm", "code"}


def typed_text() -> list[str]:
    """The text a person typed into the form just posted (not choices or hidden fields), to
    show back when it cannot be saved, so that nothing they wrote is lost."""
    if request.method != "POST":
        return []
    kept = []
    for key, value in request.form.items(multi=True):
        value = (clean_text(value) or "").strip()
        if key in NOT_TYPED or not value:
            continue
        if key in TYPED or len(value) >= 30 or any(ch.isspace() for ch in value):
            kept.append(value)
    return kept


DATABASE_UNAVAILABLE = (
    _l("This could not be done just now"),
    _l("The site cannot reach its database for a moment, so nothing was saved or changed. "
       "Wait a minute, then try again."),
)
# How long a client is asked to wait after a 503, in seconds.
RETRY_AFTER = 60

log = logging.getLogger(__name__)

LOGGED_OUT = (
    _l("You were logged out"),
    _l("For your safety, the staff area logs you out after a while without activity, so "
       "this was not saved."),
)


def logged_out_page():
    """A staff form posted without a live session: what was typed, and the way back in."""
    return kept_text_page(*LOGGED_OUT, 401, url_for("auth.login", next=posted_from()),
                          _("Log in again"))


def kept_text_page(title, explanation, code: int, again_url: str, again_label):
    """An explanation, then what the person typed, ready to copy, and a way back."""
    kept = typed_text()
    return render_template("errors/error.html", code=code, title=title,
                           explanation=explanation, kept=kept,
                           kept_explanation=KEPT_TEXT if kept else None,
                           again_url=again_url, again_label=again_label), code


def render_error(error: HTTPException):
    if isinstance(error, SecurityError):
        # An untrusted Host: no URL can be built for it, so no page either, only a line in
        # the browser's language.
        with force_locale(best_language()):
            text = _("This site is not served at that address.")
        return text, 400, {"Content-Type": "text/plain; charset=utf-8"}
    if error.code not in MESSAGES and error.code is not None and error.code < 500:
        title, explanation = MESSAGES[400]
        return render_template("errors/error.html", code=error.code, title=title,
                               explanation=explanation), error.code
    if isinstance(error, CSRFError):
        # (A staff form whose session ended meanwhile is answered by agmtool.accounts.auth.)
        return kept_text_page(*EXPIRED_FORM, 400, posted_from(), _("Open the form again"))
    code = error.code if error.code in MESSAGES else 500
    if code == 500:
        db.session.rollback()
    title, explanation = MESSAGES[code]
    return render_template("errors/error.html", code=code, title=title,
                           explanation=explanation), code


def database_unavailable(error: OperationalError):
    """The database cannot be reached, is full, or is locked past the wait: 503, with what
    the person typed shown back. Nothing was written (the transaction is rolled back), and
    the next request tries again on a fresh connection (the pool pings each one first)."""
    log.warning("database unavailable: %s", type(error.orig or error).__name__)
    try:
        db.session.rollback()
    except OperationalError:
        db.session.invalidate()  # the connection is gone: give it up
    if request.method == "POST":
        page, code = kept_text_page(*DATABASE_UNAVAILABLE, 503, posted_from(),
                                    _("Open the form again"))
    else:
        title, explanation = DATABASE_UNAVAILABLE
        page, code = render_template("errors/error.html", code=503, title=title,
                                     explanation=explanation), 503
    return page, code, {"Retry-After": str(RETRY_AFTER)}


def init_app(app: Flask) -> None:
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(500, render_error)
