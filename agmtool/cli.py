"""Command-line tools: demo data, backup and restore."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from agmtool import backups, demo
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


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write an encrypted, consistent copy of the database to PATH, safe while the app
    serves. The key is AGMTOOL_BACKUP_KEY's."""
    try:
        backups.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path,
                       current_app.config["BACKUP_KEY"])
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {path} (encrypted)")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="This replaces everything in the database. Continue?")
def restore_command(path: Path) -> None:
    """Replace the database's contents with the encrypted backup at PATH. A backup made with
    another key is refused before anything is touched."""
    db.engine.dispose()
    try:
        checked = backups.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path,
                                  current_app.config["BACKUP_KEY"])
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored from {path}. {checked}")
