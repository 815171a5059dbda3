"""Receipt codes: what a community member keeps to follow a concern without an account.

Only hashes are stored: of the code, and of the submission's idempotency key (from which the
code is derived, so that a resent form shows the same receipt).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

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
    """The concern with this receipt code, or None.

    Looked up by the code's hash through its unique index, with no delay. A fixed delay once
    made every lookup slow, found or not, but it protected nothing: a code is 70 random bits
    and only its hash is stored, a found and a not-found code answer with different pages
    anyway, and what bounds guessing is the status page's rate limit (per browser and for
    everyone), which stays. The delay only held a worker thread per lookup.
    """
    return db.session.scalar(
        sa.select(Concern).where(Concern.receipt_hash == receipt_hash(code)))
