"""Forms for accounts. Every validator carries its own translated message, because WTForms
ships no Indonesian catalogue."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from agmtool.models import Role


def options(pairs) -> list[SelectChoice]:
    """Options from (value, label) pairs."""
    return [SelectChoice(str(value) if value is not None else "", label) for value, label in pairs]


def enum_choices(members) -> list[SelectChoice]:
    """Options for enum members (a whole enum, or some of it): stored key, translated label."""
    return [SelectChoice(member.value, member.label) for member in members]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(REQUIRED), Length(max=254, message=_l("This email is too long."))],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Six-digit code from your authenticator app"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("Enter the six digits the app shows.")),
        ],
    )


class NewPasswordForm(FlaskForm):
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


class UserForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[Optional(), Length(max=200, message=_l("At most 200 characters."))]
    )
    role = SelectField(_l("Role"), choices=enum_choices(Role), validators=[DataRequired(REQUIRED)])
    languages = MultiCheckboxField(_l("Translation languages"), choices=[])
    active = BooleanField(_l("Account active"), default=True)


class NewUserForm(UserForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(REQUIRED),
            Email(message=_l("Enter an email address like name@example.org.")),
            Length(max=254, message=_l("This email is too long.")),
        ],
    )
