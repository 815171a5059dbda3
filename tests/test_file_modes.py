"""What the app writes on disk is readable by its owner only, whatever the umask."""

import os
import stat

import helpers
from sqlalchemy import text

from agmtool import create_app
from agmtool.config import ROOT
from agmtool.extensions import db


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_sqlite_files_and_instance_are_private_under_a_permissive_umask(tmp_path):
    path = tmp_path / "agmtool.sqlite"
    previous = os.umask(0o022)  # as a shell under `make run` usually has
    try:
        app = create_app(helpers.base_config(f"sqlite:///{path}"))
        with app.app_context():
            with db.engine.begin() as connection:
                connection.execute(text("CREATE TABLE canary (x TEXT)"))
                connection.execute(text("INSERT INTO canary VALUES ('x')"))
            files = {name: mode(tmp_path / name) for name in os.listdir(tmp_path)}
            db.engine.dispose()
    finally:
        os.umask(previous)
    assert {"agmtool.sqlite", "agmtool.sqlite-wal", "agmtool.sqlite-shm"} <= set(files)
    assert files == {name: 0o600 for name in files}
    assert mode(ROOT / "instance") == 0o700


def test_a_database_left_world_readable_is_tightened(tmp_path):
    path = tmp_path / "agmtool.sqlite"
    for name in ("agmtool.sqlite", "agmtool.sqlite-wal", "agmtool.sqlite-shm"):
        (tmp_path / name).touch()
        os.chmod(tmp_path / name, 0o644)
    create_app(helpers.base_config(f"sqlite:///{path}"))
    assert [mode(tmp_path / name) for name in sorted(os.listdir(tmp_path))] == [0o600] * 3
