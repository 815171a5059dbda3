"""Receipt codes: what a community member keeps to follow a concern without an account.

Only hashes are stored: of the code, and of the submission's idempotency key (from which the
code is derived, so that a resent form shows the same receipt).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import sqlalchemy as sa
from flask import current_app

from agmtool.extensions import db
from agmtool.models import Concern

# Crockford's base32: no I, L, O or U, so nothing is mistaken when read over a phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 14  # 70 bits
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def format_receipt(raw: str) -> str:
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def receipt_from_key(key: str) -> str:
    """The receipt code of the submission that carried idempotency ``key``.

    Derived, not stored, so that a resent form can show the same receipt again while the
    database keeps only hashes: of the key, and of the code.
    """
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), b"receipt:" + key.encode(),
                      hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    raw = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(RECEIPT_LENGTH))
    return format_receipt(raw)


def normalize_receipt(code: str) -> str:
    """What a person typed, as the code: any case, spaces or dashes, O for 0, I or L for 1."""
    return re.sub(r"[\s\-_.]", "", (code or "").upper()).translate(_READ_AS)


def receipt_hash(code: str) -> str:
    return hashlib.sha256(normalize_receipt(code).encode()).hexdigest()


def key_hash(key: str) -> str:
    return hashlib.sha256(b"idempotency:" + key.encode()).hexdigest()


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def find_by_receipt(code: str) -> Concern | None:
    """The concern with this receipt code, found or not in the same (slow) time.

    Every lookup takes at least STATUS_LOOKUP_SECONDS, so timing tells nothing about
    whether a code exists; the final comparison is constant-time. Side effect: rolls the
    session back (nothing is pending at this point in a request) to free its connection.
    """
    started = time.monotonic()
    wanted = receipt_hash(code)
    found = db.session.scalar(sa.select(Concern).where(Concern.receipt_hash == wanted))
    match = hmac.compare_digest(found.receipt_hash if found else "0" * 64, wanted)
    # Give the connection back before waiting: parallel lookups must not hold the pool.
    # (Rolling back keeps ``found`` in the session; it reloads on its next use.)
    db.session.rollback()
    floor = current_app.config["STATUS_LOOKUP_SECONDS"]
    time.sleep(max(0.0, floor - (time.monotonic() - started)))
    return found if found is not None and match else None
