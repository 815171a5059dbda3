"""Forms of the translation editor. Every validator carries its own translated message:
WTForms ships no Indonesian catalogue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from agmtool import i18n
from agmtool.forms import Cap, Form, enum_choices, options
from agmtool.models import EVERY_LANGUAGE, TermKind
from agmtool.translation import glossary

TOO_LONG = _l("This text is longer than %(max)s characters. Shorten it a little; nothing you "
              "wrote has been lost.")


class Seen(Form):
    # The version of the translation the person saw, and the original it showed them: a
    # save compares the version in the database; when the original changed meanwhile, the
    # editor shows what changed since this text.
    seen_version = HiddenField()
    seen_source = HiddenField()


class TranslationForm(Seen):
    text = TextAreaField(_l("Translation"), validators=[
        DataRequired(_l("Write the translation first.")), Cap(20000, TOO_LONG)])


class SendBackForm(Seen):
    comment = TextAreaField(_l("What needs changing"), validators=[
        DataRequired(_l("Say what needs changing, so the translator knows.")),
        Cap(2000, TOO_LONG)])


class OverrideForm(Form):
    # Only read when the approver approves a text that breaks the glossary.
    override = TextAreaField(_l("Why approve it as it is"), validators=[
        Cap(500, TOO_LONG)],
        description=_l("Say why the glossary does not apply here. Your reason is kept in the "
                       "history."))


class GlossaryTermForm(Form):
    seen_version = HiddenField()
    kind = RadioField(_l("Kind of term"), choices=[], validators=[
        InputRequired(_l("Choose whether the term is kept or translated one way."))])
    term = StringField(_l("Term"), validators=[
        DataRequired(_l("Write the term as it appears in the original.")),
        Cap(glossary.MAX_TERM, TOO_LONG)])
    source_language = SelectField(_l("Language of the original"), choices=[], validators=[
        InputRequired(_l("Choose a language."))])
    language = SelectField(_l("Language of the translation"), choices=[], validators=[
        InputRequired(_l("Choose a language."))])
    rendering = StringField(_l("Required translation"), validators=[
        Cap(glossary.MAX_TERM, TOO_LONG)],
        description=_l("Only for a term translated one way: how it must be written."))
    note = TextAreaField(_l("Note for translators"), validators=[
        Cap(glossary.MAX_NOTE, TOO_LONG)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(TermKind)
        pairs = [(EVERY_LANGUAGE, _l("Every language")),
                 *((code, i18n.language_name(code)) for code in i18n.languages())]
        self.source_language.choices = options(pairs)
        self.language.choices = options(pairs)

    def validate_rendering(self, field) -> None:
        if self.kind.data == TermKind.TRANSLATE and not (field.data or "").strip():
            raise ValidationError(_l("Write how the term must be translated."))

    def validate_language(self, field) -> None:
        if self.kind.data != TermKind.TRANSLATE:
            return
        if EVERY_LANGUAGE in (field.data, self.source_language.data):
            raise ValidationError(_l("A term translated one way belongs to one pair of "
                                     "languages: choose both."))
        if field.data == self.source_language.data:
            raise ValidationError(_l("Choose two different languages."))


class SeenForm(Form):
    seen_version = HiddenField()


class XliffUploadForm(Form):
    file = FileField(_l("The XLIFF file you translated"), validators=[
        FileRequired(_l("Choose the file to import."))])
