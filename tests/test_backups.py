"""Encrypted backups (agmtool.backups, `flask backup` and `restore`): taken under write load,
they restore every row acknowledged before the backup began, on SQLite and on PostgreSQL
(whichever the suite runs on); a wrong key, another database's backup or a damaged file is
refused with a clear message before anything is touched."""

from __future__ import annotations

import os
import threading
import time

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from agmtool import backups
from agmtool.models import Company

KEY = Fernet.generate_key().decode()


@pytest.fixture
def app_config():
    return {"BACKUP_KEY": KEY}


def slugs(db) -> list[str]:
    """The companies' slugs, read in a transaction of their own (a restore on PostgreSQL
    waits for every open one)."""
    db.session.remove()
    found = db.session.scalars(sa.select(Company.slug).order_by(Company.slug)).all()
    db.session.remove()
    return found


def test_a_backup_under_write_load_restores_every_row_acknowledged_before_it(
        app, db, runner, tmp_path):
    acknowledged: list[str] = []
    stop = threading.Event()

    def write() -> None:
        with app.app_context():
            number = 0
            while not stop.is_set():
                slug = f"company-{number:05d}"
                db.session.add(Company(slug=slug, name=f"Company {number}"))
                db.session.commit()
                acknowledged.append(slug)  # after the commit returned: acknowledged
                number += 1
            db.session.remove()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(acknowledged) < 40:
            time.sleep(0.01)
        before = list(acknowledged)
        backup = tmp_path / "agmtool.backup"
        result = runner.invoke(args=["backup", str(backup)])
        during = len(acknowledged) - len(before)
    finally:
        stop.set()
        writer.join()
    assert (result.exit_code, result.output) == (0, f"Backed up to {backup} (encrypted)\n")
    assert during > 0  # the writer went on while the copy was taken
    assert backup.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["agmtool.backup"]  # no plain copy left
    content = backup.read_bytes()
    kind = backups.backend(app.config["SQLALCHEMY_DATABASE_URI"])
    assert content.startswith(f"agmtool-backup 1 {kind}\n".encode())
    assert b"company-00001" not in content and b"Company 1" not in content

    db.session.execute(sa.delete(Company))
    db.session.commit()
    assert slugs(db) == []
    db.session.remove()
    result = runner.invoke(args=["restore", "--yes", str(backup)])
    checked = ("SQLite integrity check: ok" if kind == "sqlite"
               else "PostgreSQL: restored in one transaction, with no error")
    assert (result.exit_code, result.output) == (0, f"Restored from {backup}. {checked}\n")
    restored = slugs(db)
    assert set(before) <= set(restored)
    # and nothing but what had been written: no half of a row, no row twice
    assert restored == sorted(set(restored)) and set(restored) <= set(acknowledged)
    if kind == "sqlite":
        assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"


def test_a_backup_made_with_another_key_is_refused_and_nothing_is_touched(
        app, db, runner, tmp_path, make_company):
    make_company(slug="glencore")
    backup = tmp_path / "agmtool.backup"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    db.session.execute(sa.delete(Company))
    db.session.commit()
    make_company(slug="vale", name="Vale")
    db.session.remove()
    app.config["BACKUP_KEY"] = Fernet.generate_key().decode()
    result = runner.invoke(args=["restore", "--yes", str(backup)])
    assert (result.exit_code, result.output) == (1, (
        f"Error: {backup} cannot be decrypted with the key in AGMTOOL_BACKUP_KEY: it was made "
        f"with another key, or it is damaged. Nothing was restored.\n"))
    assert slugs(db) == ["vale"]
    # While rotating, the new key first and the old one after: the old backups restore.
    app.config["BACKUP_KEY"] = f"{app.config['BACKUP_KEY']},{KEY}"
    assert runner.invoke(args=["restore", "--yes", str(backup)]).exit_code == 0
    assert slugs(db) == ["glencore"]


def test_no_key_no_backup(app, runner, tmp_path):
    app.config["BACKUP_KEY"] = None
    result = runner.invoke(args=["backup", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: No backup key is configured. Set "
                                    "AGMTOOL_BACKUP_KEY to a key made by")
    assert list(tmp_path.iterdir()) == []
    app.config["BACKUP_KEY"] = "not-a-key"
    result = runner.invoke(args=["backup", str(tmp_path / "b")])
    assert result.output == ("Error: AGMTOOL_BACKUP_KEY is not a valid key: it must be 32 "
                             "url-safe base64-encoded bytes, as Fernet.generate_key() "
                             "makes.\n")


def test_a_backup_of_the_other_kind_of_database_is_refused(tmp_path):
    plain = tmp_path / "dump"
    plain.write_bytes(b"PGDMP")
    backup = tmp_path / "pg.backup"
    backups.encrypt_file(plain, backup, KEY, "postgresql")
    with pytest.raises(backups.BackupError, match=(
            "is a backup of a postgresql database; this one is sqlite. Nothing was restored.")):
        backups.restore(f"sqlite:///{tmp_path / 'x.sqlite'}", backup, KEY)
    assert not (tmp_path / "x.sqlite").exists()


def test_pieces_dropped_reordered_or_cut_off_are_refused(tmp_path):
    plain = tmp_path / "plain"
    data = os.urandom(2 * backups.CHUNK + 1000)  # three pieces
    plain.write_bytes(data)
    backup = tmp_path / "b"
    backups.encrypt_file(plain, backup, KEY, "sqlite")
    head, *tokens = backup.read_text().splitlines(keepends=True)
    assert (head, len(tokens)) == ("agmtool-backup 1 sqlite\n", 3)
    out = tmp_path / "out"
    assert backups.decrypt_file(backup, out, KEY) == "sqlite"
    assert out.read_bytes() == data
    for name, lines, message in (
            ("dropped", [tokens[0], tokens[2]], "a piece is missing or out of order"),
            ("reordered", [tokens[1], tokens[0], tokens[2]], "a piece is missing or out of"),
            ("cut", tokens[:2], "is cut short"),
            ("extended", [*tokens, tokens[2]], "has data after its end"),
            ("flipped", [tokens[0][:50] + ("A" if tokens[0][50] != "A" else "B")
                         + tokens[0][51:], *tokens[1:]], "cannot be decrypted")):
        damaged = tmp_path / name
        damaged.write_text(head + "".join(lines))
        with pytest.raises(backups.BackupError, match=message):
            backups.decrypt_file(damaged, out, KEY)


def test_an_empty_database_file_backs_up_and_restores(tmp_path):
    plain = tmp_path / "empty"
    plain.write_bytes(b"")
    backups.encrypt_file(plain, tmp_path / "b", KEY, "sqlite")
    assert backups.decrypt_file(tmp_path / "b", tmp_path / "out", KEY) == "sqlite"
    assert (tmp_path / "out").read_bytes() == b""
