"""Meetings from a CSV file: `flask --app agmtool agms import FILE`, all rows or none."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

import click
import sqlalchemy as sa

from agmtool.extensions import db
from agmtool.meetings.agms import DEADLINES, Invalid, create_agm
from agmtool.models import AGM, AGMStatus, Company, MeetingFormat, MeetingKind, User

CSV_COLUMNS = (
    "company", "listing", "kind", "date", "time", "timezone", "fold", "duration_minutes",
    "venue", "address", "format", "webcast_url", "questions_deadline", "proxy_deadline",
    "registration_deadline", "status", "status_note",
)
CSV_HELP = """\
The file is UTF-8 CSV with a header row naming these columns (in any order; only company,
date and timezone are required):

\b
  company                company slug, e.g. rio-tinto (the company must exist)
  listing                the listed entity holding the meeting: its ticker or full name
  kind                   agm (default) or general
  date                   local date, YYYY-MM-DD
  time                   local start time, HH:MM (24 h); empty = time to be announced
  timezone               IANA zone, e.g. Europe/London, Australia/Perth
  fold                   0 or 1: which of two repeated times at a clock change is meant
  duration_minutes       e.g. 120
  venue, address         free text
  format                 in_person, hybrid or online
  webcast_url            https://...
  questions_deadline     local time in the meeting's zone, YYYY-MM-DD HH:MM
  proxy_deadline         likewise
  registration_deadline  likewise
  status                 expected (default), announced, confirmed, postponed, cancelled
  status_note            public note (needed for postponed and cancelled)

A file with any bad row imports nothing; every bad row is listed with its line number."""


def _parse_row(row: dict) -> tuple[dict, list[str]]:
    problems: list[str] = []
    values: dict = {}

    def text(name):
        return (row.get(name) or "").strip()

    slug = text("company")
    company = db.session.scalar(sa.select(Company).where(Company.slug == slug)) if slug else None
    if company is None:
        problems.append(f"no company with the slug {slug!r}" if slug else "company is empty")
    values["company_id"] = company.id if company else None
    values["listing_id"] = None
    if text("listing") and company is not None:
        match = [lst for lst in company.listings
                 if text("listing") in (lst.ticker, lst.entity_name)]
        if len(match) != 1:
            problems.append(f"listing {text('listing')!r} is not one of {company.name}'s")
        else:
            values["listing_id"] = match[0].id

    def parse(name, parser, label):
        raw = text(name)
        if not raw:
            return None
        try:
            return parser(raw)
        except ValueError:
            problems.append(f"{name} {raw!r} is not {label}")
            return None

    def enum(name, enum_type):
        raw = text(name)
        if not raw:
            return None
        try:
            return enum_type(raw)
        except ValueError:
            problems.append(f"{name} {raw!r} is not one of: "
                            + ", ".join(member.value for member in enum_type))
            return None

    values["kind"] = enum("kind", MeetingKind)
    values["local_date"] = parse("date", date.fromisoformat, "a date like 2026-04-30")
    if not text("date"):
        problems.append("date is empty")
    values["local_time"] = parse("time", lambda s: time.fromisoformat(s), "a time like 11:00")
    values["timezone"] = text("timezone") or None
    fold = parse("fold", int, "0 or 1")
    values["fold"] = fold if fold in (0, 1) else None
    values["duration_minutes"] = parse("duration_minutes", int, "a whole number of minutes")
    values["venue"] = text("venue")[:300] or None
    values["address"] = text("address") or None
    values["format"] = enum("format", MeetingFormat)
    values["webcast_url"] = text("webcast_url")[:500] or None
    for attr, _key, _label in DEADLINES:
        values[attr] = parse(attr, lambda s: datetime.fromisoformat(s.replace("T", " ")),
                             "a local time like 2026-04-28 11:00")
    values["status"] = enum("status", AGMStatus)
    values["status_note"] = text("status_note") or None
    values["notes"] = None
    return values, problems


def import_csv(data: str, user: User | None = None) -> list[AGM]:
    """Create every meeting in the CSV ``data``, or none: raise Invalid listing each bad row.

    Side effects: as create_agm for each row; on any problem nothing stays flushed (the
    rows are created in a savepoint that is rolled back).
    """
    reader = csv.DictReader(io.StringIO(data))
    missing = {"company", "date", "timezone"} - set(reader.fieldnames or ())
    if missing:
        raise Invalid({"1": ["missing columns: " + ", ".join(sorted(missing))]})
    unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
    if unknown:
        raise Invalid({"1": ["unknown columns: " + ", ".join(sorted(unknown))]})
    errors: dict[str, list] = {}
    created: list[AGM] = []
    savepoint = db.session.begin_nested()
    for row in reader:
        line = str(reader.line_num)
        if None in row:
            errors[line] = ["more fields than the header has"]
            continue
        values, problems = _parse_row(row)
        if problems:
            errors[line] = problems
            continue
        try:
            created.append(create_agm(user, values))
        except Invalid as invalid:
            errors[line] = [f"{field}: {' '.join(map(str, messages))}"
                            for field, messages in invalid.errors.items()]
    if errors:
        savepoint.rollback()
        raise Invalid(errors)
    savepoint.commit()
    return created


# The CLI lives beside the code it drives (style.md); registered by init_app.

@click.group("agms", help="Meetings: import from CSV.")
def agms_cli() -> None:
    pass


@agms_cli.command("import", help="Import meetings from the CSV FILE.\n\n" + CSV_HELP)
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def import_command(file) -> None:
    from flask_babel import force_locale

    # A command line has no browser whose language to follow.
    with force_locale("en"):
        try:
            created = import_csv(file.read())
        except Invalid as invalid:
            db.session.rollback()
            for line, problems in invalid.errors.items():
                for problem in problems:
                    click.echo(f"line {line}: {problem}", err=True)
            raise click.ClickException(
                f"nothing imported: {len(invalid.errors)} bad line(s)") from None
    db.session.commit()
    click.echo(f"Imported {len(created)} meeting(s).")
