"""Backups: a consistent copy of the database, taken while the app serves, encrypted with the
key in AGMTOOL_BACKUP_KEY; and their restore, which refuses a wrong key before it touches
anything.

The copy is SQLite's online backup API (a snapshot, while writers go on) or ``pg_dump``'s
custom format (one transaction's snapshot). It is encrypted with Fernet from the
``cryptography`` library (AES-128-CBC with HMAC-SHA256: authenticated, so a wrong key or a
damaged file is refused, never restored as garbage), in pieces of CHUNK bytes so that a large
database is never held in memory whole. Each piece carries its number and whether it is the
last inside its encrypted text, so pieces cannot be reordered, dropped or cut off unnoticed.

The file: a first line ``agmtool-backup 1 <sqlite|postgresql>``, then one Fernet token a
line. AGMTOOL_BACKUP_KEY holds one key, or several separated by commas while keys are being
rotated: the first encrypts, any of them decrypts.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.engine import URL, make_url

MAGIC = "agmtool-backup"
VERSION = "1"
CHUNK = 4 * 1024 * 1024
_HEADER = struct.Struct(">QB")  # the piece's number, 1 when it is the last


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why and what to do."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def _fernet(keys: str | None) -> MultiFernet:
    if not keys or not keys.strip():
        raise BackupError(
            "No backup key is configured. Set AGMTOOL_BACKUP_KEY to a key made by "
            "`python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'` and keep a copy away from the server: "
            "without it no backup can be restored.")
    try:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys.split(",")
                            if key.strip()])
    except ValueError as error:
        raise BackupError(
            "AGMTOOL_BACKUP_KEY is not a valid key: it must be 32 url-safe base64-encoded "
            "bytes, as Fernet.generate_key() makes.") from error


def backend(url: str | URL) -> str:
    return "sqlite" if make_url(url).get_backend_name() == "sqlite" else "postgresql"


def _pg(url: URL) -> tuple[list[str], dict]:
    args = ["-h", url.host or "localhost", "-p", str(url.port or 5432)]
    if url.username:
        args += ["-U", url.username]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password  # not on the command line, where `ps` shows it
    return [*args, "-d", url.database], env


def _pieces(path: Path) -> Iterator[tuple[int, bool, bytes]]:
    with open(path, "rb") as plain:
        number, data = 0, plain.read(CHUNK)
        while True:
            following = plain.read(CHUNK)
            yield number, not following, data
            if not following:
                return
            number, data = number + 1, following


def encrypt_file(plain: Path, target: Path, keys: str, kind: str) -> None:
    fernet = _fernet(keys)
    with open(target, "w") as out:
        out.write(f"{MAGIC} {VERSION} {kind}\n")
        for number, last, data in _pieces(plain):
            token = fernet.encrypt(_HEADER.pack(number, int(last)) + data)
            out.write(token.decode() + "\n")


def decrypt_file(source: Path, plain: Path, keys: str) -> str:
    """Decrypt ``source`` into ``plain``; returns the kind of database it holds. Raises
    BackupError, having written nothing usable, when a key or a piece is wrong."""
    fernet = _fernet(keys)
    with open(source) as encrypted, open(plain, "wb") as out:
        first = encrypted.readline().split()
        if len(first) != 3 or first[0] != MAGIC:
            raise BackupError(f"{source} is not an agmtool backup.")
        if first[1] != VERSION:
            raise BackupError(f"{source} is a backup of format {first[1]}, which this "
                              f"version of agmtool cannot read.")
        expected, ended = 0, False
        for line in encrypted:
            if ended:
                raise BackupError(f"{source} has data after its end: it is damaged.")
            try:
                data = fernet.decrypt(line.strip().encode())
            except InvalidToken:
                raise BackupError(
                    f"{source} cannot be decrypted with the key in AGMTOOL_BACKUP_KEY: it was "
                    f"made with another key, or it is damaged. Nothing was restored.") from None
            number, last = _HEADER.unpack_from(data)
            if number != expected:
                raise BackupError(f"{source} is damaged (a piece is missing or out of "
                                  f"order). Nothing was restored.")
            out.write(data[_HEADER.size:])
            expected, ended = expected + 1, bool(last)
        if not ended:
            raise BackupError(f"{source} is cut short: it is damaged. Nothing was restored.")
    return first[2]


def _private_temp(near: Path) -> Path:
    """A file only its owner reads, beside ``near`` (the plain copy never leaves the disk
    the database or the backup is on for /tmp, which may be another, less guarded one)."""
    handle, name = tempfile.mkstemp(prefix=".agmtool-backup-", dir=near.parent)
    os.close(handle)
    os.chmod(name, 0o600)
    return Path(name)


def backup(database_url: str, path: Path, keys: str) -> None:
    """Write an encrypted, consistent copy of the database to ``path`` (mode 0600).

    Side effects: a plain copy in a private temporary file beside ``path``, removed at the
    end whatever happens; on PostgreSQL, runs pg_dump."""
    _fernet(keys)  # no key, no copy
    url = make_url(database_url)
    kind = backend(url)
    plain = _private_temp(path)
    previous = os.umask(0o077)
    try:
        if kind == "sqlite":
            source = sqlite3.connect(url.database)
            target = sqlite3.connect(plain)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            args, env = _pg(url)
            subprocess.run(["pg_dump", "--format=custom", "--file", str(plain), *args],
                           check=True, env=env)
        temporary = path.with_name(f".{path.name}.partial")
        encrypt_file(plain, temporary, keys, kind)
        os.replace(temporary, path)  # a backup file is whole, or not there
    finally:
        os.umask(previous)
        plain.unlink(missing_ok=True)


def restore(database_url: str, path: Path, keys: str) -> str:
    """Replace the database's contents with the backup at ``path``; returns a line saying
    how it was checked. The backup is decrypted and checked whole first: a wrong key or
    a damaged file leaves the database untouched.

    Side effects: replaces every table's rows (SQLite: the whole file, through the backup
    API; PostgreSQL: pg_restore --clean in one transaction)."""
    url = make_url(database_url)
    kind = backend(url)
    plain = _private_temp(path)
    try:
        found = decrypt_file(path, plain, keys)
        if found != kind:
            raise BackupError(f"{path} is a backup of a {found} database; this one is {kind}. "
                              f"Nothing was restored.")
        if kind == "sqlite":
            source = sqlite3.connect(plain)
            try:
                check = source.execute("PRAGMA integrity_check").fetchone()[0]
                if check != "ok":
                    raise BackupError(f"{path} holds a damaged database ({check}). Nothing "
                                      f"was restored.")
                target = sqlite3.connect(url.database)
                try:
                    with target:
                        source.backup(target)
                    check = target.execute("PRAGMA integrity_check").fetchone()[0]
                finally:
                    target.close()
            finally:
                source.close()
            return f"SQLite integrity check: {check}"
        args, env = _pg(url)
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                        "--single-transaction", "--exit-on-error", *args, str(plain)],
                       check=True, env=env)
        return "PostgreSQL: restored in one transaction, with no error"
    finally:
        plain.unlink(missing_ok=True)

