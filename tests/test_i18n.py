"""Languages: the menu, locale choice, zone-aware formatting and the catalogue check."""

import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from agmtool import i18n


def test_language_menu_names_each_language_in_itself(client):
    page = client.get("/id/").text
    assert '<a href="/en/" lang="en" hreflang="en"\n          >English</a>' in page
    assert 'aria-current="true">Bahasa Indonesia</a>' in page
    assert '>Español</a>' in page and '>Português</a>' in page


@pytest.mark.parametrize("lang", ["en", "es", "pt", "id"])
def test_home_page_is_served_in_its_language(client, lang):
    page = client.get(f"/{lang}/").text
    assert f'<html lang="{lang}">' in page


def test_home_page_reads_in_spanish(client):
    page = client.get("/es/").text
    assert '<a class="skip" href="#main">Saltar al contenido</a>' in page


def test_new_language_is_one_configuration_entry(app):
    app.config["LANGUAGES"] = ["en", "es", "pt", "id", "fr"]
    assert i18n.native_name("fr") == "Français"
    assert app.test_client().get("/fr/").status_code == 200


PERTH_MEETING = datetime(2025, 5, 1, 9, 30, tzinfo=ZoneInfo("Australia/Perth"))
MELBOURNE_MEETING = datetime(2025, 10, 23, 9, 0, tzinfo=ZoneInfo("Australia/Melbourne"))
LONDON_MEETING = datetime(2025, 4, 3, 11, 0, tzinfo=ZoneInfo("Europe/London"))


def test_meeting_time_in_its_zone_and_in_london(app):
    with force_locale("en"):
        assert i18n.format_meeting_time(PERTH_MEETING, "Australia/Perth") == [
            "Thursday, 1 May 2025, 09:30, Perth time", "02:30, London time"]
    with force_locale("es"):
        assert i18n.format_meeting_time(MELBOURNE_MEETING, "Australia/Melbourne") == [
            "jueves, 23 de octubre de 2025, 9:00, hora de Melbourne",
            "miércoles, 22 de octubre de 2025, 23:00, hora de Londres"]


def test_london_meeting_is_shown_once(app):
    with force_locale("id"):
        assert i18n.format_meeting_time(LONDON_MEETING, "Europe/London") == [
            "Kamis, 3 April 2025, 11.00, waktu London"]


@pytest.fixture
def scratch_translations(app, tmp_path):
    copy = tmp_path / "translations"
    shutil.copytree(app.config["BABEL_TRANSLATION_DIRECTORIES"], copy)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(copy)
    return copy


def test_i18n_check_passes_on_the_committed_catalogues(runner):
    result = runner.invoke(args=["i18n", "check"])
    assert result.exit_code == 0, result.output
    assert "translated in es, pt, id." in result.output


def replace_entry(translations, lang: str, msgid: str, replacement: str) -> None:
    po = translations / lang / "LC_MESSAGES" / "messages.po"
    text = po.read_text()
    start = text.index(f'msgid "{msgid}"')
    end = text.index("\n\n", start) + 2
    po.write_text(text[:start] + replacement + text[end:])


def test_i18n_check_fails_on_an_untranslated_string(runner, scratch_translations):
    replace_entry(scratch_translations, "pt", "Skip to content",
                  'msgid "Skip to content"\nmsgstr ""\n\n')
    result = runner.invoke(args=["i18n", "check"])
    assert result.exit_code == 1
    assert "pt: untranslated: 'Skip to content'" in result.output


def test_i18n_check_fails_on_a_missing_string(runner, scratch_translations):
    replace_entry(scratch_translations, "id", "Skip to content", "")
    result = runner.invoke(args=["i18n", "check"])
    assert result.exit_code == 1
    assert "id: missing: 'Skip to content'" in result.output


def test_field_errors_are_escaped_even_when_lazy(app):
    # Flask-Babel's lazy strings claim to be safe HTML; a message carrying typed text must
    # still be escaped by the one macro that shows errors.
    from flask import render_template_string
    from flask_babel import lazy_gettext

    from agmtool.accounts.forms import LoginForm

    with app.test_request_context("/en/"):
        form = LoginForm()
        form.email.errors = [lazy_gettext("Unknown: %(value)s", value="<b>x</b>")]
        html = render_template_string(
            '{% from "_macros.html" import render_field %}{{ render_field(form.email) }}',
            form=form)
    assert '<p class="error" id="email-error">Unknown: &lt;b&gt;x&lt;/b&gt;</p>' in html
