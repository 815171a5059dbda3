"""Account administration for admins: roles, translator languages, deactivation, reset links;
and `flask users create` for the first account."""

from __future__ import annotations

import sys

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from wtforms import SelectChoice

from agmtool import history, i18n, links, settings
from agmtool.accounts import domain as accounts
from agmtool.accounts.forms import NewUserForm, SettingsForm, UserEditForm, UserForm
from agmtool.database import StaleEdit
from agmtool.extensions import db
from agmtool.forms import STALE_EDIT
from agmtool.links import external_url
from agmtool.models import Role, Setting, User
from agmtool.security import roles_required

bp = Blueprint("admin", __name__, url_prefix="/staff/users")


def _translation_languages() -> list[SelectChoice]:
    source = current_app.config["BABEL_DEFAULT_LOCALE"]
    return [SelectChoice(code, i18n.native_name(code)) for code in i18n.languages()
            if code != source]


def _languages_given(form: UserForm) -> bool:
    """A translator needs at least one language, or no concern would ever reach them."""
    if form.role.data == Role.TRANSLATOR and not form.languages.data:
        form.languages.errors.append(_("Choose at least one language for a translator."))
        return False
    return True


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    users = db.session.scalars(db.select(User).order_by(User.active.desc(), User.email)).all()
    return render_template("admin/users.html", users=users)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create():
    form = NewUserForm()
    form.languages.choices = _translation_languages()
    if form.validate_on_submit() and _languages_given(form):
        if accounts.get_by_email(form.email.data):
            form.email.errors.append(_("An account with this email already exists."))
        else:
            user = accounts.create_user(
                form.email.data, Role(form.role.data), languages=form.languages.data,
                name=form.name.data or None, by=g.user,
            )
            token = accounts.issue_reset(user, by=g.user)
            db.session.commit()
            return render_template("admin/reset_link.html", user=user,
                                   link=external_url("auth.reset", token=token))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(user_id: int):
    user = get_user(user_id)
    form = UserEditForm(obj=user)
    form.languages.choices = _translation_languages()
    if not form.is_submitted():
        form.languages.data = user.language_list
    if form.validate_on_submit() and _languages_given(form):
        try:
            accounts.update_user(user, g.user, Role(form.role.data), form.languages.data,
                                 form.active.data, form.name.data or None,
                                 # As posted: the form's own data falls back
                                 # to the account's current version.
                                 links.number(request.form.get("version")))
            db.session.commit()
        except accounts.AccountError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        except StaleEdit:
            db.session.rollback()
            flash(STALE_EDIT, "error")
            return redirect(url_for("admin.edit", user_id=user.id))
        else:
            flash(_("The account has been saved."), "info")
            return redirect(url_for("admin.index"))
    return render_template("admin/user_form.html", form=form, user=user,
                           history=history.for_object(user))


@bp.post("/<int:user_id>/reset-link")
@roles_required(Role.ADMIN)
def reset_link(user_id: int):
    user = get_user(user_id)
    token = accounts.issue_reset(user, by=g.user)
    db.session.commit()
    return render_template("admin/reset_link.html", user=user,
                           link=external_url("auth.reset", token=token))


@bp.post("/<int:user_id>/reset-totp")
@roles_required(Role.ADMIN)
def reset_totp(user_id: int):
    user = get_user(user_id)
    accounts.reset_totp(user, by=g.user)
    db.session.commit()
    flash(_("Two-factor login was reset. The user sets it up again at the next login."), "info")
    return redirect(url_for("admin.edit", user_id=user.id))


# --- the command line --------------------------------------------------------------------

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


# --- run-time settings ---------------------------------------------------------------------

settings_bp = Blueprint("settings", __name__, url_prefix="/staff/settings")


@settings_bp.route("/", methods=["GET", "POST"], endpoint="index")
@roles_required(Role.ADMIN)
def settings_page():
    """The settings admins change at run time (agmtool.settings), each with its history."""
    if request.method == "POST":
        if not SettingsForm().validate_on_submit():
            abort(400)
        try:
            for key in settings.DEFINITIONS:
                settings.change(key, request.form.get(key) == "on", g.user,
                                links.number(request.form.get(f"{key}-version")))
            db.session.commit()
            flash(_("The settings are saved."), "info")
        except StaleEdit:
            db.session.rollback()
            flash(STALE_EDIT, "error")
        return redirect(url_for("settings.index"))
    entries = history.for_objects(Setting)
    return render_template("admin/settings.html", current=settings.current(),
                           definitions=settings.DEFINITIONS, form=SettingsForm(),
                           history=entries)

