"""Finding concerns: the inbox's filters, search and counts, "asked before?", and the CSV
export of the current filter."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from agmtool import seasons
from agmtool.concerns.domain import BODY
from agmtool.extensions import db
from agmtool.i18n import language_name
from agmtool.models import (
    Attribution,
    Channel,
    Clarification,
    Company,
    Concern,
    ConcernStatus,
    ConcernTopic,
    Question,
    QuestionConcern,
    Topic,
    Translation,
    TranslationState,
)
from agmtool.text import clean_text, folded, spreadsheet_cell


@dataclass
class Filters:
    status: str | None = None
    language: str | None = None
    company: str | None = None  # a company id, or "none"
    topic: str | None = None
    season: int | None = None  # the year it began (agmtool.seasons)
    q: str | None = None
    unread_answers: bool = False  # only those with a community's answer staff have not read
    in_no_question: bool = False  # only those no question answers yet
    assignee: int | None = None  # a user id: only the concerns assigned to them
    languages: list[str] | None = None  # a translator's languages: nothing else is shown
    hide: set[ConcernStatus] = field(default_factory=set)


# A concern with a community's answer that staff have not marked read.
UNREAD_ANSWER = Concern.clarifications.any(sa.and_(Clarification.answer.is_not(None),
                                                   Clarification.answer_read_at.is_(None)))


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
        where.append(Concern.received_on.between(*seasons.bounds(filters.season)))
    if filters.unread_answers:
        where.append(UNREAD_ANSWER)
    if filters.in_no_question:
        where.append(~Concern.links.any())
    if filters.assignee:
        where.append(Concern.assignee_id == filters.assignee)
    if filters.q:
        where.append(Concern.search_text.like(_like(folded(clean_text(filters.q).strip())),
                                              escape="\\"))
    return where


def search(filters: Filters):
    """The SELECT for the inbox: newest first, with what a list row shows loaded eagerly."""
    return (
        sa.select(Concern).where(*_conditions(filters))
        .options(selectinload(Concern.topic_rows), selectinload(Concern.company),
                 selectinload(Concern.translations), selectinload(Concern.clarifications))
        .order_by(Concern.received_on.desc(), Concern.id.desc())
    )


def counts(filters: Filters) -> dict[str, int]:
    """Concerns per status under every filter but the status one."""
    rows = db.session.execute(
        sa.select(Concern.status, sa.func.count(Concern.id))
        .where(*_conditions(filters, with_status=False)).group_by(Concern.status)
    ).all()
    return {str(status): number for status, number in rows}


def count(filters: Filters) -> int:
    """How many concerns the inbox lists under ``filters`` (one query)."""
    return db.session.scalar(sa.select(sa.func.count(Concern.id)).where(*_conditions(filters)))


def unread_answers(filters: Filters) -> int:
    """How many concerns under every filter but the status one have an answer waiting."""
    return db.session.scalar(
        sa.select(sa.func.count(Concern.id))
        .where(*_conditions(filters, with_status=False), UNREAD_ANSWER))


def received_seasons() -> list[int]:
    """The AGM seasons concerns were received in, newest first (see agmtool.seasons)."""
    first, last = db.session.execute(
        sa.select(sa.func.min(Concern.received_on), sa.func.max(Concern.received_on))
    ).one()
    if first is None:
        return []
    return seasons.between(first, last)


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
        Concern.status.not_in([ConcernStatus.WITHDRAWN, ConcernStatus.QUARANTINED]),
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


EXPORT_BATCH = 500


def export_csv(filters: Filters, with_contacts: bool = False,
               batch: int = EXPORT_BATCH) -> Iterator[bytes]:
    """The concerns under ``filters`` as CSV, UTF-8 with a BOM, headings and values in the
    reader's language (dates as YYYY-MM-DD, to sort); contacts only on request.

    In pieces: the headings first, then ``batch`` rows at a time, read as plain rows rather
    than objects, so that the download starts at once and memory stays flat however many
    concerns there are. Iterate it inside the request (flask.stream_with_context).
    """
    out = io.StringIO()
    writer = csv.writer(out)

    def written() -> bytes:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text.encode("utf-8")

    writer.writerow(map(str, EXPORT_COLUMNS + (CONTACT_COLUMNS if with_contacts else [])))
    yield "\ufeff".encode() + written()
    yes, no = _("Yes"), _("No")
    label = {member: str(member.label) for enum in (ConcernStatus, Channel, Attribution,
                                                    TranslationState, Topic)
             for member in enum}
    rows = db.session.execute(_export_query(filters, with_contacts)
                              .execution_options(yield_per=batch))
    for part in rows.partitions():
        topics = _topics([row.id for row in part])
        for row in part:
            cells = [
                row.id, row.received_on.isoformat(), label[row.status], label[row.channel],
                language_name(row.language), language_name(row.reply_language),
                row.company_name if row.company_name is not None else row.company_other,
                row.place, row.community_name,
                "; ".join(label[topic] for topic in topics.get(row.id, ())),
                label[row.attribution], yes if row.may_quote else no, row.speaker_name,
                row.body, row.wanted, row.translation_text,
                label[row.translation_state] if row.translation_state else None,
                row.merged_into_id, row.decline_reason,
            ]
            if with_contacts:
                cells += [row.contact_name, row.contact_details]
            writer.writerow([spreadsheet_cell(cell) for cell in cells])
        yield written()


def _export_query(filters: Filters, with_contacts: bool) -> sa.Select:
    """One row per concern under ``filters``, newest first, with its company's name and the
    English translation of its words; contact details only when asked for."""
    columns = [Concern.id, Concern.received_on, Concern.status, Concern.channel,
               Concern.language, Concern.reply_language, Company.name.label("company_name"),
               Concern.company_other, Concern.place, Concern.community_name,
               Concern.attribution, Concern.may_quote, Concern.speaker_name, Concern.body,
               Concern.wanted, Translation.text.label("translation_text"),
               Translation.state.label("translation_state"), Concern.merged_into_id,
               Concern.decline_reason]
    if with_contacts:
        columns += [Concern.contact_name, Concern.contact_details]
    return (
        sa.select(*columns)
        .outerjoin(Company, Company.id == Concern.company_id)
        .outerjoin(Translation, sa.and_(Translation.source_type == BODY,
                                        Translation.source_id == Concern.id,
                                        Translation.language == "en"))
        .where(*_conditions(filters))
        .order_by(Concern.received_on.desc(), Concern.id.desc())
    )


def _topics(ids: list[int]) -> dict[int, list[Topic]]:
    """The topics of the concerns ``ids``, each concern's in the order the inbox shows them."""
    found: dict[int, list[Topic]] = {}
    for concern_id, topic in db.session.execute(
            sa.select(ConcernTopic.concern_id, ConcernTopic.topic)
            .where(ConcernTopic.concern_id.in_(ids)).order_by(ConcernTopic.topic)):
        found.setdefault(concern_id, []).append(topic)
    return found
