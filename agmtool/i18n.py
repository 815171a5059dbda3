"""Languages: the configured list, names in their own language, locale choice, zone-aware
formatting, and the catalogue workflow (`flask i18n extract|update|compile|check`)."""

from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from babel import Locale
from babel.dates import (
    format_date,
    format_skeleton,
    format_time,
    get_timezone_location,
    get_timezone_name,
)
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from flask import Blueprint, Flask, abort, current_app, g, request, session, url_for
from flask_babel import get_locale, refresh
from flask_babel import gettext as _

from agmtool.links import posted_from

# Names Babel gives that a speaker would not put in a language menu.
NATIVE_NAME_OVERRIDES = {"id": "Bahasa Indonesia"}
# The regional conventions each language's dates and numbers follow.
FORMAT_LOCALES = {"en": "en_GB", "pt": "pt_BR"}


def languages() -> list[str]:
    return current_app.config["LANGUAGES"]


@lru_cache(maxsize=64)
def native_name(code: str) -> str:
    if code in NATIVE_NAME_OVERRIDES:
        return NATIVE_NAME_OVERRIDES[code]
    name = Locale.parse(code).display_name
    return name[:1].upper() + name[1:]


def language_name(code: str) -> str:
    """The language called as the reader's language calls it, for use inside a sentence:
    'Spanish', 'español', 'Spanyol'."""
    return _language_name(code, format_locale())


@lru_cache(maxsize=64)
def _language_name(code: str, locale: str) -> str:
    # Remembered: the CSV export names two languages on each of thousands of rows.
    return Locale.parse(code).get_display_name(locale)


def best_language() -> str:
    return request.accept_languages.best_match(languages()) or current_app.config[
        "DEFAULT_LANGUAGE"
    ]


def select_locale() -> str:
    """The URL's /<lang>/ prefix; elsewhere (the staff area) the chosen or browser language."""
    lang = g.get("lang")
    if lang:
        return lang
    # Error pages for /<lang>/... URLs that matched no route still speak that language.
    prefix = request.path.split("/", 2)[1] if request else ""
    if prefix in languages():
        return prefix
    chosen = session.get("lang")
    if chosen in languages():
        return chosen
    return best_language()


def current_language() -> str:
    return str(get_locale())


def format_locale() -> str:
    code = current_language()
    return FORMAT_LOCALES.get(code, code)


# CLDR writes Indonesian full dates with a zero-padded day ("Kamis, 08 Mei 2025"), unlike
# its long dates and unlike browsers' Intl ("Kamis, 8 Mei 2025"), which the pages show
# side by side: one way of writing a day.
DATE_PATTERNS = {("id", "full"): "EEEE, d MMMM y"}


def format_day(day: date, fmt: str = "full") -> str:
    locale = format_locale()
    return format_date(day, DATE_PATTERNS.get((locale, fmt), fmt), locale=locale)


def format_month(day: date) -> str:
    """'April 2027', 'abril de 2027': for a date that is only an estimate."""
    return format_skeleton("yMMMM", datetime.combine(day, time()), locale=format_locale())


def format_wall_clock(value: datetime | time) -> str:
    """A local date and time (naive), or a time, as the clock on the wall reads it."""
    locale = format_locale()
    if isinstance(value, datetime):
        day = format_date(value, "medium", locale=locale)
        return f"{day}, {_short_clock(value.time(), locale)}"
    return _short_clock(value, locale)


# The pieces of format_in_zone, remembered per locale: a calendar feed formats thousands of
# dates and times, most of them repeated (see agmtool.ical).

@lru_cache(maxsize=8192)
def _full_date(day: date, locale: str) -> str:
    return format_date(day, DATE_PATTERNS.get((locale, "full"), "full"), locale=locale)


@lru_cache(maxsize=4096)
def _short_clock(clock: time, locale: str) -> str:
    return format_time(clock, "short", locale=locale)


@lru_cache(maxsize=1024)
def _city(zone: str, locale: str) -> str:
    return get_timezone_location(ZoneInfo(zone), locale=locale, return_city=True)


def clear_format_caches() -> None:
    for function in (_full_date, _short_clock, _city):
        function.cache_clear()


def repeated(local: datetime) -> bool:
    """Whether the wall clock of ``local`` (aware, in its zone) reads the same at another
    instant: the hour that repeats when the clocks go back."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def utc_offset(offset: timedelta) -> str:
    """'UTC', 'UTC+1', 'UTC+5:30', 'UTC−3'."""
    minutes = int(offset.total_seconds()) // 60
    if not minutes:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '−'}{hours}" + (f":{rest:02d}" if rest else "")


def local_clock(local: datetime, locale: str | None = None) -> str:
    """The wall-clock time of ``local`` (aware, in its zone). Where that time happens twice,
    the zone's name in force and its UTC offset follow, so the two never read the same:
    '01:30 (British Summer Time, UTC+1)', '01:30 (Greenwich Mean Time, UTC)'."""
    locale = locale or format_locale()
    clock = _short_clock(local.time(), locale)
    if not repeated(local):
        return clock
    name = get_timezone_name(local, "long", locale=locale)
    return f"{clock} ({name}, {utc_offset(local.utcoffset())})"


def format_clock_in_zone(moment: datetime, zone: str) -> str:
    """The wall-clock time of ``moment`` (aware) in ``zone`` (see local_clock)."""
    return local_clock(moment.astimezone(ZoneInfo(zone)))


def format_in_zone(moment: datetime, zone: str, with_date: bool = True) -> str:
    """``moment`` (aware) as the clock reads in ``zone``, naming the zone's city."""
    locale = format_locale()
    local = moment.astimezone(ZoneInfo(zone))
    clock = local_clock(local, locale)
    when = f"{_full_date(local.date(), locale)}, {clock}" if with_date else clock
    return _("%(when)s, %(city)s time", when=when, city=_city(zone, locale))


def format_meeting_time(moment: datetime, zone: str, reference: str | None = None
                        ) -> list[str]:
    """The meeting's own local time, then the reference zone's (London's by default) where
    that reads differently. Offsets are those in force at ``moment`` in each zone."""
    shown = [format_in_zone(moment, zone)]
    reference = reference or current_app.config["REFERENCE_TIMEZONE"]
    here, there = moment.astimezone(ZoneInfo(zone)), moment.astimezone(ZoneInfo(reference))
    if here.utcoffset() != there.utcoffset():
        shown.append(format_in_zone(moment, reference, with_date=here.date() != there.date()))
    return shown


def add_language_prefix(bp: Blueprint) -> None:
    """Make every route of ``bp`` take its language from a leading /<lang> URL segment."""

    @bp.url_value_preprocessor
    def pull_lang(endpoint, values):
        lang = (values or {}).pop("lang", None)
        if lang not in languages():
            abort(404)
        g.lang = lang

    @bp.url_defaults
    def add_lang(endpoint, values):
        values.setdefault("lang", g.get("lang") or current_language())


def switch_language_url(code: str) -> str:
    """The current page in another language: the /<lang>/ twin, or via the staff switch.

    A page shown in answer to a form (a POST) has no address to open again: the link leads
    to the page the form was on instead.
    """
    shown_by_get = request.url_rule is not None and "GET" in request.url_rule.methods
    if g.get("lang") and request.endpoint and request.url_rule is not None:
        if shown_by_get:
            return url_for(request.endpoint, **{**(request.view_args or {}), "lang": code})
        page = posted_from()
        prefix = f"/{g.lang}/"
        return f"/{code}/{page[len(prefix):]}" if page.startswith(prefix) else url_for(
            "public.home", lang=code)
    here = request.full_path.rstrip("?") if shown_by_get else posted_from()
    return url_for("site.choose_language", code=code, next=here)


def init_app(app: Flask) -> None:
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # Flask-Babel keeps the chosen locale on ``g``; when an app context outlives a request
    # (tests keep one open around the test client), each request must choose afresh.
    app.before_request(refresh)
    # The same goes for the language of the last /<lang>/ page, kept on ``g``; the app's
    # URL processor runs before the blueprints' that set it again.
    app.url_value_preprocessor(lambda _endpoint, _values: g.pop("lang", None))
    app.jinja_env.globals.update(
        native_name=native_name,
        language_name=language_name,
        current_language=current_language,
        format_day=format_day,
        format_month=format_month,
        languages=languages,
        switch_language_url=switch_language_url,
    )
    app.jinja_env.filters.update(native_name=native_name, language_name=language_name,
                                 format_number=format_number)
    app.cli.add_command(i18n_cli)


def format_number(value) -> str:
    """A number in the reader's locale: 5,000 / 5.000 / 5 000."""
    return _format_number(value, format_locale())


@lru_cache(maxsize=4096)
def _format_number(value, locale: str) -> str:
    return format_decimal(value, locale=locale)


# --- the catalogue workflow ------------------------------------------------------------

# Lines of the catalogues are wrapped here: wide enough that most messages stay on one line,
# so that a change to a message is a change to one line.
CATALOGUE_WIDTH = 100


def _translations() -> Path:
    return Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])


def _pybabel(*args: str) -> None:
    status = CommandLineInterface().run(["pybabel", "-q", *args])
    if status:
        raise click.ClickException(f"pybabel {args[0]} failed")


def _extract(pot: Path) -> None:
    root = Path(current_app.root_path).parent
    _pybabel(
        "extract", "-F", str(_translations() / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
        "-k", "lazy_pgettext:1c,2", "-k", "lazy_ngettext:1,2",
        "--no-location", "--sort-output", "--project", "agmtool", "--width",
        str(CATALOGUE_WIDTH), "-o", str(pot), str(root),
    )


def _catalogue_languages() -> list[str]:
    source = current_app.config["BABEL_DEFAULT_LOCALE"]
    return [code for code in current_app.config["LANGUAGES"] if code != source]


@click.group("i18n", help="Extract, update, compile and check the translation catalogues.")
def i18n_cli() -> None:
    pass


@i18n_cli.command("extract")
def extract_command() -> None:
    """Write translations/messages.pot from the code and templates."""
    _extract(_translations() / "messages.pot")


@i18n_cli.command("update")
def update_command() -> None:
    """Extract, then merge new strings into every language's catalogue (creating it if new)."""
    pot = _translations() / "messages.pot"
    _extract(pot)
    for code in _catalogue_languages():
        po = _translations() / code / "LC_MESSAGES" / "messages.po"
        action = "update" if po.exists() else "init"
        extra = ["--width", str(CATALOGUE_WIDTH)]
        if po.exists():
            extra += ["--no-fuzzy-matching", "--ignore-pot-creation-date", "--ignore-obsolete"]
        _pybabel(action, "-i", str(pot), "-d", str(_translations()), "-l", code, *extra)


@i18n_cli.command("compile")
def compile_command() -> None:
    """Compile the catalogues to .mo files (a build step; .mo files are not committed)."""
    _pybabel("compile", "-d", str(_translations()), "--statistics")


@i18n_cli.command("check")
def check_command() -> None:
    """Fail when a string is missing from a catalogue, untranslated or fuzzy."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        _extract(pot)
        with pot.open("rb") as fh:
            wanted = [(m.id, m.context) for m in read_po(fh) if m.id]
    problems = []
    for code in _catalogue_languages():
        po = _translations() / code / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            problems.append(f"{code}: no catalogue at {po}")
            continue
        with po.open("rb") as fh:
            catalogue = read_po(fh)
        for msgid, context in wanted:
            message = catalogue.get(msgid, context)
            key = msgid if isinstance(msgid, str) else msgid[0]
            if context:
                key = f"{context}|{key}"
            if message is None:
                problems.append(f"{code}: missing: {key!r}")
            elif message.fuzzy or not all(
                message.string if isinstance(message.string, tuple) else (message.string,)
            ):
                problems.append(f"{code}: untranslated: {key!r}")
    if problems:
        click.echo("\n".join(problems), err=True)
        click.echo(f"{len(problems)} problem(s): run `flask --app agmtool i18n update`, "
                   "translate, then check again.", err=True)
        sys.exit(1)
    click.echo(f"{len(wanted)} strings, translated in {', '.join(_catalogue_languages())}.")
