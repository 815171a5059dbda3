"""The dashboard, the start page of the staff area: the season at a glance for each role.

It only reads. Staff see the coming meetings of the season (agmtool.seasons) with their
deadlines, their questions by state and their attendees, with a mark where a deadline is
near and something it needs is not done; the work waiting; what is assigned to them; and the
season drawn as a time line. A translator sees the work in their languages, an attendee the
meetings they attend.

Every number it shows is counted with the same condition as the list it links to (the
inbox's, the questions', the translators' queue's filters), so that a click finds as many
rows as the number said. It makes a fixed number of queries, whatever the counts: each
section is one aggregate or one short list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from babel.dates import format_skeleton, format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from agmtool import i18n, seasons
from agmtool.concerns import search as concern_search
from agmtool.extensions import db
from agmtool.meetings import agms
from agmtool.models import (
    AGM,
    AGMStatus,
    Answer,
    Attendee,
    Concern,
    ConcernStatus,
    EntryState,
    Question,
    QuestionStatus,
    Role,
    Translation,
    User,
)
from agmtool.questions import answers
from agmtool.translation import queue

# The states of a question the dashboard counts per meeting, in their order of work.
COUNTED = (QuestionStatus.DRAFT, QuestionStatus.IN_TRANSLATION, QuestionStatus.AWAITING_SIGNOFF,
           QuestionStatus.APPROVED)
NOT_READY = (QuestionStatus.DRAFT, QuestionStatus.IN_TRANSLATION, QuestionStatus.AWAITING_SIGNOFF)
# A deadline this near, with something it needs not done, is marked.
WARNING_DAYS = 7
# How many of the oldest items a list on the dashboard shows (its number links to them all).
SHOWN = 5

WARNINGS = {
    "questions": _l("Written questions are due and some questions are not approved yet."),
    "proxy": _l("Proxies are due and nobody is down to attend yet."),
    "registration": _l("Registration closes and nobody is down to attend yet."),
    "proxy_unconfirmed": _l("Proxies are due and not every attendee is confirmed yet."),
    "registration_unconfirmed": _l("Registration closes and not every attendee is confirmed "
                                   "yet."),
}


@dataclass
class Deadline:
    key: str  # questions, proxy, registration (agms.DEADLINES)
    label: str
    local: datetime  # the wall-clock time in the meeting's zone
    days: int  # from today to the deadline's day: 0 today, negative once passed
    warning: str | None = None


@dataclass
class Meeting:
    agm: AGM
    days: int  # from today to the meeting
    deadlines: list[Deadline]
    questions: dict[str, int]  # per status in COUNTED
    confirmed: int  # attendees confirmed
    planned: int  # of those planned

    @property
    def warnings(self) -> list[str]:
        return [d.warning for d in self.deadlines if d.warning]


@dataclass
class Assigned:
    concerns: int = 0
    questions: int = 0
    translations: int = 0
    concern_rows: list[Concern] = field(default_factory=list)
    question_rows: list[Question] = field(default_factory=list)
    translation_rows: list[Translation] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.concerns + self.questions + self.translations


@dataclass
class Dashboard:
    role: Role
    today: date
    season: int
    season_first: date
    season_last: date
    meetings: list[AGM] = field(default_factory=list)  # the whole season, for the time line
    coming: list[Meeting] = field(default_factory=list)
    # The work waiting (staff): each a number with the filter of the list it links to.
    unquestioned: int = 0  # concerns accepted and in no question
    unread_answers: int = 0
    awaiting_signoff: int = 0
    oldest_awaiting: list[Question] = field(default_factory=list)
    overdue_answers: int = 0
    oldest_overdue: list[Answer] = field(default_factory=list)
    # Translations (staff and translators): waiting per language and state, and stale.
    languages: list[str] = field(default_factory=list)
    translations: queue.Counts | None = None
    stale: int = 0
    assigned: Assigned = field(default_factory=Assigned)


def build(user: User, today: date) -> Dashboard:
    """What ``user``'s start page shows on ``today``. Reads only."""
    season = seasons.of(today)
    first, last = seasons.bounds(season)
    board = Dashboard(role=user.role, today=today, season=season, season_first=first,
                      season_last=last)
    if user.role == Role.ATTENDEE:
        board.meetings = _season_meetings(first, last, attendee=user)
        board.coming = _coming(board.meetings, today, with_counts=False)
        return board
    board.languages = translation_languages(user)
    board.translations = queue.counts(user, board.languages)
    board.stale = queue.count(user, queue.Filters(changed=True))
    board.assigned = _assigned(user)
    if user.role == Role.TRANSLATOR:
        return board
    board.meetings = _season_meetings(first, last)
    board.coming = _coming(board.meetings, today)
    board.unquestioned = concern_search.count(_UNQUESTIONED)
    board.unread_answers = concern_search.unread_answers(concern_search.Filters())
    board.awaiting_signoff, board.oldest_awaiting = _awaiting_signoff()
    board.overdue_answers, board.oldest_overdue = _overdue(today)
    return board


def in_days(days: int) -> str:
    """"in 3 days", "today", "2 days ago", in the reader's language."""
    if days == 0:
        return _("today")
    return format_timedelta(timedelta(days=days), granularity="day", threshold=1000,
                            add_direction=True, locale=i18n.format_locale())


def translation_languages(user: User) -> list[str]:
    """The languages whose translations ``user`` is shown: a translator's own; for staff
    every configured language but English (the one every text goes from or into)."""
    codes = queue.languages_of(user)
    return codes if codes is not None else [c for c in i18n.languages() if c != "en"]


# The inbox's filter for "accepted, and in no question" (?status=accepted&question=none).
_UNQUESTIONED = concern_search.Filters(status=ConcernStatus.ACCEPTED, in_no_question=True)


def _count(model, conditions) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)).where(*conditions))


def _season_meetings(first: date, last: date, attendee: User | None = None) -> list[AGM]:
    """The season's meetings but the cancelled ones, in order (one query)."""
    query = (sa.select(AGM)
             .where(AGM.local_date.between(first, last), AGM.status != AGMStatus.CANCELLED)
             .options(joinedload(AGM.company), joinedload(AGM.listing)))
    if attendee is not None:
        query = query.where(_attending(attendee))
    return agms.in_order(db.session.scalars(query).unique())


def _coming(meetings: list[AGM], today: date, with_counts: bool = True) -> list[Meeting]:
    """The meetings from today on, with their deadlines, and (for staff) their questions
    per state and attendees: two grouped queries for all of them."""
    coming = [agm for agm in meetings if agm.local_date >= today]
    ids = [agm.id for agm in coming]
    questions: dict[int, dict[str, int]] = {i: {s.value: 0 for s in COUNTED} for i in ids}
    attendance: dict[int, tuple[int, int]] = dict.fromkeys(ids, (0, 0))
    if with_counts and ids:
        for agm_id, status, number in db.session.execute(
                sa.select(Question.agm_id, Question.status, sa.func.count(Question.id))
                .where(Question.agm_id.in_(ids), Question.status.in_(COUNTED))
                .group_by(Question.agm_id, Question.status)):
            questions[agm_id][QuestionStatus(status).value] = number
        attendance.update(_attendance(ids))
    result = []
    for agm in coming:
        confirmed, planned = attendance[agm.id]
        deadlines = []
        for attribute, key, label in agms.DEADLINES:
            local = getattr(agm, attribute)
            if local is None:
                continue
            days = (local.date() - today).days
            deadline = Deadline(key, str(label), local, days)
            if with_counts and 0 <= days <= WARNING_DAYS:
                not_ready = sum(questions[agm.id][s.value] for s in NOT_READY)
                deadline.warning = _warning(key, not_ready, confirmed, planned)
            deadlines.append(deadline)
        deadlines.sort(key=lambda d: d.local)
        result.append(Meeting(agm, (agm.local_date - today).days, deadlines,
                              questions[agm.id], confirmed, planned))
    return result


def _warning(key: str, not_ready: int, confirmed: int, planned: int) -> str | None:
    """What a near deadline still needs: the questions approved by the written questions'
    deadline, someone going and confirmed by the proxies' and the registration's."""
    if key == "questions":
        return str(WARNINGS[key]) if not_ready else None
    if not planned:
        return str(WARNINGS[key])
    return str(WARNINGS[f"{key}_unconfirmed"]) if confirmed < planned else None


def _attendance(ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per meeting, its attendees confirmed and those planned (everyone not refused), from
    the attendance records (questions.attendees): one grouped query."""
    rows = db.session.execute(
        sa.select(Attendee.agm_id,
                  sa.func.count().filter(Attendee.state == EntryState.CONFIRMED),
                  sa.func.count())
        .where(Attendee.agm_id.in_(ids), Attendee.state != EntryState.REFUSED)
        .group_by(Attendee.agm_id))
    return {agm_id: (confirmed, planned) for agm_id, confirmed, planned in rows}


def _attending(user: User):
    """The condition on AGM: ``user`` has an attendance record for it."""
    return AGM.id.in_(sa.select(Attendee.agm_id).where(Attendee.user_id == user.id))


def _awaiting_signoff() -> tuple[int, list[Question]]:
    """Questions waiting for the communities' sign-off: how many (the questions list's
    ?status=awaiting_signoff), and the ones waiting longest."""
    where = Question.status == QuestionStatus.AWAITING_SIGNOFF
    oldest = db.session.scalars(
        sa.select(Question).where(where)
        .options(joinedload(Question.agm).joinedload(AGM.company))
        .order_by(Question.updated_at, Question.id).limit(SHOWN)).all()
    return _count(Question, [where]), list(oldest)


def _overdue(today: date) -> tuple[int, list[Answer]]:
    """Written answers promised and overdue: how many (the questions list's ?overdue=1),
    and the longest overdue."""
    where = answers.written_overdue(today)
    oldest = db.session.scalars(
        sa.select(Answer).where(where)
        .options(joinedload(Answer.question).joinedload(Question.agm).joinedload(AGM.company))
        .order_by(Answer.written_due, Answer.id).limit(SHOWN)).all()
    return _count(Answer, [where]), list(oldest)


def _assigned(user: User) -> Assigned:
    """What is assigned to ``user``: how many of each (the filter ?assignee=<id> of its
    list), and the first few of each. A translator's are translations only."""
    mine = user.id
    translations = queue.page(user, queue.Filters(assignee=mine), 1, SHOWN)
    found = Assigned(translations=translations.total, translation_rows=translations.items)
    if user.role == Role.TRANSLATOR:
        return found
    found.concerns = concern_search.count(concern_search.Filters(assignee=mine))
    found.questions = _count(Question, [Question.assignee_id == mine])
    found.concern_rows = list(db.session.scalars(
        sa.select(Concern).where(Concern.assignee_id == mine)
        .options(joinedload(Concern.company))
        .order_by(Concern.received_on, Concern.id).limit(SHOWN)))
    found.question_rows = list(db.session.scalars(
        sa.select(Question).where(Question.assignee_id == mine)
        .options(joinedload(Question.agm).joinedload(AGM.company))
        .order_by(Question.updated_at, Question.id).limit(SHOWN)))
    return found


# --- the season as a picture --------------------------------------------------------------

@dataclass
class Mark:
    x: float
    label: str


@dataclass
class Timeline:
    """The season drawn on one line: month ticks, each meeting (a dot and its name, on a
    lane of its own where names would overlap) and its deadlines (small ticks), today."""

    width: int
    height: int
    months: list[Mark]
    today: float | None
    meetings: list[dict]


WIDTH, LEFT, RIGHT, TOP, LANE = 960, 16, 16, 34, 22
LABEL_CHARS = 7  # about the width of a character of the labels, to keep names apart


def timeline(board: Dashboard) -> Timeline:
    """Where everything goes on the season's picture (drawn by the template as SVG)."""
    first, last = board.season_first, board.season_last
    span = (last - first).days + 1
    inner = WIDTH - LEFT - RIGHT

    def x(day: date) -> float:
        return round(LEFT + inner * min(max((day - first).days, 0), span) / span, 1)

    months = []
    day = first
    while day <= last:
        months.append(Mark(x(day), format_skeleton("MMM", day, locale=i18n.format_locale())))
        day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    lanes_end: list[float] = []
    placed = []
    for agm in board.meetings:
        at = x(agm.local_date)
        name = agm.company.name
        marks = [x(getattr(agm, attr).date()) for attr, _key, _label in agms.DEADLINES
                 if getattr(agm, attr) is not None]
        start = min([at, *marks]) - 6  # its deadlines come before it, on its lane
        lane = next((i for i, end in enumerate(lanes_end) if end < start), len(lanes_end))
        end = max([at + LABEL_CHARS * len(name), *marks]) + 12
        if lane == len(lanes_end):
            lanes_end.append(end)
        else:
            lanes_end[lane] = end
        placed.append({
            "agm": agm, "x": at, "y": TOP + 22 + lane * LANE, "name": name,
            "deadlines": [{"x": x(getattr(agm, attr).date()), "key": key}
                          for attr, key, _label in agms.DEADLINES
                          if getattr(agm, attr) is not None],
        })
    height = TOP + 22 + max(len(lanes_end), 1) * LANE + 8
    today = x(board.today) if first <= board.today <= last else None
    return Timeline(WIDTH, height, months, today, placed)
