"""Error pages in the reader's language."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from agmtool.extensions import db

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


def render_error(error: HTTPException):
    if isinstance(error, SecurityError):
        # An untrusted Host: no URL can be built for it, so no page either.
        return "Bad request: unknown host.", 400, {"Content-Type": "text/plain; charset=utf-8"}
    if error.code not in MESSAGES and error.code is not None and error.code < 500:
        title, explanation = MESSAGES[400]
        return render_template("errors/error.html", code=error.code, title=title,
                               explanation=explanation), error.code
    code = error.code if error.code in MESSAGES else 500
    if code == 500:
        db.session.rollback()
    title, explanation = EXPIRED_FORM if isinstance(error, CSRFError) else MESSAGES[code]
    return render_template("errors/error.html", code=code, title=title,
                           explanation=explanation), code


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(500, render_error)
