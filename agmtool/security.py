"""The secret key, cookie settings, proxy trust, the security headers of every response, and
the one decorator that lets a role into a view."""

from __future__ import annotations

from functools import wraps
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import Flask, Response, abort, current_app, g, redirect, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from agmtool import errors

KNOWN_WEAK_KEYS = {"dev", "development", "secret", "changeme", "change-me", "test", "default"}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


class StartupRefused(SystemExit):
    """A setting that production needs is missing or unsafe; the message says which."""


def key_file(app: Flask) -> Path:
    return Path(app.instance_path) / "secret_key"


def configure(app: Flask) -> None:
    """Settle the secret key and cookie flags before any extension reads them.

    The key is read from instance/secret_key when not configured; the set-up (make run),
    not the app, writes that file, so that several workers never race to create it.
    """
    if not app.config.get("SECRET_KEY") and key_file(app).exists():
        app.config["SECRET_KEY"] = key_file(app).read_text().strip()
    if app.config["LOCAL_DEVELOPMENT"] or app.debug:
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["WTF_CSRF_SSL_STRICT"] = False
    base_url = app.config.get("BASE_URL")
    if base_url and not app.config.get("TRUSTED_HOSTS"):
        # Requests naming another host are refused, so no forged Host header can end up in a
        # link, a cached feed or a reset link.
        app.config["TRUSTED_HOSTS"] = [urlsplit(base_url).hostname, "localhost", "127.0.0.1"]
    if not (app.debug or app.testing or app.config["LOCAL_DEVELOPMENT"]) and not base_url \
            and serving():
        raise StartupRefused(
            "agmtool refuses to start: AGMTOOL_BASE_URL is not set. Set it to the public "
            "address, for example https://agm.example.org: feeds, calendar subscriptions and "
            "reset links are built from it, never from a request's Host header."
        )
    if not (app.debug or app.testing):
        problem = weak_key_problem(app.config.get("SECRET_KEY"), app.config)
        if problem:
            raise StartupRefused(
                f"agmtool refuses to start: {problem}. Set AGMTOOL_SECRET_KEY to a random value "
                f"of at least {app.config['SECRET_KEY_MIN_LENGTH']} characters (for example "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`), or run "
                "`make run`, which writes one into instance/secret_key."
            )


def serving() -> bool:
    """Whether the app is being loaded to serve requests: by ``flask run`` or a WSGI server,
    not by another ``flask`` command (``db upgrade`` must work on a database that is behind,
    and no command needs the public address)."""
    ctx = click.get_current_context(silent=True)
    return ctx is None or ctx.info_name == "run"


def weak_key_problem(key: str | None, config) -> str | None:
    if not key:
        return "no secret key is configured"
    if key.lower() in KNOWN_WEAK_KEYS:
        return "the secret key is a well-known default"
    if len(key) < config["SECRET_KEY_MIN_LENGTH"]:
        return f"the secret key is shorter than {config['SECRET_KEY_MIN_LENGTH']} characters"
    if len(set(key)) < 8:
        return "the secret key repeats too few characters to be random"
    return None


def init_app(app: Flask) -> None:
    if any(app.config[k] for k in ("PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO", "PROXY_FIX_X_HOST")):
        app.wsgi_app = ProxyFix(
            app.wsgi_app,
            x_for=app.config["PROXY_FIX_X_FOR"],
            x_proto=app.config["PROXY_FIX_X_PROTO"],
            x_host=app.config["PROXY_FIX_X_HOST"],
        )
    app.before_request(refuse_nul)
    app.after_request(add_security_headers)


def refuse_nul() -> None:
    """A NUL in the path or the query string is never typed by a person, and PostgreSQL
    would refuse it halfway through the request: answer 400 first. (Form fields are cleaned
    by agmtool.forms.Form instead, so that typed text is kept.)"""
    if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    # same-origin keeps the Referer that Flask-WTF's HTTPS check needs, and sends none away.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.path.startswith("/staff"):
        # Staff pages show contact details and drafts: no copy in any cache, the browser's
        # back-forward cache included.
        headers["Cache-Control"] = "no-store"
    return response


def roles_required(*roles):
    """Let in a logged-in user whose role is one of ``roles`` (every role when none given).

    ``g.user`` is set for every request by agmtool.accounts.auth. A form posted by someone
    logged out meanwhile gets the page that shows their text back, not a bare redirect."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.get("user") is None:
                if request.method == "POST":
                    return errors.logged_out_page()
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if roles and g.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
