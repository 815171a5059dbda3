"""Command-line tools: demo data, backup and restore."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url

from agmtool import demo
from agmtool.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.group("demo", help="Demo data.")
def demo_cli() -> None:
    pass


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database holds companies.")
def demo_load_command(if_empty: bool) -> None:
    """Load real companies and AGMs, communities and sample concerns in four languages."""
    if if_empty and not demo.is_empty():
        click.echo("The database already has data; demo data not loaded.")
        return
    counts = demo.load()
    db.session.commit()
    click.echo("Loaded demo data: " + ", ".join(f"{n} {what}" for what, n in counts.items()))


def _database_url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _pg_args(url) -> list[str]:
    args = ["-h", url.host or "localhost", "-p", str(url.port or 5432)]
    if url.username:
        args += ["-U", url.username]
    return [*args, "-d", url.database]


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent copy of the database to PATH, safe while the app serves."""
    url = _database_url()
    # The copy holds contact details of people at risk: readable by its owner only.
    previous = os.umask(0o077)
    try:
        if url.get_backend_name() == "sqlite":
            source = sqlite3.connect(url.database)
            target = sqlite3.connect(path)
            with target:
                source.backup(target)
            target.close()
            source.close()
        else:
            subprocess.run(["pg_dump", "--format=custom", "--file", str(path), *_pg_args(url)],
                           check=True)
    finally:
        os.umask(previous)
    click.echo(f"Backed up to {path}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="This replaces everything in the database. Continue?")
def restore_command(path: Path) -> None:
    """Replace the database's contents with the backup at PATH."""
    url = _database_url()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(path)
        target = sqlite3.connect(url.database)
        with target:
            source.backup(target)
        target.close()
        source.close()
    else:
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", *_pg_args(url),
                        str(path)], check=True)
    click.echo(f"Restored from {path}")
