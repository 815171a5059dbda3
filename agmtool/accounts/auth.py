"""Logging in and out: password, then a TOTP code; a server-side session record per login,
checked on every request; one decorator that enforces roles."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import segno
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse as parse_limit

from agmtool import errors
from agmtool.accounts import domain as accounts
from agmtool.accounts.forms import ChangePasswordForm, CodeForm, LoginForm, NewPasswordForm
from agmtool.extensions import db, limiter
from agmtool.links import safe_next
from agmtool.models import User, utcnow
from agmtool.security import roles_required

bp = Blueprint("auth", __name__, url_prefix="/staff")

PENDING_LOGIN_SECONDS = 300
# How often a session's last-seen time is written: every request would be a write per click.
TOUCH_SECONDS = 60


def init_app(app: Flask) -> None:
    app.before_request(load_user)
    app.context_processor(lambda: {"current_user": g.get("user")})
    app.register_error_handler(CSRFError, expired_form)


def expired_form(error: CSRFError):
    """A staff form whose token failed because the session ended (here or in another tab)
    says so; any other expired form gets the usual page. Either shows what was typed."""
    if (request.path.startswith("/staff/") and request.blueprint != "auth"
            and accounts.load_session(session.get("sid") or "") is None):
        return errors.logged_out_page()
    return errors.render_error(error)


def load_user() -> None:
    g.user = None
    token = session.get("sid")
    if not token:
        return
    record = accounts.load_session(token)
    if record is None:
        session.pop("sid", None)
        db.session.commit()  # persists the ending of an expired session
        return
    if (utcnow() - record.last_seen_at).total_seconds() > TOUCH_SECONDS:
        record.last_seen_at = utcnow()
        db.session.commit()
    g.user = record.user


def _finish_login(user: User):
    accounts.note_success(user)
    lang = session.get("lang")
    session.clear()  # a fresh session: nothing from before the login carries over
    if lang:
        session["lang"] = lang
    session["sid"] = accounts.start_session(user)
    session.permanent = True
    db.session.commit()
    return _remember_device(redirect(safe_next(request.args.get("next"))), user)


def _pending_user() -> User | None:
    pending = session.get("pending")
    if not pending or time.time() - pending["at"] > PENDING_LOGIN_SECONDS:
        session.pop("pending", None)
        return None
    user = db.session.get(User, pending["uid"])
    return user if user is not None and user.active else None


LOGIN_REFUSED = _l("We could not log you in with this email and password. Check them and try "
                   "again; after several failed attempts, wait a minute before the next one.")
CLIENT_BUSY = _l("Too many failed logins came from here. Wait a few minutes, then try again.")
CODE_WRONG = _l("That code is not right. Check your phone's clock and try the newest code.")
CODE_WAIT = _l("Too many wrong codes. Wait a minute, then enter the newest code.")
CODE_REPLAYED = _l("This code was used already. Wait for the next code from your app.")

# A browser that logged in to an account keeps a signed note of it (this cookie, sent only
# to the login pages): it is not made to wait when others' failures slow the account down.
KNOWN_DEVICE_COOKIE = "agmtool_known"
CLIENT_SCOPE = "login-client"


def _device_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _known_device(user: User | None) -> bool:
    if user is None:
        return False
    try:
        known = _device_signer().loads(
            request.cookies.get(KNOWN_DEVICE_COOKIE, ""),
            max_age=current_app.config["KNOWN_DEVICE_LIFETIME"].total_seconds())
    except BadSignature:
        return False
    return known == user.id


def _remember_device(response, user: User):
    response.set_cookie(
        KNOWN_DEVICE_COOKIE, _device_signer().dumps(user.id),
        max_age=int(current_app.config["KNOWN_DEVICE_LIFETIME"].total_seconds()),
        path=url_for("auth.login"), secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True, samesite="Lax")
    return response


def _client_key() -> str:
    """The client's address as a keyed hash: it is kept only in the rate-limit storage,
    never in the database or a log. request.remote_addr is the proxy's forwarded address
    only when PROXY_FIX_X_FOR says the proxy is trusted."""
    return hmac.new(current_app.config["SECRET_KEY"].encode(),
                    f"login-client:{request.remote_addr or ''}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def _client_limit():
    return parse_limit(current_app.config["LOGIN_CLIENT_LIMIT"])


def _client_blocked() -> bool:
    """Whether this client has failed to log in too often of late (across all accounts)."""
    if not limiter.enabled:
        return False
    return not limiter.limiter.test(_client_limit(), CLIENT_SCOPE, _client_key())


def _client_failed() -> None:
    if limiter.enabled:
        limiter.limiter.hit(_client_limit(), CLIENT_SCOPE, _client_key())


@bp.route("/login", methods=["GET", "POST"])
def login():
    """A wrong password, an unknown email and an account made to wait are answered with the
    same words, after the same work (a password hash checked: a dummy one when unknown or
    waiting), so the answer tells no one which emails have accounts."""
    form = LoginForm()
    if form.validate_on_submit():
        if _client_blocked():
            flash(str(CLIENT_BUSY), "error")
            return render_template("auth/login.html", form=form), 429
        user = accounts.get_by_email(form.email.data)
        waiting = (user is not None and not _known_device(user)
                   and accounts.waiting_for(user) > 0)
        checked = None if waiting else user
        if accounts.check_password(checked, form.password.data) and user.active:
            if not accounts.needs_totp(user):
                return _finish_login(user)
            session["pending"] = {"uid": user.id, "at": time.time()}
            step = "auth.verify" if user.totp_secret else "auth.setup"
            return redirect(url_for(step, next=request.args.get("next")))
        if checked is not None:
            accounts.note_failure(user)
            db.session.commit()
        _client_failed()
        flash(str(LOGIN_REFUSED), "error")
    return render_template("auth/login.html", form=form)


def _code_accepted(user: User, form: CodeForm, secret: str | None = None) -> bool:
    """Check a submitted code, counting failures towards the backoff; flash why not. A code
    replayed (right, but used already) is refused without counting."""
    if _client_blocked():
        flash(str(CLIENT_BUSY), "error")
        return False
    if not _known_device(user) and accounts.waiting_for(user) > 0:
        flash(str(CODE_WAIT), "error")
        return False
    checked = accounts.check_totp(user, form.code.data, secret=secret)
    if checked is True:
        return True
    if checked == accounts.REPLAYED:
        db.session.commit()
        flash(str(CODE_REPLAYED), "error")
        return False
    accounts.note_failure(user)
    db.session.commit()
    _client_failed()
    flash(str(CODE_WRONG), "error")
    return False


@bp.route("/login/verify", methods=["GET", "POST"])
def verify():
    user = _pending_user()
    if user is None or not user.totp_secret:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit() and _code_accepted(user, form):
        return _finish_login(user)
    return render_template("auth/verify.html", form=form)


@bp.route("/login/setup", methods=["GET", "POST"])
def setup():
    """First login of an account that needs a second factor: scan, then prove it works."""
    user = _pending_user()
    if user is None or user.totp_secret:
        return redirect(url_for("auth.login"))
    nonce = session["pending"].setdefault("setup", secrets.token_urlsafe(16))
    session.modified = True
    secret = accounts.setup_secret(user, nonce)
    form = CodeForm()
    if form.validate_on_submit() and _code_accepted(user, form, secret=secret):
        accounts.enable_totp(user, secret)
        return _finish_login(user)
    uri = accounts.totp_uri(user, secret)
    qr = segno.make(uri, error="m").svg_data_uri(scale=4, border=2)
    return render_template("auth/setup.html", form=form, secret=secret, qr=qr)


@bp.post("/logout")
def logout():
    token = session.get("sid")
    if token:
        accounts.end_session(token)
        db.session.commit()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required()
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        problem = accounts.password_problem(form.password.data)
        if not accounts.check_password(g.user, form.current.data):
            form.current.errors.append(_("Your current password is not right."))
        elif problem:
            form.password.errors.append(password_message(problem))
        else:
            accounts.set_password(g.user, form.password.data, by=g.user)
            session["sid"] = accounts.start_session(g.user)  # other browsers are logged out
            db.session.commit()
            flash(_("Your password has been changed. Other devices have been logged out."),
                  "info")
            return redirect(url_for("staff.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    found = accounts.find_reset(token)
    if found is None:
        return render_template("auth/reset_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        problem = accounts.password_problem(form.password.data)
        if problem:
            form.password.errors.append(password_message(problem))
        else:
            accounts.use_reset(found, form.password.data)
            db.session.commit()
            session.clear()
            flash(_("Your password is set. Log in with it now."), "info")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, user=found.user)


def password_message(problem: str) -> str:
    if problem == "too_short":
        return _("Use at least %(count)s characters.",
                 count=current_app.config["PASSWORD_MIN_LENGTH"])
    return _("Use a less predictable password: mix more different characters.")
