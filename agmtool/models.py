"""The data model of agmtool: every table, its status enums, and thin properties only.

Times are stored as naive UTC (``utcnow``) except an AGM's own times, which are naive local
times in the AGM's IANA zone. Days that identify people (when a concern came in) are stored
as dates only.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agmtool.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class LabelledEnum(StrEnum):
    """A status stored as a language-neutral key, with a label translated at display time.

    Statuses of different things share English words ("Withdrawn", "Approved") that other
    languages inflect differently, so their labels carry a context (``lazy_pgettext``)."""

    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value
        return member


def enum_column(enum: type[StrEnum]) -> sa.Enum:
    # VARCHAR everywhere: adding a status needs no ALTER TYPE on PostgreSQL.
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Role(LabelledEnum):
    ADMIN = "admin", _l("Administrator")
    STAFF = "staff", _l("Staff")
    TRANSLATOR = "translator", _l("Translator")
    ATTENDEE = "attendee", _l("Attendee")


class MeetingKind(LabelledEnum):
    AGM = "agm", _l("Annual general meeting")
    GENERAL = "general", _l("General meeting")


class AGMStatus(LabelledEnum):
    EXPECTED = (
        "expected", lazy_pgettext("meeting status", "Expected (date not yet announced)")
    )
    ANNOUNCED = "announced", lazy_pgettext("meeting status", "Announced")
    CONFIRMED = "confirmed", lazy_pgettext("meeting status", "Confirmed")
    POSTPONED = "postponed", lazy_pgettext("meeting status", "Postponed")
    CANCELLED = "cancelled", lazy_pgettext("meeting status", "Cancelled")


class MeetingFormat(LabelledEnum):
    IN_PERSON = "in_person", _l("In person")
    HYBRID = "hybrid", _l("Hybrid (in person and online)")
    ONLINE = "online", _l("Online only")


class Channel(LabelledEnum):
    FORM = "form", _l("Public form")
    PHONE = "phone", _l("Phone call")
    MESSAGE = "message", _l("Message")
    LETTER = "letter", _l("Letter")
    MEETING = "meeting", lazy_pgettext("how a concern arrived", "Meeting")


class ConcernStatus(LabelledEnum):
    RECEIVED = "received", lazy_pgettext("concern status", "Received")
    QUARANTINED = "quarantined", lazy_pgettext("concern status", "Quarantined")
    NEEDS_CLARIFICATION = (
        "needs_clarification", lazy_pgettext("concern status", "Needs clarification")
    )
    ACCEPTED = "accepted", lazy_pgettext("concern status", "Accepted")
    MERGED = "merged", lazy_pgettext("concern status", "Merged")
    DECLINED = "declined", lazy_pgettext("concern status", "Declined")
    ASKED = "asked", lazy_pgettext("concern status", "Asked")
    ANSWERED = "answered", lazy_pgettext("concern status", "Answered")
    CLOSED = "closed", lazy_pgettext("concern status", "Closed")
    WITHDRAWN = "withdrawn", lazy_pgettext("concern status", "Withdrawn")


class Attribution(LabelledEnum):
    NAMED = "named", _l("Name the community and the speaker")
    COMMUNITY = "community", _l("Name the community only")
    ANONYMOUS = "anonymous", _l("Anonymous")


class Topic(LabelledEnum):
    WATER = "water", _l("Water (pollution, diversion, scarcity)")
    LAND = "land", _l("Land and displacement")
    HEALTH = "health", _l("Health")
    TAILINGS = "tailings", _l("Tailings dams and waste")
    LANDSLIDES = "landslides", _l("Landslides and erosion")
    DEFORESTATION = "deforestation", _l("Deforestation")
    INDIGENOUS = "indigenous", _l("Indigenous rights and consent")
    LABOUR = "labour", _l("Labour conditions and pay")
    CHILD_LABOUR = "child_labour", _l("Child labour")
    VIOLENCE = "violence", _l("Violence and security forces")
    REPARATIONS = "reparations", _l("Reparations")
    CLOSURE = "closure", _l("Closure and long-term legacy")
    CLIMATE = "climate", _l("Climate and just transition")
    ARTISANAL = "artisanal", _l("Artisanal and small-scale mining")


class QuestionStatus(LabelledEnum):
    DRAFT = "draft", lazy_pgettext("question status", "Draft")
    IN_TRANSLATION = "in_translation", lazy_pgettext("question status", "In translation")
    AWAITING_SIGNOFF = (
        "awaiting_signoff", lazy_pgettext("question status", "Awaiting community sign-off")
    )
    APPROVED = "approved", lazy_pgettext("question status", "Approved")
    ASKED = "asked", lazy_pgettext("question status", "Asked")
    NOT_REACHED = "not_reached", lazy_pgettext("question status", "Not reached")
    WITHDRAWN = "withdrawn", lazy_pgettext("question status", "Withdrawn")


class TranslationState(LabelledEnum):
    MISSING = "missing", lazy_pgettext("translation state", "Missing")
    DRAFT = "draft", lazy_pgettext("translation state", "Draft")
    NEEDS_REVIEW = "needs_review", lazy_pgettext("translation state", "Needs review")
    APPROVED = "approved", lazy_pgettext("translation state", "Approved")


class Reader(LabelledEnum):
    """Who reads a translation: named above the editor, so the translator writes for them."""

    STAFF = "staff", lazy_pgettext("reader", "Staff")
    COMMUNITY = "community", lazy_pgettext("reader", "The community")
    ATTENDEE = "attendee", lazy_pgettext("reader", "The attendee at the meeting")
    PUBLIC = "public", lazy_pgettext("reader", "The public")


class SignOffDecision(LabelledEnum):
    """What a community said of a question asked in its name (see questions.signoffs)."""

    GIVEN = "given", lazy_pgettext("sign-off", "Given")
    CHANGES_ASKED = "changes_asked", lazy_pgettext("sign-off", "Changes asked")


class SignOffChannel(LabelledEnum):
    STATUS_PAGE = "status_page", _l("On the status page")
    PHONE = "phone", _l("Phone call")
    MESSAGE = "message", _l("Message")
    MEETING = "meeting", lazy_pgettext("how a concern arrived", "Meeting")


class QuestionProcess(LabelledEnum):
    """How a company takes questions at its meeting (for the pack)."""

    AT_THE_DOOR = "at_the_door", _l("Register the question at the door on the day")
    IN_WRITING = "in_writing", _l("In writing, by the deadline for written questions")
    ONLINE_ONLY = "online_only", _l("Online only, through the meeting platform")


class Satisfaction(LabelledEnum):
    """The community's view of the company's answer."""

    SATISFIED = "satisfied", _l("It answers our question")
    PARTLY = "partly", _l("It answers only part of it")
    NOT_SATISFIED = "not_satisfied", _l("It does not answer our question")


class Holding(LabelledEnum):
    """How a friendly shareholder holds its shares (see questions.attendees)."""

    REGISTERED = "registered", _l("Registered holder")
    NOMINEE = "nominee", _l("Through a broker or nominee")
    FUND = "fund", _l("Fund")


class Entry(LabelledEnum):
    """How an attendee gets into a meeting."""

    OWN_SHARE = "own_share", _l("Own share")
    PROXY = "proxy", _l("Proxy of a shareholder")
    CORPORATE = "corporate", _l("Corporate representative")
    ONLINE_ONLY = "online_only", _l("Online only")
    GUEST = "guest", _l("Guest, without a right to speak")
    UNKNOWN = "unknown", _l("Not yet known")


class EntryState(LabelledEnum):
    """Where an attendee's entry stands (questions.attendees.TRANSITIONS)."""

    REQUESTED = "requested", lazy_pgettext("entry state", "Requested")
    APPOINTED = "appointed", lazy_pgettext("entry state", "Appointed")
    LODGED = "lodged", lazy_pgettext("entry state", "Lodged with the registrar")
    CONFIRMED = "confirmed", lazy_pgettext("entry state", "Confirmed")
    REFUSED = "refused", lazy_pgettext("entry state", "Refused")


class Company(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    website: Mapped[str | None] = mapped_column(sa.String(500))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    listings: Mapped[list[Listing]] = relationship(
        back_populates="company", cascade="all, delete-orphan", order_by="Listing.id"
    )
    sites: Mapped[list[Site]] = relationship(back_populates="company", order_by="Site.name")
    agms: Mapped[list[AGM]] = relationship(back_populates="company")


class Listing(db.Model):
    """One listed entity of a company: Rio Tinto plc (LSE: RIO), Rio Tinto Limited (ASX: RIO)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id", ondelete="CASCADE"))
    entity_name: Mapped[str] = mapped_column(sa.String(200))
    exchange: Mapped[str] = mapped_column(sa.String(40))
    ticker: Mapped[str] = mapped_column(sa.String(20))

    company: Mapped[Company] = relationship(back_populates="listings")


class Site(db.Model):
    """A mine or project. ``owners`` is free text because ownership changes over time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("company.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    country: Mapped[str] = mapped_column(sa.String(2))  # ISO 3166-1 alpha-2
    region: Mapped[str | None] = mapped_column(sa.String(200))
    owners: Mapped[str | None] = mapped_column(sa.Text)

    company: Mapped[Company | None] = relationship(back_populates="sites")


class Community(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    country: Mapped[str] = mapped_column(sa.String(2))
    region: Mapped[str | None] = mapped_column(sa.String(200))
    language: Mapped[str] = mapped_column(sa.String(8))
    # For the pack: its situation, the company's sites, what it has asked before (English).
    background: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")


# Letters and digits that cannot be mistaken for one another when read aloud or retyped.
REF_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
REF_LENGTH = 8


def new_ref() -> str:
    """A meeting's reference: random, so that a file exported from one installation never
    matches the meetings of another."""
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))


class AGM(db.Model):
    """A company's meeting. Start, deadlines: naive local times in ``timezone`` (IANA).

    ``ref`` names the meeting for good, whatever else changes (the CSV export and import
    find it by it). ``fold`` picks the later of two instants when the local start time
    happens twice at a clock change. ``sequence`` rises with every change a calendar shows;
    ``updated_at`` is the UTC time of the last such change (the feed's LAST-MODIFIED and
    DTSTAMP).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(16), unique=True, default=new_ref)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id"), index=True)
    listing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("listing.id"))
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind), default=MeetingKind.AGM)
    local_date: Mapped[date] = mapped_column(index=True)
    local_time: Mapped[time | None]
    timezone: Mapped[str] = mapped_column(sa.String(64))
    fold: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    duration_minutes: Mapped[int | None]
    venue: Mapped[str | None] = mapped_column(sa.String(300))
    address: Mapped[str | None] = mapped_column(sa.Text)
    format: Mapped[MeetingFormat | None] = mapped_column(enum_column(MeetingFormat))
    webcast_url: Mapped[str | None] = mapped_column(sa.String(500))
    questions_deadline: Mapped[datetime | None]
    proxy_deadline: Mapped[datetime | None]
    registration_deadline: Mapped[datetime | None]
    # Set when a postponement leaves the old deadlines standing until the company confirms
    # new ones: pages and feeds mark them as to be confirmed.
    deadlines_to_be_confirmed: Mapped[bool] = mapped_column(default=False,
                                                            server_default=sa.false())
    status: Mapped[AGMStatus] = mapped_column(enum_column(AGMStatus), default=AGMStatus.EXPECTED)
    # The date is the usual season's, not the company's: true while expected, and kept when
    # an expected meeting is cancelled, so that no page or feed presents it as announced.
    date_estimated: Mapped[bool] = mapped_column(
        default=lambda context: context.get_current_parameters()["status"] == "expected",
        server_default=sa.false())
    status_note: Mapped[str | None] = mapped_column(sa.Text)
    # The language the public note was written in: readers of others get its translation.
    status_note_language: Mapped[str] = mapped_column(sa.String(8), default="en",
                                                      server_default="en")
    notes: Mapped[str | None] = mapped_column(sa.Text)  # private: never in a feed
    # For the questions and the pack: the time the company gives one question, how it takes
    # questions, and practical notes for the people attending.
    question_seconds: Mapped[int] = mapped_column(default=120, server_default="120")
    question_process: Mapped[QuestionProcess | None] = mapped_column(
        enum_column(QuestionProcess))
    practical_notes: Mapped[str | None] = mapped_column(sa.Text)
    sequence: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company] = relationship(back_populates="agms")
    listing: Mapped[Listing | None] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="agm", order_by="(Question.position, Question.id)"
    )
    attendees: Mapped[list[Attendee]] = relationship(back_populates="agm",
                                                     order_by="Attendee.id")
    sources: Mapped[list[Source]] = relationship(
        back_populates="agm", cascade="all, delete-orphan", order_by="Source.id")


class Source(db.Model):
    """A source the pack lists for a meeting: a report, an article, a filing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    agm_id: Mapped[int] = mapped_column(sa.ForeignKey("agm.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    publisher: Mapped[str | None] = mapped_column(sa.String(200))
    published_on: Mapped[date | None]
    link: Mapped[str | None] = mapped_column(sa.String(500))

    agm: Mapped[AGM] = relationship(back_populates="sources")


class CalendarState(db.Model):
    """One row whose ``generation`` rises in the same transaction as every change to a
    meeting, a company or a listing (agms.raise_calendar_generation): a feed request reads
    it to learn whether anything a calendar shows has changed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class FeedEvent(db.Model):
    """A meeting's serialized iCalendar events for one kind of feed (``variant``: language,
    deadlines, base URL), kept so that a worker that has just started builds no feed from
    scratch. One row per meeting and variant, overwritten when ``key`` (everything that
    changes the bytes) moves on."""

    agm_id: Mapped[int] = mapped_column(sa.ForeignKey("agm.id", ondelete="CASCADE"),
                                        primary_key=True)
    variant: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)


class ConcernTopic(db.Model):
    concern_id: Mapped[int] = mapped_column(
        sa.ForeignKey("concern.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[Topic] = mapped_column(enum_column(Topic), primary_key=True, index=True)


# Why the public form held a concern back (Concern.quarantine_reason), as staff read it.
QUARANTINE_REASONS = {
    "honeypot": _l("the hidden field was filled in"),
    "too_fast": _l("it was sent faster than a person can type"),
    "no_timestamp": _l("the form's timestamp was missing or altered"),
}


class Concern(db.Model):
    """What a community submitted. Contact details are for staff only.

    ``received_on`` is a date, not a time, so that the record cannot be matched to
    network logs. ``receipt_hash`` is the SHA-256 of the receipt code; the code itself is
    shown once and never stored.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[ConcernStatus] = mapped_column(
        enum_column(ConcernStatus), default=ConcernStatus.RECEIVED, index=True
    )
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.FORM)
    language: Mapped[str] = mapped_column(sa.String(8), index=True)
    reply_language: Mapped[str] = mapped_column(sa.String(8))
    receipt_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("company.id"), index=True)
    company_other: Mapped[str | None] = mapped_column(sa.String(200))
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"))
    place: Mapped[str | None] = mapped_column(sa.String(200))
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("community.id"))
    community_name: Mapped[str | None] = mapped_column(sa.String(200))

    body: Mapped[str | None] = mapped_column(sa.Text)  # what is happening
    wanted: Mapped[str | None] = mapped_column(sa.Text)  # what the community wants answered
    # The concern's words and their English translation, folded for search (agmtool.text):
    # kept by agmtool.concerns.refresh_search_text, emptied with the words on withdrawal.
    search_text: Mapped[str | None] = mapped_column(sa.Text, deferred=True)
    attribution: Mapped[Attribution] = mapped_column(
        enum_column(Attribution), default=Attribution.ANONYMOUS
    )
    may_quote: Mapped[bool] = mapped_column(default=False)
    speaker_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_details: Mapped[str | None] = mapped_column(sa.Text)

    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("concern.id"))
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The language staff wrote the decline reason in; the submitter reads its translation.
    decline_reason_language: Mapped[str | None] = mapped_column(sa.String(8))
    quarantine_reason: Mapped[str | None] = mapped_column(sa.String(40))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)

    received_on: Mapped[date] = mapped_column(default=lambda: utcnow().date(), index=True)
    closed_on: Mapped[date | None]
    withdrawn_on: Mapped[date | None]
    contact_erased_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    company: Mapped[Company | None] = relationship()
    site: Mapped[Site | None] = relationship()
    community: Mapped[Community | None] = relationship()
    merged_into: Mapped[Concern | None] = relationship(remote_side=[id])
    # The concerns merged into this one.
    merged: Mapped[list[Concern]] = relationship(
        viewonly=True, uselist=True, order_by="Concern.id",
        primaryjoin="Concern.id == foreign(remote(Concern.merged_into_id))")
    topic_rows: Mapped[list[ConcernTopic]] = relationship(
        cascade="all, delete-orphan", order_by="ConcernTopic.topic"
    )
    # Its words' translations into English (and, through the questions, nothing else):
    # the rows whose source is this concern's text or what it asks for (see Translation).
    translations: Mapped[list[Translation]] = relationship(
        viewonly=True, order_by="Translation.id",
        primaryjoin="and_(Concern.id == foreign(Translation.source_id), "
                    "Translation.source_type.in_(['concern_body', 'concern_wanted']))")
    links: Mapped[list[QuestionConcern]] = relationship(back_populates="concern")
    clarifications: Mapped[list[Clarification]] = relationship(
        cascade="all, delete-orphan", order_by="Clarification.id"
    )

    @property
    def open_question(self) -> Clarification | None:
        """The question the community has yet to answer, while the concern waits for it."""
        if self.status == ConcernStatus.NEEDS_CLARIFICATION and self.clarifications:
            last = self.clarifications[-1]
            return last if last.answer is None else None
        return None

    @property
    def topics(self) -> list[Topic]:
        return [row.topic for row in self.topic_rows]

    @property
    def unread_answers(self) -> list[Clarification]:
        """The community's answers staff have not marked read yet."""
        return [round for round in self.clarifications if round.answer_unread]


class Clarification(db.Model):
    """A question staff asked the community about a concern (read on its status page, in
    its reply language) and the answer sent from there. Every round is kept; all are
    deleted with the concern's words when it is withdrawn."""

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(sa.ForeignKey("concern.id"), index=True)
    question: Mapped[str] = mapped_column(sa.Text)
    # The language staff wrote the question in; the community reads its translation.
    question_language: Mapped[str] = mapped_column(sa.String(8), default="en",
                                                   server_default="en")
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_on: Mapped[date | None]  # the day only, like everything the public sends
    # The answer waits in the inbox, flagged and counted, until staff mark it read.
    answer_read_at: Mapped[datetime | None]
    answer_read_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    @property
    def answer_unread(self) -> bool:
        return self.answer is not None and self.answer_read_at is None


class Question(db.Model):
    """What will be asked at one AGM, in English as asked, answering one or more concerns."""

    id: Mapped[int] = mapped_column(primary_key=True)
    agm_id: Mapped[int] = mapped_column(sa.ForeignKey("agm.id"), index=True)
    status: Mapped[QuestionStatus] = mapped_column(
        enum_column(QuestionStatus), default=QuestionStatus.DRAFT, index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)
    # Its place in the meeting's running list (lowest first, then by id).
    position: Mapped[int] = mapped_column(default=0)
    # The attendee of the meeting who reads it out (questions.attendees); ``speaker_name``
    # is what questions drafted before attendance was kept say.
    speaker_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("attendee.id", ondelete="SET NULL"), index=True)
    speaker_name: Mapped[str | None] = mapped_column(sa.String(200))
    background: Mapped[str | None] = mapped_column(sa.Text)
    # Read out in another language and interpreted into English at the meeting.
    needs_interpretation: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    interpret_from: Mapped[str | None] = mapped_column(sa.String(8))
    # Also sent to the company in writing before the meeting.
    sent_in_writing: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A question not reached at an earlier meeting, carried to this one.
    carried_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question.id"))
    # What staff must know before going on (a community asked for changes, a linked concern
    # was withdrawn); cleared by staff.
    attention: Mapped[str | None] = mapped_column(sa.Text)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # The owner of the site when the question was asked: ownership changes, the record doesn't.
    owner_when_asked: Mapped[str | None] = mapped_column(sa.String(300))
    # ``version`` rises with every edit (the stale-edit check); ``text_version`` only when
    # the text a community reads changes, which is what a sign-off records.
    version: Mapped[int] = mapped_column(default=1)
    text_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    agm: Mapped[AGM] = relationship(back_populates="questions")
    speaker: Mapped[Attendee | None] = relationship(foreign_keys=[speaker_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    carried_from: Mapped[Question | None] = relationship(remote_side=[id])
    links: Mapped[list[QuestionConcern]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="QuestionConcern.id")
    answer: Mapped[Answer | None] = relationship(back_populates="question")
    signoffs: Mapped[list[SignOff]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="SignOff.id")


class QuestionConcern(db.Model):
    """A concern a question answers; with the excerpt of its words that may be quoted (only
    where its consent allows quoting, chosen by staff, signed off by the community)."""

    __table_args__ = (sa.UniqueConstraint("question_id", "concern_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"))
    concern_id: Mapped[int] = mapped_column(sa.ForeignKey("concern.id", ondelete="CASCADE"),
                                            index=True)
    excerpt: Mapped[str | None] = mapped_column(sa.Text)
    # Rises with every change of the excerpt: a sign-off records the one it approved.
    excerpt_version: Mapped[int] = mapped_column(default=1)

    question: Mapped[Question] = relationship(back_populates="links")
    concern: Mapped[Concern] = relationship(back_populates="links")


class SignOff(db.Model):
    """A community's answer to "may we ask this in your name?", for one question and one
    concern, with the versions it saw: the question's, its translation's (none when the
    community reads English) and the excerpt's. Once any of them changes it is superseded
    (derived by comparing versions, see questions.signoffs)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"),
                                             index=True)
    concern_id: Mapped[int] = mapped_column(sa.ForeignKey("concern.id", ondelete="CASCADE"),
                                            index=True)
    decision: Mapped[SignOffDecision] = mapped_column(enum_column(SignOffDecision))
    question_version: Mapped[int]
    translation_version: Mapped[int | None]
    excerpt_version: Mapped[int]
    # The community's comment, in its language (translated into English for staff).
    comment: Mapped[str | None] = mapped_column(sa.Text)
    comment_language: Mapped[str | None] = mapped_column(sa.String(8))
    channel: Mapped[SignOffChannel] = mapped_column(enum_column(SignOffChannel))
    # Given by phone, message or meeting: who gave it (as staff noted it) and when.
    given_by: Mapped[str | None] = mapped_column(sa.String(200))
    given_on: Mapped[date]  # the day only, like everything the public sends
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    question: Mapped[Question] = relationship(back_populates="signoffs")
    concern: Mapped[Concern] = relationship()


class Answer(db.Model):
    """The company's answer at the AGM, in English, and any written answer it promised."""

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), unique=True)
    text: Mapped[str] = mapped_column(sa.Text)
    # Who answered for the company: "the Chair", "Chief Executive".
    given_by: Mapped[str | None] = mapped_column(sa.String(200))
    written_promised: Mapped[bool] = mapped_column(default=False)
    written_due: Mapped[date | None]
    written_text: Mapped[str | None] = mapped_column(sa.Text)
    written_received_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    question: Mapped[Question] = relationship(back_populates="answer")
    feedback: Mapped[list[Feedback]] = relationship(
        back_populates="answer", cascade="all, delete-orphan", order_by="Feedback.id")


class Feedback(db.Model):
    """What a community thought of the company's answer, sent from its status page."""

    __table_args__ = (sa.UniqueConstraint("answer_id", "concern_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("answer.id", ondelete="CASCADE"))
    concern_id: Mapped[int] = mapped_column(sa.ForeignKey("concern.id", ondelete="CASCADE"),
                                            index=True)
    satisfaction: Mapped[Satisfaction] = mapped_column(enum_column(Satisfaction))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    comment_language: Mapped[str | None] = mapped_column(sa.String(8))
    sent_on: Mapped[date] = mapped_column(default=lambda: utcnow().date())

    answer: Mapped[Answer] = relationship(back_populates="feedback")


class Shareholder(db.Model):
    """A friendly shareholder who lends its votes: a church investor, a fund, a member with
    one share, who appoints the campaign's people as its proxies. ``contact`` (at the
    registrar or broker) is for staff only, like a concern's contact details."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    holding: Mapped[Holding] = mapped_column(enum_column(Holding))
    contact: Mapped[str | None] = mapped_column(sa.Text)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    shareholdings: Mapped[list[Shareholding]] = relationship(
        back_populates="shareholder", cascade="all, delete-orphan", order_by="Shareholding.id")


class Shareholding(db.Model):
    """The shares a friendly shareholder holds in one company: one share carries one proxy
    at a meeting."""

    __table_args__ = (sa.UniqueConstraint("shareholder_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shareholder_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shareholder.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id"), index=True)
    shares: Mapped[int] = mapped_column(sa.BigInteger)
    # Raised by each appointment from these shares, so that two at once are counted in turn.
    version: Mapped[int] = mapped_column(default=1)

    shareholder: Mapped[Shareholder] = relationship(back_populates="shareholdings")
    company: Mapped[Company] = relationship()


class Attendee(db.Model):
    """Someone who goes to a meeting for the campaign: an attendee account, or a community
    representative without one. ``contact_details`` and the travel fields are for staff
    only (and the attendee's own travel for them), erased a while after the meeting
    (``erased_on``)."""

    __table_args__ = (sa.UniqueConstraint("agm_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agm_id: Mapped[int] = mapped_column(sa.ForeignKey("agm.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("community.id"))
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    needs_interpretation: Mapped[bool] = mapped_column(default=False)
    # Consent to be named in the pack (and to the meeting's other attendees).
    may_be_named: Mapped[bool] = mapped_column(default=False)
    # An interpreter, between the languages listed (comma-separated codes: "es,en").
    interprets: Mapped[str] = mapped_column(sa.String(100), default="")
    entry: Mapped[Entry] = mapped_column(enum_column(Entry), default=Entry.UNKNOWN)
    shareholding_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("shareholding.id", ondelete="SET NULL"), index=True)
    shares: Mapped[int] = mapped_column(default=0)
    state: Mapped[EntryState] = mapped_column(enum_column(EntryState),
                                              default=EntryState.REQUESTED)
    online_login: Mapped[bool] = mapped_column(default=False)
    contact_details: Mapped[str | None] = mapped_column(sa.Text)
    visa: Mapped[str | None] = mapped_column(sa.Text)  # visa or travel authorisation
    arrives_on: Mapped[date | None]
    leaves_on: Mapped[date | None]
    lodging: Mapped[str | None] = mapped_column(sa.Text)
    travel_notes: Mapped[str | None] = mapped_column(sa.Text)
    erased_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agm: Mapped[AGM] = relationship(back_populates="attendees")
    user: Mapped[User | None] = relationship()
    community: Mapped[Community | None] = relationship()
    shareholding: Mapped[Shareholding | None] = relationship()

    @property
    def interpret_list(self) -> list[str]:
        return [code for code in self.interprets.split(",") if code]


class Translation(db.Model):
    """One text in one other language: a concern's words, what a community wrote back, a
    question, an answer, a staff text the public reads.

    The source is named by ``source_type`` and ``source_id`` (see agmtool.translation,
    where each feature registers its kinds of source) and copied into ``source_text`` by the
    feature that owns it whenever it changes (translation.sync), so that the queue, the
    editor and the diff need nothing from that feature. ``made_from`` is the source text the
    translation was last written from: where it differs from ``source_text`` the
    translation is stale, and the diff between the two shows what changed.
    """

    # The queue reads its counts from the first index alone, and its pages in the order of
    # the second (soonest deadline first). State comes last in the first: led by it, the
    # index would tempt SQLite to sort every waiting row rather than walk the second.
    __table_args__ = (sa.UniqueConstraint("source_type", "source_id", "language"),
                      sa.Index("ix_translation_waiting", "language", "source_language", "state"),
                      sa.Index("ix_translation_due", "due_on", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source_type: Mapped[str] = mapped_column(sa.String(32))
    source_id: Mapped[int]
    source_language: Mapped[str] = mapped_column(sa.String(8))
    source_text: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str] = mapped_column(sa.String(8))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    made_from: Mapped[str | None] = mapped_column(sa.Text)
    state: Mapped[TranslationState] = mapped_column(
        enum_column(TranslationState), default=TranslationState.MISSING
    )
    reader: Mapped[Reader] = mapped_column(enum_column(Reader), default=Reader.STAFF)
    # The meeting it is for (a question's, an answer's, a note's), and when it is needed.
    agm_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agm.id", ondelete="SET NULL"))
    due_on: Mapped[date | None]
    # A reviewer's reason for sending it back, shown in the editor until the next save.
    review_note: Mapped[str | None] = mapped_column(sa.Text)
    translator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    approved_at: Mapped[datetime | None]
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    translator: Mapped[User | None] = relationship(foreign_keys=[translator_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    agm: Mapped[AGM | None] = relationship()

    @property
    def stale(self) -> bool:
        """Made from a source text that has changed since."""
        return self.made_from is not None and self.made_from != self.source_text

    @property
    def readable(self) -> bool:
        """Approved for its readers, and still a translation of the source as it is."""
        return self.state == TranslationState.APPROVED and not self.stale


class MemorySegment(db.Model):
    """One pair of the translation memory (agmtool.translation.memory): a paragraph of an
    approved translation, or one of its sentences where the original and the translation
    split into as many sentences; or a unit of an imported TMX file.

    A translation's segments go with it: when it is erased (a withdrawal) or stops being
    approved. An imported segment has no translation and names its file in ``origin``.
    ``words`` holds the original's words as the match measure compares them, and
    ``word_count`` their number (a match of 70 needs a length within 70%). On PostgreSQL the
    migration adds a trigram index (pg_trgm) that the models do not declare: SQLite has none.
    """

    __table_args__ = (
        sa.Index("ix_memory_segment_pair", "source_language", "language", "word_count"),
        # Ids never come back after a deletion: the in-process scan tells new segments by id.
        {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    source_language: Mapped[str] = mapped_column(sa.String(8))
    language: Mapped[str] = mapped_column(sa.String(8))
    source_text: Mapped[str] = mapped_column(sa.Text)
    target_text: Mapped[str] = mapped_column(sa.Text)
    words: Mapped[str] = mapped_column(sa.Text)
    word_count: Mapped[int]
    translation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("translation.id", ondelete="CASCADE"), index=True)
    origin: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TermKind(LabelledEnum):
    KEEP = "keep", _l("Never translated")
    TRANSLATE = "translate", _l("Always translated one way")


# A glossary term's language that stands for every language (a name is kept in all of them).
EVERY_LANGUAGE = "*"


class GlossaryTerm(db.Model):
    """A term of the glossary (agmtool.translation.glossary) for one language pair, or for
    every language (``EVERY_LANGUAGE``): a name never translated, or a term translated one
    way. ``term_key`` is the term folded for case, unique per pair."""

    __table_args__ = (sa.UniqueConstraint("source_language", "language", "term_key",
                                          name="uq_glossary_term_pair_term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_language: Mapped[str] = mapped_column(sa.String(8))
    language: Mapped[str] = mapped_column(sa.String(8))
    kind: Mapped[TermKind] = mapped_column(enum_column(TermKind))
    term: Mapped[str] = mapped_column(sa.String(200))
    term_key: Mapped[str] = mapped_column(sa.String(200))
    rendering: Mapped[str] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)


class Setting(db.Model):
    """A setting admins change on the settings page (agmtool.settings), kept with its
    history; the defaults live in agmtool.settings."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    value: Mapped[dict] = mapped_column(sa.JSON)
    version: Mapped[int] = mapped_column(default=1)


class User(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    # Translators' working languages, comma-separated codes: "es,pt".
    languages: Mapped[str] = mapped_column(sa.String(100), default="")
    active: Mapped[bool] = mapped_column(default=True)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_last_step: Mapped[int | None]
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Raised by every admin edit of role, languages, name or activity (stale-edit check).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class UserSession(db.Model):
    """A login, checked on every request; ending it refuses the cookie that carries it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class PasswordReset(db.Model):
    """A one-time link an admin hands to a user; only its hash is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class History(db.Model):
    """Who changed what, when: one row per change to a concern, question, translation, AGM..."""

    __table_args__ = (sa.Index("ix_history_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(64))
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    user: Mapped[User | None] = relationship()


class DocumentState(db.Model):
    """One row whose ``generation`` rises in the same transaction as every change to a table
    a PDF reads (agmtool.generations): a pack request reads it to learn, without hashing its
    inputs again, whether the pack it cached is still the pack."""

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class PackBuild(db.Model):
    """One distinct build of a meeting's pack or cards: its input hash, when it was first
    built and by whom, and how often it was downloaded. Whether it is superseded is derived
    (its hash against the hash of the inputs now), never stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    agm_id: Mapped[int] = mapped_column(sa.ForeignKey("agm.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # "pack" or "cards"
    variant: Mapped[str] = mapped_column(sa.String(32), default="")  # one speaker's cards
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    draft: Mapped[bool] = mapped_column(default=False)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
    built_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    downloads: Mapped[int] = mapped_column(default=0)

    built_by: Mapped[User | None] = relationship()
