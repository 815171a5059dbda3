"""Forms for accounts: logging in, the second factor, passwords, and the admin's account form.

Every validator carries its own translated message: WTForms ships no Indonesian catalogue."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from agmtool.forms import REQUIRED, Form, MultiCheckboxField, enum_choices
from agmtool.models import Role

# The roles from the least to the most access.
ROLES_BY_REACH = (Role.ATTENDEE, Role.TRANSLATOR, Role.STAFF, Role.ADMIN)


class LoginForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(REQUIRED), Length(max=254, message=_l("This email is too long."))],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])


class CodeForm(Form):
    code = StringField(
        _l("Six-digit code from your authenticator app"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("Enter the six digits the app shows.")),
        ],
    )


class NewPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(REQUIRED), Length(max=200, message=_l("This password is too long."))
        ],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(REQUIRED), EqualTo("password", message=_l("The two passwords differ."))
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])


class UserForm(Form):
    name = StringField(
        _l("Name"), validators=[Optional(), Length(max=200, message=_l("At most 200 characters."))]
    )
    # No role is preselected: one missed dropdown must not give an account full access. The
    # least-privileged role comes first.
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("", _l("Choose a role")), *enum_choices(ROLES_BY_REACH)],
        validators=[DataRequired(_l("Choose a role for this account."))],
    )
    languages = MultiCheckboxField(_l("Translation languages"), choices=[])
    active = BooleanField(_l("Account active"), default=True)


class UserEditForm(UserForm):
    version = HiddenField()  # the account's version the admin saw


class NewUserForm(UserForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(REQUIRED),
            Email(message=_l("Enter an email address like name@example.org.")),
            Length(max=254, message=_l("This email is too long.")),
        ],
    )


class SettingsForm(Form):
    """The settings page: its fields are the settings themselves (agmtool.settings), read
    from the request by name; the form carries the token."""
