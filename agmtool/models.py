"""The data model of agmtool: every table, its status enums, and thin properties only.

Times are stored as naive UTC (``utcnow``) except an AGM's own times, which are naive local
times in the AGM's IANA zone. Days that identify people (when a concern came in) are stored
as dates only.
"""

from __future__ import annotations

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


agm_attendee = sa.Table(
    "agm_attendee",
    db.metadata,
    sa.Column("agm_id", sa.ForeignKey("agm.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


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


class AGM(db.Model):
    """A company's meeting. Start, deadlines: naive local times in ``timezone`` (IANA).

    ``fold`` picks the later of two instants when the local start time happens twice at a
    clock change. ``sequence`` rises with every change a calendar shows; ``updated_at`` is
    the UTC time of the last such change (the feed's LAST-MODIFIED and DTSTAMP).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
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
    status: Mapped[AGMStatus] = mapped_column(enum_column(AGMStatus), default=AGMStatus.EXPECTED)
    # The date is the usual season's, not the company's: true while expected, and kept when
    # an expected meeting is cancelled, so that no page or feed presents it as announced.
    date_estimated: Mapped[bool] = mapped_column(
        default=lambda context: context.get_current_parameters()["status"] == "expected",
        server_default=sa.false())
    status_note: Mapped[str | None] = mapped_column(sa.Text)
    notes: Mapped[str | None] = mapped_column(sa.Text)  # private: never in a feed
    sequence: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company] = relationship(back_populates="agms")
    listing: Mapped[Listing | None] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="agm", order_by="Question.position"
    )
    attendees: Mapped[list[User]] = relationship(secondary=agm_attendee)


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

    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("concern.id"))
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    quarantine_reason: Mapped[str | None] = mapped_column(sa.String(40))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    received_on: Mapped[date] = mapped_column(default=lambda: utcnow().date(), index=True)
    closed_on: Mapped[date | None]
    withdrawn_on: Mapped[date | None]
    contact_erased_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    company: Mapped[Company | None] = relationship()
    site: Mapped[Site | None] = relationship()
    community: Mapped[Community | None] = relationship()
    question: Mapped[Question | None] = relationship(back_populates="concerns")
    merged_into: Mapped[Concern | None] = relationship(remote_side=[id])
    topic_rows: Mapped[list[ConcernTopic]] = relationship(
        cascade="all, delete-orphan", order_by="ConcernTopic.topic"
    )
    translations: Mapped[list[Translation]] = relationship(
        back_populates="concern", cascade="all, delete-orphan"
    )
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


class Clarification(db.Model):
    """A question staff asked the community about a concern (read on its status page, in
    its reply language) and the answer sent from there. Every round is kept; all are
    deleted with the concern's words when it is withdrawn."""

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(sa.ForeignKey("concern.id"), index=True)
    question: Mapped[str] = mapped_column(sa.Text)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_on: Mapped[date | None]  # the day only, like everything the public sends


class Question(db.Model):
    """What will be asked at one AGM, in English as asked, answering one or more concerns."""

    id: Mapped[int] = mapped_column(primary_key=True)
    agm_id: Mapped[int] = mapped_column(sa.ForeignKey("agm.id"), index=True)
    status: Mapped[QuestionStatus] = mapped_column(
        enum_column(QuestionStatus), default=QuestionStatus.DRAFT
    )
    text: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)
    speaker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    speaker_name: Mapped[str | None] = mapped_column(sa.String(200))
    background: Mapped[str | None] = mapped_column(sa.Text)
    # The owner of the site when the question was asked: ownership changes, the record doesn't.
    owner_when_asked: Mapped[str | None] = mapped_column(sa.String(300))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    agm: Mapped[AGM] = relationship(back_populates="questions")
    speaker: Mapped[User | None] = relationship()
    concerns: Mapped[list[Concern]] = relationship(back_populates="question")
    answer: Mapped[Answer | None] = relationship(back_populates="question")
    translations: Mapped[list[Translation]] = relationship(
        back_populates="question", cascade="all, delete-orphan"
    )


class Answer(db.Model):
    """The company's answer at the AGM, in English, and any written answer it promised."""

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), unique=True)
    text: Mapped[str] = mapped_column(sa.Text)
    written_promised: Mapped[bool] = mapped_column(default=False)
    written_due: Mapped[date | None]
    written_text: Mapped[str | None] = mapped_column(sa.Text)
    written_received_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    question: Mapped[Question] = relationship(back_populates="answer")
    translations: Mapped[list[Translation]] = relationship(
        back_populates="answer", cascade="all, delete-orphan"
    )


class Translation(db.Model):
    """A concern, question or answer in one language; exactly one source is set.

    ``source_version`` is the source's ``version`` it was made from: an approved
    translation whose source has moved on is stale.
    """

    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN concern_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN question_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN answer_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_source",
        ),
        sa.UniqueConstraint("concern_id", "language"),
        sa.UniqueConstraint("question_id", "language"),
        sa.UniqueConstraint("answer_id", "language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int | None] = mapped_column(sa.ForeignKey("concern.id", ondelete="CASCADE"))
    question_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE")
    )
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answer.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(8))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[TranslationState] = mapped_column(
        enum_column(TranslationState), default=TranslationState.MISSING
    )
    source_version: Mapped[int] = mapped_column(default=1)
    translator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    approved_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    concern: Mapped[Concern | None] = relationship(back_populates="translations")
    question: Mapped[Question | None] = relationship(back_populates="translations")
    answer: Mapped[Answer | None] = relationship(back_populates="translations")

    @property
    def source(self) -> Concern | Question | Answer:
        return self.concern or self.question or self.answer

    @property
    def stale(self) -> bool:
        return (
            self.state == TranslationState.APPROVED
            and self.source_version < self.source.version
        )


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
