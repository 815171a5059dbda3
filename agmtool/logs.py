"""Every rule about what agmtool writes to a log, in one place, with its exact formats.

The people whose concerns pass through agmtool can be at risk where they live, so no log
keeps a trace that leads back to one of them or to what staff looked for:

- never an IP address, a user agent or a Referer (which carries a staff page's address, such
  as ``/staff/concerns/?q=...``);
- never a query string (a staff search is one), only a request's path;
- never a receipt code (it is posted, never put in an address, and never logged) nor a
  concern's text or contact details (the database engine hides statement parameters, see
  ``SQLALCHEMY_ENGINE_OPTIONS``);
- never the secret of a one-time reset link (``/staff/reset/<token>``).

The formats, one JSON object a line, so that the lines can be read by a program and nothing
typed by a stranger can forge a line:

- the app's own lines (loggers under ``agmtool``), on standard error::

    {"at": "2026-11-29T20:05:01Z", "level": "WARNING", "logger": "agmtool.packs.documents",
     "message": "PDF 3fa2c0d91e not rendered: timeout"}

- gunicorn's access log (:class:`AccessLogger`, named by gunicorn.conf.py), on standard
  output; ``path`` has no query string and a reset link's secret replaced by ``…``::

    {"at": "2026-11-29T20:05:01Z", "method": "POST", "path": "/es/concerns/new",
     "status": 200, "bytes": 5120, "ms": 41, "worker": 1234}

  gunicorn's own ``access_log_format`` is not used: the line is built here from the fields
  above only, so that no setting can bring the client's address back;
- gunicorn's error log and the development server's log keep their own formats, passed
  through :func:`scrub` (gunicorn writes "Invalid request from ip=..." at warning level, and
  the path with its query string when a request fails outside the app).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from datetime import UTC, datetime

from flask import Flask
from gunicorn import glogging

# What scrub() removes, wherever it appears in a line.
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
# Eight groups, or fewer with "::", of hexadecimal (with an IPv4 tail for mapped addresses).
IPV6 = re.compile(r"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
                  r"|(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::"
                  r"(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?(?:\.\d+){0,3})"
                  r"(?![\w.]|:[0-9A-Fa-f])")
# A query string: from "?" to the end of the address it belongs to.
QUERY = re.compile(r"\?[^\s\"']*")
RESET_PATH = re.compile(r"(/staff/reset/)[^\s?\"'/]+")
# A receipt code as shown (four groups of Crockford base32, the last of two) or typed whole.
RECEIPT = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-"
                     r"[0-9A-HJKMNP-TV-Z]{2}\b")
REMOVED = "…"

APP_LOGGER = "agmtool"
APP_LEVEL = logging.INFO


def scrub(text: str) -> str:
    """``text`` without addresses, query strings, reset secrets or receipt codes."""
    text = RESET_PATH.sub(r"\1" + REMOVED, text)
    text = QUERY.sub("", text)
    text = RECEIPT.sub(REMOVED, text)
    text = IPV6.sub(REMOVED, text)  # first: a mapped address ends in an IPv4 one
    return IPV4.sub(REMOVED, text)


def safe_path(path: str) -> str:
    """A request's path as the access log keeps it."""
    return RESET_PATH.sub(r"\1" + REMOVED, path.split("?", 1)[0])


class Scrub(logging.Filter):
    """Passes every record, with its message scrubbed (the arguments merged in first, so
    that none escapes)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


class JSONFormatter(logging.Formatter):
    """The app's lines: at (UTC, to the second), level, logger, message; and the traceback,
    when there is one, as ``error``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["error"] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


def app_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    handler.addFilter(Scrub())
    handler.set_name("agmtool")
    return handler


def init_app(app: Flask) -> None:
    """The app's loggers write JSON lines to standard error; the development server's
    request lines lose the client's address and the query string."""
    logger = logging.getLogger(APP_LOGGER)
    if not any(h.get_name() == "agmtool" for h in logger.handlers):
        logger.addHandler(app_handler())
    logger.setLevel(APP_LEVEL)
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, DevServerLine) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(DevServerLine())


class DevServerLine(Scrub):
    """The development server (``make run``) logs each request as ``ADDRESS - - [date]
    "GET /path?query HTTP/1.1" 200 -``: the address goes, and the rest is scrubbed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and " - - [" in record.msg:
            record.msg = "- - - [" + record.msg.split(" - - [", 1)[1]
        return super().filter(record)


# --- gunicorn ----------------------------------------------------------------------------

def access_record(method: str, path: str, status, sent, request_time) -> dict:
    """The fields of one access-log line: nothing else about the request is kept."""
    if isinstance(status, str):
        status = status.split(None, 1)[0]
    return {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": method,
        "path": safe_path(path or "/"),
        "status": int(status),
        "bytes": sent,
        "ms": round(request_time.total_seconds() * 1000),
        "worker": os.getpid(),
    }


class AccessLogger(glogging.Logger):
    """gunicorn's logger (``logger_class`` in gunicorn.conf.py): the access line as above,
    and every line of its error log scrubbed."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.addFilter(Scrub())

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        line = access_record(environ.get("REQUEST_METHOD", "-"), environ.get("PATH_INFO"),
                             resp.status, getattr(resp, "sent", None), request_time)
        try:
            self.access_log.info("%s", json.dumps(line, ensure_ascii=False))
        except Exception:  # a log line must never fail a request
            self.error("access log line not written")
