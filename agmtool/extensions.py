"""Flask extensions, built unbound and bound to an app in create_app."""

import secrets

from flask import session
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# A naming convention keeps constraint names, and so migrations, the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The one bucket that every POST without a session id shares.
NO_SESSION = "no-session"


def give_rate_limit_id() -> None:
    """Give this browser its random rate-limit id, on the GET of a page with a form."""
    if "rl" not in session:
        session["rl"] = secrets.token_urlsafe(12)


def rate_limit_key() -> str:
    """Key rate limits by the per-browser id kept in the session, never by IP address.

    The id is made on a GET (give_rate_limit_id), never on the POST being limited: a
    client that sends no cookie would otherwise get a fresh bucket for every request.
    Such clients share one bucket, so they cannot use up the global ceiling alone.
    """
    return session.get("rl") or NO_SESSION


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(rate_limit_key)
cache = Cache()
