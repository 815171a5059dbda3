"""Meetings to and from CSV: the export, and the import (`flask --app agmtool agms import
FILE`, and the staff upload), all rows or none. A row names its meeting by ``ref``, else by
company, listed entity, kind and date, so that importing a file again updates what it
created, and export, edit, import is a round trip. Every problem is reported with its line
and column, in the reader's language."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

import click
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from agmtool.extensions import db
from agmtool.i18n import format_number
from agmtool.meetings import agms
from agmtool.models import AGM, AGMStatus, Company, MeetingFormat, MeetingKind, User
from agmtool.text import from_spreadsheet_cell, spreadsheet_cell

COLUMNS = (
    "ref", "company", "listing", "kind", "date", "time", "timezone", "fold",
    "duration_minutes", "venue", "address", "format", "webcast_url", "questions_deadline",
    "proxy_deadline", "registration_deadline", "deadlines_to_be_confirmed", "status",
    "status_note",
)
REQUIRED_COLUMNS = ("company", "date", "timezone")
# The meeting's field (agms.EDITABLE_FIELDS) each column fills, where their names differ.
FIELD_OF = {"company": "company_id", "listing": "listing_id", "date": "local_date",
            "time": "local_time"}
COLUMN_OF = {field: column for column, field in FIELD_OF.items()}
DEADLINE_COLUMNS = tuple(attr for attr, _key, _label in agms.DEADLINES)

CSV_HELP = """\
The file is UTF-8 CSV with a header row naming these columns (in any order; only company,
date and timezone are required). The staff page's export writes every column.

\b
  ref                    the meeting's reference, as the export writes it; empty for a
                         new meeting (then company, listing, kind and date find it)
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
  deadlines_to_be_confirmed  1 while the deadlines of a postponed meeting are not confirmed
  status                 expected (default), announced, confirmed, postponed, cancelled
  status_note            public note (needed for postponed and cancelled)

Texts take as many characters as the meeting form allows. A column the file leaves out
keeps each meeting's value; an empty cell empties it. A file with any problem imports
nothing; every problem is listed with its line and column."""

NOT_UTF8 = _l("This line is not UTF-8 text. Save the file as “CSV UTF-8” and try again.")
UNREADABLE = _l("This line cannot be read as CSV: check its quotation marks.")
EXTRA_VALUES = _l("This line has more values than the header has columns.")
BAD_DATE = _l("Enter a date like 2027-04-29.")
BAD_TIME = _l("Enter a time like 11:00.")
BAD_MOMENT = _l("Enter a local date and time like 2027-04-27 11:00.")
BAD_FOLD = _l("Enter 0 or 1.")
BAD_MINUTES = _l("Enter a whole number of minutes.")
TEXT_COLUMNS = ("venue", "address", "webcast_url", "status_note")


@dataclass(frozen=True)
class Problem:
    """What is wrong on ``line`` (1 is the header) in ``column`` (None: the whole line);
    ``message`` is translated when shown."""
    line: int
    column: str | None
    message: object


class Refused(Exception):
    """The file imports nothing; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def decode(data: bytes | str) -> str:
    """The file's text (a byte-order mark dropped); Refused at the first line that is not
    UTF-8."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise Refused([Problem(line, None, NOT_UTF8)]) from None


def read_rows(text: str):
    """(line where the row starts, header, values) for each row after the header; Refused
    when the header or a line cannot be used."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        header = [name.strip() for name in next(reader, [])]
        problems = _header_problems(header)
        if problems:
            raise Refused(problems)
        while True:
            start = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                return
            if any(cell.strip() for cell in row):
                yield start, header, row
    except csv.Error as error:
        # The csv module stops at a value over its field_size_limit, 131,072 characters by
        # default: far more than any column takes.
        if "field larger than field limit" in str(error):
            message = _l("A value on this line is longer than %(max)s characters, far more "
                         "than any column takes.", max=format_number(csv.field_size_limit()))
        else:
            message = UNREADABLE
        raise Refused([Problem(start, None, message)]) from None


def _header_problems(header: list[str]) -> list[Problem]:
    found = []
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        found.append(Problem(1, None, _l("Missing columns: %(columns)s.",
                                         columns=", ".join(missing))))
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        found.append(Problem(1, None, _l("Unknown columns: %(columns)s.",
                                         columns=", ".join(unknown))))
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        found.append(Problem(1, None, _l("These columns appear more than once: %(columns)s.",
                                         columns=", ".join(twice))))
    return found


def _choices(enum_type) -> str:
    return ", ".join(member.value for member in enum_type)


def parse_row(row: dict[str, str]) -> tuple[dict, dict[str, list]]:
    """The meeting's values from a row (column -> text) and the problems (column ->
    messages) met reading it. Columns the row lacks are left out of the values."""
    values: dict = {}
    problems: dict[str, list] = {}

    def text(name):
        return from_spreadsheet_cell((row.get(name) or "").strip())

    def parse(name, parser, message):
        raw = text(name)
        if not raw:
            return None
        try:
            return parser(raw)
        except ValueError:
            problems.setdefault(name, []).append(message)
            return None

    def enum(name, enum_type):
        return parse(name, enum_type, _l("“%(value)s” is not one of: %(choices)s.",
                                         value=text(name), choices=_choices(enum_type)))

    slug = text("company")
    company = db.session.scalar(sa.select(Company).where(Company.slug == slug)) if slug else None
    if slug and company is None:
        problems["company"] = [_l("No company has the short name “%(slug)s”.", slug=slug)]
    values["company_id"] = company.id if company else None
    if "listing" in row:
        values["listing_id"] = None
        named = text("listing")
        if named and company is not None:
            match = [item for item in company.listings if named in (item.ticker,
                                                                    item.entity_name)]
            if len(match) == 1:
                values["listing_id"] = match[0].id
            elif match:
                problems["listing"] = [_l(
                    "“%(listing)s” names more than one of %(company)s's listings: give the "
                    "entity's full name.", listing=named, company=company.name)]
            else:
                problems["listing"] = [_l("“%(listing)s” is not one of %(company)s's listings.",
                                          listing=named, company=company.name)]
    readers = {
        "kind": lambda name: enum(name, MeetingKind),
        "date": lambda name: parse(name, _day, BAD_DATE),
        "time": lambda name: parse(name, _clock, BAD_TIME),
        "timezone": lambda name: text(name) or None,
        "fold": lambda name: parse(name, _fold, BAD_FOLD),
        "duration_minutes": lambda name: parse(name, int, BAD_MINUTES),
        "format": lambda name: enum(name, MeetingFormat),
        "status": lambda name: enum(name, AGMStatus),
        **{name: (lambda name: parse(name, _moment, BAD_MOMENT)) for name in DEADLINE_COLUMNS},
        "deadlines_to_be_confirmed": lambda name: bool(parse(name, _fold, BAD_FOLD)),
        **{name: (lambda name: from_spreadsheet_cell(row[name]) or None)
           for name in TEXT_COLUMNS},
    }
    for column in COLUMNS:
        if column in readers and column in row:
            values[FIELD_OF.get(column, column)] = readers[column](column)
    return values, problems


# The formats the form's fields take (and the export writes), no looser.
def _day(raw: str) -> date:
    return datetime.strptime(raw, "%Y-%m-%d").date()


def _clock(raw: str) -> time:
    return datetime.strptime(raw, "%H:%M").time()


def _fold(raw: str) -> int:
    if raw not in ("0", "1"):
        raise ValueError(raw)
    return int(raw)


def _moment(raw: str) -> datetime:
    return datetime.strptime(raw.replace("T", " "), "%Y-%m-%d %H:%M")


@dataclass
class Outcome:
    """What one row did: ``action`` is 'created', 'updated' or 'unchanged'; ``changes`` maps
    each changed field to [old, new]."""
    line: int
    agm: AGM
    action: str
    changes: dict = field(default_factory=dict)


def _identity(values: dict, agm: AGM | None) -> tuple | None:
    """Company, entity, kind and date the meeting will have; None while one is unreadable."""
    current = {key: getattr(agm, key) for key in IDENTITY} if agm is not None else {}
    merged = {**current, **{key: values[key] for key in IDENTITY if key in values}}
    merged["kind"] = merged.get("kind") or MeetingKind.AGM
    if merged.get("company_id") is None or merged.get("local_date") is None:
        return None
    return tuple(merged.get(key) for key in IDENTITY)


IDENTITY = ("company_id", "listing_id", "kind", "local_date")


def _same_meeting(first: int, line: int):
    return _l("Lines %(first)s and %(line)s name the same meeting: keep one of them.",
              first=first, line=line)


def _find(ref: str, values: dict, problems: dict) -> AGM | None:
    """The existing meeting a row names: by its ref, else by its identity; None for a new
    one (or when the row cannot say)."""
    if ref:
        agm = agms.by_ref(ref)
        if agm is None:
            problems.setdefault("ref", []).append(_l(
                "No meeting has the reference “%(ref)s”. Leave ref empty for a new meeting.",
                ref=ref))
        return agm
    key = _identity(values, None)
    if key is None or any(COLUMN_OF.get(name, name) in problems for name in IDENTITY):
        return None
    found = agms.same_meeting(*key)
    if len(found) > 1:
        problems.setdefault("ref", []).append(_l(
            "Several meetings of this company, entity and kind fall on this date: give the "
            "ref of the one meant."))
        return None
    return found[0] if found else None


def import_csv(data: bytes | str, user: User | None = None) -> list[Outcome]:
    """Create or update every meeting in the CSV ``data``, or none: raise Refused listing
    each problem. A row updates the meeting it names (see _find), else creates one; two rows
    naming one meeting are refused. Columns the file leaves out keep their values.

    Side effects: as agms.create_agm and agms.update_agm (history 'imported'; the sequence
    rises only where a calendar shows a change) for each row, inside a savepoint that is
    rolled back on any problem, so nothing stays flushed.
    """
    found: list[Problem] = []
    done: list[Outcome] = []
    named: dict[tuple, int] = {}  # meeting (its id, or its identity if new) -> first line
    savepoint = db.session.begin_nested()
    try:
        for line, header, cells in read_rows(decode(data)):
            if len(cells) > len(header):
                found.append(Problem(line, None, EXTRA_VALUES))
                continue
            row = dict(zip(header, cells, strict=False))
            values, problems = parse_row(row)
            agm = _find(from_spreadsheet_cell(row.get("ref", "").strip()), values, problems)
            if agm is None:
                values.setdefault("listing_id", None)
            checked = (agms.change_problems(agm, values) if agm is not None
                       else agms.problems(values))
            # What the domain finds, except in a column already found unreadable.
            for name, messages in checked.items():
                column = COLUMN_OF.get(name, name)
                if column not in problems:
                    problems.setdefault(column, []).extend(messages)
            # A meeting is the same whether two rows name it by ref or end up with one
            # identity (one created, the other finding it).
            keys = [key for key in (("agm", agm.id if agm else None),
                                    ("identity", _identity(values, agm))) if key[1] is not None]
            first = next((named[key] for key in keys if key in named), None)
            if first is not None:
                problems.setdefault(None, []).append(_same_meeting(first, line))
            for key in keys:
                named.setdefault(key, line)
            if problems:
                found.extend(Problem(line, column, message)
                             for column, messages in problems.items() for message in messages)
                continue
            if agm is None:
                agm = agms.create_agm(user, values, action="imported")
                done.append(Outcome(line, agm, "created"))
            else:
                changes = agms.update_agm(agm, user, values, agms.UNCHECKED, action="imported")
                done.append(Outcome(line, agm, "updated" if changes else "unchanged",
                                    changes))
    except Refused as refused:
        found.extend(refused.problems)
    if found:
        savepoint.rollback()
        raise Refused(found)
    savepoint.commit()
    return done


# --- export ------------------------------------------------------------------------------

def export_csv() -> bytes:
    """Every meeting as the import reads it, UTF-8 with a byte-order mark (so spreadsheets
    read it as UTF-8), a cell that would run as a formula marked as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    meetings = db.session.scalars(sa.select(AGM).order_by(AGM.local_date, AGM.id).options(
        sa.orm.joinedload(AGM.company), sa.orm.joinedload(AGM.listing))).unique()
    for agm in meetings:
        writer.writerow([spreadsheet_cell(value) for value in _cells(agm)])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _cells(agm: AGM) -> list:
    def moment(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else ""

    return [
        agm.ref, agm.company.slug, agm.listing.entity_name if agm.listing else "",
        agm.kind.value, agm.local_date.isoformat(),
        agm.local_time.strftime("%H:%M") if agm.local_time else "", agm.timezone, agm.fold,
        agm.duration_minutes if agm.duration_minutes is not None else "", agm.venue,
        agm.address, agm.format.value if agm.format else "", agm.webcast_url,
        *(moment(getattr(agm, name)) for name in DEADLINE_COLUMNS),
        int(agm.deadlines_to_be_confirmed), agm.status.value, agm.status_note,
    ]


def describe(problem: Problem) -> str:
    """One problem on one line of text, for the command line."""
    where = f"line {problem.line}" + (f", {problem.column}" if problem.column else "")
    return f"{where}: {problem.message}"


def describe_outcome(outcome: Outcome) -> str:
    """What one row did, on one line of text, for the command line."""
    agm = outcome.agm
    said = {"created": "new meeting", "updated": "changed", "unchanged": "unchanged"}
    text = (f"line {outcome.line}: {said[outcome.action]} {agm.ref} "
            f"({agms.headline_entity(agm)}, {agm.kind.value}, {agm.local_date.isoformat()})")
    if outcome.changes:
        text += ": " + ", ".join(COLUMN_OF.get(name, name) for name in outcome.changes
                                 if name in FIELD_OF.values() or name in COLUMNS)
    return text


def counts(outcomes: list[Outcome]) -> dict[str, int]:
    """How many rows created, updated and left a meeting unchanged."""
    return {action: sum(o.action == action for o in outcomes)
            for action in ("created", "updated", "unchanged")}


# The CLI lives beside the code it drives (style.md); registered by init_app.

@click.group("agms", help="Meetings: import from CSV.")
def agms_cli() -> None:
    pass


@agms_cli.command("import", help="Import meetings from the CSV FILE.\n\n" + CSV_HELP)
@click.argument("file", type=click.File("rb"))
def import_command(file) -> None:
    from flask_babel import force_locale

    # A command line has no browser whose language to follow.
    with force_locale("en"):
        try:
            outcomes = import_csv(file.read())
        except Refused as refused:
            db.session.rollback()
            for problem in refused.problems:
                click.echo(describe(problem), err=True)
            count = len(refused.problems)
            raise click.ClickException(
                f"nothing imported: {count} problem{'s' if count != 1 else ''}.") from None
        for outcome in outcomes:
            click.echo(describe_outcome(outcome))
    db.session.commit()
    click.echo("Imported: {created} new, {updated} changed, {unchanged} unchanged.".format(
        **counts(outcomes)))
