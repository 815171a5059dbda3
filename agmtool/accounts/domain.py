"""Domain: accounts. Create, authenticate, change passwords, deactivate, reset links, TOTP.

Functions change objects, record history and flush; the caller commits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import datetime

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import joinedload

from agmtool import history
from agmtool.database import claim
from agmtool.extensions import db
from agmtool.models import PasswordReset, Role, User, UserSession, utcnow

# How an account's history reads (registered by agmtool.accounts.init_app).
HISTORY = history.Labels(
    fields={
        "email": _l("Email"),
        "name": _l("Name"),
        "role": _l("Role"),
        "languages": _l("Translation languages"),
        "active": _l("Account active"),
    },
    actions={
        "locked": lazy_pgettext("history action", "Locked after too many failed logins"),
        "password_changed": lazy_pgettext("history action", "Password changed"),
        "reset_link_issued": lazy_pgettext("history action", "Password-reset link made"),
        "totp_enabled": lazy_pgettext("history action", "Two-factor login turned on"),
        "totp_reset": lazy_pgettext("history action", "Two-factor login reset"),
    },
    enums={"role": Role},
    values={"languages": history.languages},
)

hasher = PasswordHasher()
# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A refusal whose message (a lazy translated string) is shown to the user."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def get_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalize_email(email)))


def create_user(
    email: str,
    role: Role,
    password: str | None = None,
    languages: list[str] | None = None,
    name: str | None = None,
    by: User | None = None,
) -> User:
    """Add an account. Without a password it cannot log in until a reset link is used.

    Side effects: adds the user, records history, flushes.
    """
    user = User(
        email=normalize_email(email),
        name=name,
        role=Role(role),
        languages=",".join(languages or []),
        password_hash=hasher.hash(password or secrets.token_hex(32)),
    )
    db.session.add(user)
    db.session.flush()
    history.record(user, by, "created", {"role": [None, user.role], "email": [None, user.email]})
    return user


def password_problem(password: str) -> str | None:
    """The reason a new password is refused, as a key for the form to translate."""
    if len(password) < current_app.config["PASSWORD_MIN_LENGTH"]:
        return "too_short"
    if len(set(password)) < 5:
        return "too_simple"
    return None


def set_password(user: User, password: str, by: User | None) -> None:
    """Set a new password and end every session of the user.

    Side effects: updates the hash, ends sessions, clears the lockout, records history.
    """
    user.password_hash = hasher.hash(password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(user)
    history.record(user, by, "password_changed")


def check_password(user: User | None, password: str) -> bool:
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


def locked_for(user: User, now: datetime | None = None) -> int:
    """Minutes (rounded up) the account stays locked after too many failures; 0 if open."""
    now = now or utcnow()
    if user.locked_until and user.locked_until > now:
        return max(1, -(-int((user.locked_until - now).total_seconds()) // 60))
    return 0


def note_failure(user: User) -> None:
    """Count a failed password or code; past the limit, lock the account for a while.

    The count rises in the database in one statement, so parallel guesses cannot all read
    the same old count and slip past the limit.
    """
    count = db.session.execute(
        db.update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    ).scalar_one()
    if count >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = utcnow() + current_app.config["LOGIN_LOCKOUT"]
        user.failed_logins = 0
        history.record(user, None, "locked")


def note_success(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None


def needs_totp(user: User) -> bool:
    return bool(user.totp_secret) or user.role in current_app.config["TOTP_REQUIRED_ROLES"]


def setup_secret(user: User, nonce: str) -> str:
    """The second-factor secret offered while ``user`` sets it up, derived on the server
    from the app's key and a per-attempt ``nonce``: the session cookie, which Flask signs
    but does not encrypt, carries only the nonce, never the secret."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(),
                      f"totp-setup:{user.id}:{user.email}:{nonce}".encode(),
                      hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()  # 160 bits, as RFC 4226 recommends


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["TOTP_ISSUER"]
    )


def verify_totp(user: User, code: str, secret: str | None = None) -> bool:
    """Check a code against the user's secret (or a secret being set up); refuse replays."""
    secret = secret or user.totp_secret
    code = "".join(ch for ch in code if ch.isdigit())
    if not secret or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    # Seconds since the epoch as such: utcnow() is naive, and .timestamp() would read it as
    # the server's local time (every code wrong on a server not set to UTC).
    now = time.time()
    for drift in (0, -1, 1):
        step = int(now // totp.interval) + drift
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            # Claim the step in one conditional UPDATE: of two requests with the same code,
            # only one can move the last used step forward.
            claimed = db.session.execute(
                db.update(User)
                .where(User.id == user.id)
                .where((User.totp_last_step.is_(None)) | (User.totp_last_step < step))
                .values(totp_last_step=step)
            ).rowcount
            return claimed == 1
    return False


def enable_totp(user: User, secret: str) -> None:
    user.totp_secret = secret
    history.record(user, user, "totp_enabled")


def reset_totp(user: User, by: User) -> None:
    """Clear the second factor; the user sets up a new one at the next login."""
    user.totp_secret = None
    user.totp_last_step = None
    end_sessions(user)
    history.record(user, by, "totp_reset")


def update_user(user: User, by: User, role: Role, languages: list[str], active: bool,
                name: str | None, seen_version: int | None) -> dict:
    """Change role, languages, name or active flag. Deactivation and a new role end every
    session: a role that needs two-factor login must not ride on a session that had none.

    Side effects: bumps the version where it is still ``seen_version`` (else StaleEdit),
    sets the fields, records history, ends sessions as above. Raises AccountError when an
    administrator would take away their own administrator access (nobody could give it
    back if they were the last one).
    """
    if by.id == user.id and (not active or Role(role) != Role.ADMIN):
        raise AccountError(_l("You cannot remove your own administrator access."))
    claim(user, User.version == seen_version, version=User.version + 1)  # or StaleEdit
    changes = history.apply_changes(
        user,
        {"role": Role(role), "languages": ",".join(languages), "active": active, "name": name},
    )
    if "role" in changes or ("active" in changes and not active):
        end_sessions(user)
    if changes:
        history.record(user, by, "updated", changes)
    return changes


def start_session(user: User) -> str:
    """Open a server-side session; the returned token goes into the signed cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=token_hash(token), user_id=user.id))
    db.session.flush()
    return token


def load_session(token: str) -> UserSession | None:
    """The live session for a cookie's token, or None when ended, idle or too old."""
    # Every staff request runs this: load the user in the same query.
    record = db.session.scalar(
        db.select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == token_hash(token))
    )
    if record is None or record.ended_at is not None:
        return None
    now = utcnow()
    config = current_app.config
    if (
        not record.user.active
        or now - record.last_seen_at > config["SESSION_IDLE_TIMEOUT"]
        or now - record.created_at > config["SESSION_ABSOLUTE_LIFETIME"]
    ):
        record.ended_at = now
        return None
    return record


def end_session(token: str) -> None:
    record = db.session.scalar(
        db.select(UserSession).where(UserSession.token_hash == token_hash(token))
    )
    if record is not None and record.ended_at is None:
        record.ended_at = utcnow()


def end_sessions(user: User) -> None:
    now = utcnow()
    db.session.execute(
        db.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def issue_reset(user: User, by: User) -> str:
    """Make a one-time password-reset token for an admin to hand over; only its hash is kept.

    Side effects: invalidates earlier unused links of the user, adds the link, records history.
    """
    now = utcnow()
    db.session.execute(
        db.update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordReset(
            token_hash=token_hash(token),
            user_id=user.id,
            created_by_id=by.id,
            expires_at=now + current_app.config["PASSWORD_RESET_LIFETIME"],
        )
    )
    history.record(user, by, "reset_link_issued")
    return token


def find_reset(token: str) -> PasswordReset | None:
    reset = db.session.scalar(
        db.select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    )
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        return None
    if not reset.user.active:
        return None
    return reset


def use_reset(reset: PasswordReset, password: str) -> User:
    """Set the password through a reset link, which then stops working."""
    reset.used_at = utcnow()
    set_password(reset.user, password, by=reset.user)
    return reset.user


def assignable(roles, language: str | None = None) -> list[User]:
    """The active accounts work can be assigned to: those of ``roles``, and translators
    only where ``language`` is one of theirs; by name (one query)."""
    people = db.session.scalars(sa.select(User).where(
        User.active.is_(True), User.role.in_(list(roles)))).all()
    return sorted((p for p in people if p.role != Role.TRANSLATOR or language is None
                   or language in p.language_list),
                  key=lambda p: ((p.name or p.email).casefold(), p.id))
