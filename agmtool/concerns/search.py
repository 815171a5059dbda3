"""Finding concerns: the inbox's filters, search and counts, "asked before?", and the CSV
export of the current filter."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from agmtool.concerns.domain import english
from agmtool.extensions import db
from agmtool.i18n import language_name
from agmtool.models import (
    Concern,
    ConcernStatus,
    ConcernTopic,
    Question,
    QuestionConcern,
)
from agmtool.text import clean_text, folded, spreadsheet_cell

S = ConcernStatus


@dataclass
class Filters:
    status: str | None = None
    language: str | None = None
    company: str | None = None  # a company id, or "none"
    topic: str | None = None
    season: int | None = None
    q: str | None = None
    languages: list[str] | None = None  # a translator's languages: nothing else is shown
    hide: set[ConcernStatus] = field(default_factory=set)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(filters: Filters, with_status: bool = True) -> list:
    where = []
    if filters.languages is not None:
        where.append(Concern.language.in_(filters.languages))
    if filters.hide:
        where.append(Concern.status.not_in(list(filters.hide)))
    if with_status and filters.status:
        where.append(Concern.status == filters.status)
    if filters.language:
        where.append(Concern.language == filters.language)
    if filters.company == "none":
        where.append(Concern.company_id.is_(None))
    elif filters.company:
        where.append(Concern.company_id == int(filters.company))
    if filters.topic:
        where.append(Concern.topic_rows.any(ConcernTopic.topic == filters.topic))
    if filters.season:
        where.append(Concern.received_on.between(date(filters.season, 1, 1),
                                                 date(filters.season, 12, 31)))
    if filters.q:
        where.append(Concern.search_text.like(_like(folded(clean_text(filters.q).strip())),
                                              escape="\\"))
    return where


def search(filters: Filters):
    """The SELECT for the inbox: newest first, with what a list row shows loaded eagerly."""
    return (
        sa.select(Concern).where(*_conditions(filters))
        .options(selectinload(Concern.topic_rows), selectinload(Concern.company),
                 selectinload(Concern.translations))
        .order_by(Concern.received_on.desc(), Concern.id.desc())
    )


def counts(filters: Filters) -> dict[str, int]:
    """Concerns per status under every filter but the status one."""
    rows = db.session.execute(
        sa.select(Concern.status, sa.func.count(Concern.id))
        .where(*_conditions(filters, with_status=False)).group_by(Concern.status)
    ).all()
    return {str(status): number for status, number in rows}


def seasons() -> list[int]:
    first, last = db.session.execute(
        sa.select(sa.func.min(Concern.received_on), sa.func.max(Concern.received_on))
    ).one()
    if first is None:
        return []
    return list(range(last.year, first.year - 1, -1))


def asked_before(concern: Concern, languages: list[str] | None = None,
                 limit: int = 20) -> list[Concern]:
    """Earlier concerns about the same company that share a topic, across AGMs, with the
    question each became (if any); only in ``languages`` when given (a translator's).

    "Earlier" is by the day received, then by number within a day: a concern entered by
    staff later can still have been received before. The public form and staff entry
    set no site, so the company is what links concerns (the place is free text).
    """
    if not concern.company_id or not concern.topics:
        return []
    where = [
        Concern.id != concern.id,
        Concern.company_id == concern.company_id,
        sa.or_(Concern.received_on < concern.received_on,
               sa.and_(Concern.received_on == concern.received_on,
                       Concern.id < concern.id)),
        Concern.topic_rows.any(ConcernTopic.topic.in_(concern.topics)),
        Concern.status.not_in([S.WITHDRAWN, S.QUARANTINED]),
    ]
    if languages is not None:
        where.append(Concern.language.in_(languages))
    return list(db.session.scalars(
        sa.select(Concern).where(*where)
        .options(selectinload(Concern.topic_rows),
                 selectinload(Concern.links).selectinload(QuestionConcern.question)
                 .selectinload(Question.agm))
        .order_by(Concern.received_on.desc(), Concern.id.desc())
        .limit(limit)
    ))


# --- export -------------------------------------------------------------------------------

# Column headings, in the reader's language like the rest of the export.
EXPORT_COLUMNS = [
    _l("Number"), _l("Received on"), _l("Status"), _l("How it arrived"), _l("Language"),
    _l("Language for our replies"), _l("Company"), _l("Mine or place"), _l("Community"),
    _l("Topics"), _l("Consent"), _l("May be quoted"), _l("The name we may say"),
    _l("What is happening?"), _l("What the community wants"), _l("English translation"),
    _l("Translation"), _l("Merged into"), _l("Reason for declining"),
]
CONTACT_COLUMNS = [_l("Contact name"), _l("Contact details")]


def export_csv(filters: Filters, with_contacts: bool = False) -> bytes:
    """The concerns under ``filters`` as CSV, UTF-8 with a BOM, headings and values in the
    reader's language (dates as YYYY-MM-DD, to sort); contacts only on request."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(map(str, EXPORT_COLUMNS + (CONTACT_COLUMNS if with_contacts else [])))
    yes, no = _("Yes"), _("No")
    for concern in db.session.scalars(search(filters)):
        translation = english(concern)
        row = [
            concern.id, concern.received_on.isoformat(), concern.status.label,
            concern.channel.label, language_name(concern.language),
            language_name(concern.reply_language),
            concern.company.name if concern.company else concern.company_other,
            concern.place, concern.community_name,
            "; ".join(str(topic.label) for topic in concern.topics), concern.attribution.label,
            yes if concern.may_quote else no, concern.speaker_name, concern.body,
            concern.wanted, translation.text if translation else None,
            translation.state.label if translation else None, concern.merged_into_id,
            concern.decline_reason,
        ]
        if with_contacts:
            row += [concern.contact_name, concern.contact_details]
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
