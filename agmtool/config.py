"""Default settings; instance/config.py and AGMTOOL_* environment variables override them."""

from datetime import timedelta
from pathlib import Path

# The project folder: templates/, translations/ and instance/ sit beside the package.
ROOT = Path(__file__).resolve().parent.parent

# Languages the interface and documents speak; a new one is a catalogue plus an entry here.
LANGUAGES = ["en", "es", "pt", "id"]
DEFAULT_LANGUAGE = "en"
BABEL_DEFAULT_LOCALE = "en"
BABEL_DEFAULT_TIMEZONE = "Europe/London"
# The month an AGM season begins (agmtool.seasons): July, so that the London AGMs of spring
# and the Australian ones of October and November fall in one season, "2026–27".
SEASON_START_MONTH = 7
# The zone besides the AGM's own that every AGM time is shown in.
REFERENCE_TIMEZONE = "Europe/London"

SQLALCHEMY_DATABASE_URI = None  # None: SQLite in instance/ (set in create_app)
# hide_parameters: a database error must not copy a concern's text or contacts into a log.
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
SQLITE_BUSY_TIMEOUT_MS = 5000

SECRET_KEY = None  # None: read instance/secret_key, written by the set-up
SECRET_KEY_MIN_LENGTH = 32

# Absolute links in feeds and PDFs; None: taken from the request.
BASE_URL = None
# The domain in calendar UIDs (agm-12@<domain>); None: the fixed "agm.agmtool", which does
# not depend on BASE_URL or the request. Leave it: a new domain makes every subscribed
# calendar show each meeting twice.
CALENDAR_UID_DOMAIN = None

# Sessions: Secure outside local development, never readable by scripts, idle timeout and
# absolute lifetime enforced by the server-side session record (agmtool.auth).
LOCAL_DEVELOPMENT = False
SESSION_COOKIE_NAME = "agmtool_session"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)

# Logins: throttled per account. A second factor (TOTP) for every role: translators read
# the concerns of people at risk, attendees their questions and packs. A deployment may
# drop a role from the list (instance/config.py, or AGMTOOL_TOTP_REQUIRED_ROLES=admin,staff).
LOGIN_MAX_FAILURES = 5
LOGIN_LOCKOUT = timedelta(minutes=15)
TOTP_REQUIRED_ROLES = ["admin", "staff", "translator", "attendee"]
TOTP_ISSUER = "agmtool"
PASSWORD_MIN_LENGTH = 12
PASSWORD_RESET_LIFETIME = timedelta(hours=24)

# Request bodies: well above the sum of the concern form's caps, so only abuse meets 413.
MAX_CONTENT_LENGTH = 256 * 1024
MAX_FORM_MEMORY_SIZE = 256 * 1024
# The one route that takes more: a translated XLIFF file, on /staff/translate/xliff/.
XLIFF_MAX_BYTES = 5 * 1024 * 1024

WTF_CSRF_TIME_LIMIT = 6 * 3600
WTF_CSRF_SSL_STRICT = True

RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_ENABLED = True
RATELIMIT_HEADERS_ENABLED = False
CACHE_URL = None  # None: in-process cache
# Encrypts backups and decrypts them (agmtool.backups): a Fernet key, or several separated by
# commas while rotating (the first encrypts). Keep a copy away from the server.
BACKUP_KEY = None

# X-Forwarded-* headers are trusted only when a proxy count is configured.
PROXY_FIX_X_FOR = 0
PROXY_FIX_X_PROTO = 0
PROXY_FIX_X_HOST = 0

# Settings read from the environment as AGMTOOL_<NAME>; each maps to a config key.
ENVIRONMENT_SETTINGS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "BASE_URL": "BASE_URL",
    "RATELIMIT_STORAGE_URL": "RATELIMIT_STORAGE_URI",
    "CACHE_URL": "CACHE_URL",
    "LANGUAGES": "LANGUAGES",
    "LOCAL_DEVELOPMENT": "LOCAL_DEVELOPMENT",
    "TOTP_REQUIRED_ROLES": "TOTP_REQUIRED_ROLES",
    "BACKUP_KEY": "BACKUP_KEY",
}

# The concern form: suspect submissions (honeypot filled, sent faster than a person types)
# go to quarantine; the minimum fill time is in seconds, 0 turns it off.
CONCERN_MIN_FILL_SECONDS = 3
# A form older than this (seconds) is handed back with a fresh stamp, its text kept.
CONCERN_FORM_MAX_AGE = 24 * 3600
# Per browser session, and a ceiling over everyone (sessions are free to make).
CONCERN_RATE_LIMIT = "5/minute;30/hour"
CONCERN_GLOBAL_RATE_LIMIT = "120/minute;2000/hour"
STATUS_RATE_LIMIT = "10/minute;60/hour"
STATUS_GLOBAL_RATE_LIMIT = "300/minute"
# A concern's words are due in English this long after it arrived (the translators' queue).
CONCERN_TRANSLATION_TIME = timedelta(days=14)
# `make bench` only: the endpoints that serve its baselines (agmtool.bench.server), and the
# folder of its static files. Never set in production; no environment variable sets it.
BENCH_ENDPOINTS = False
BENCH_STATIC_DIR = None
# Contact details are erased this long after a concern is closed.
CONTACT_RETENTION = timedelta(days=180)
# Attendees' contact details and travel are erased this long after their meeting.
ATTENDANCE_RETENTION = timedelta(days=60)
