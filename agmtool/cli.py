"""Command-line tools: accounts, demo data, backup and restore."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url

from agmtool import demo
from agmtool.accounts import domain as accounts
from agmtool.extensions import db
from agmtool.models import Role


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.group("users", help="Manage accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--languages", default="", help="Translator languages, comma-separated: es,pt,id")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, role: str, languages: str, password_stdin: bool) -> None:
    """Create an account with EMAIL and a role."""
    codes = [code.strip() for code in languages.split(",") if code.strip()]
    unknown = [code for code in codes if code not in current_app.config["LANGUAGES"]]
    if unknown:
        raise click.BadParameter(
            f"unknown language(s): {', '.join(unknown)}", param_hint="--languages"
        )
    if accounts.get_by_email(email):
        raise click.ClickException(f"an account with the email {email} already exists")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = accounts.password_problem(password)
    if problem:
        raise click.ClickException(
            f"password refused ({problem.replace('_', ' ')}): use at least "
            f"{current_app.config['PASSWORD_MIN_LENGTH']} varied characters"
        )
    user = accounts.create_user(email, Role(role), password=password, languages=codes)
    db.session.commit()
    note = " Two-factor login is set up at the first login." if accounts.needs_totp(user) else ""
    click.echo(f"Created {user.email} ({user.role.value}).{note}")


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
