"""Forms of the translation editor. Every validator carries its own translated message:
WTForms ships no Indonesian catalogue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired

from agmtool.forms import Cap, Form

TOO_LONG = _l("This text is longer than %(max)s characters. Shorten it a little; nothing you "
              "wrote has been lost.")


class TranslationForm(Form):
    seen_version = HiddenField()
    text = TextAreaField(_l("Translation"), validators=[
        DataRequired(_l("Write the translation first.")), Cap(20000, TOO_LONG)])


class SendBackForm(Form):
    seen_version = HiddenField()
    comment = TextAreaField(_l("What needs changing"), validators=[
        DataRequired(_l("Say what needs changing, so the translator knows.")),
        Cap(2000, TOO_LONG)])
