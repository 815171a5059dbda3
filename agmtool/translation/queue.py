"""The translator's queue: the translations waiting in a person's languages, soonest deadline
first, with their counts per language and state, in a fixed number of queries.

A translator's languages are matched on the side that is not English: a Spanish translator
puts Spanish texts into English and English texts into Spanish. The queue reads only the
Translation rows (which carry their source text), never the records they come from, so
nothing of a concern but its words (no contact detail, no name) can reach it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from agmtool.extensions import db
from agmtool.models import AGM, Role, Translation, TranslationState, User

# What the queue lists: everything not approved (an approved translation whose source
# changed is back in review, see translation.sync).
WAITING = (TranslationState.MISSING, TranslationState.DRAFT, TranslationState.NEEDS_REVIEW)


def languages_of(user: User) -> list[str] | None:
    """The languages whose work ``user`` sees (None: every language)."""
    return user.language_list if user.role == Role.TRANSLATOR else None


def in_language(code: str):
    """The condition on Translation for work in ``code``, on either side of the pair."""
    return sa.or_(Translation.language == code, Translation.source_language == code)


def visible(query, user: User):
    """``query`` over Translation limited to what ``user`` may open."""
    codes = languages_of(user)
    if codes is None:
        return query
    return query.where(sa.or_(Translation.language.in_(codes),
                              Translation.source_language.in_(codes)))


# The translation was written from a source text that has changed since (Translation.stale).
STALE = sa.and_(Translation.made_from.is_not(None),
                Translation.made_from != Translation.source_text)


@dataclass(frozen=True)
class Filters:
    """What the queue shows: ``language`` (either side), ``state``, only the stale ones
    (``changed``), only those assigned to one person; None or False: no filter."""

    language: str | None = None
    state: TranslationState | None = None
    changed: bool = False
    assignee: int | None = None  # a user id: only what is assigned to them


def _filtered(query, user: User, filters: Filters):
    query = visible(query.where(Translation.state.in_(WAITING)), user)
    if filters.language:
        query = query.where(in_language(filters.language))
    if filters.state:
        query = query.where(Translation.state == filters.state)
    if filters.changed:
        query = query.where(STALE)
    if filters.assignee:
        query = query.where(Translation.assignee_id == filters.assignee)
    return query


def count(user: User, filters: Filters) -> int:
    """How many rows the queue lists for ``user`` under ``filters`` (one query)."""
    return db.session.scalar(_filtered(sa.select(sa.func.count(Translation.id)), user,
                                       filters))


@dataclass(frozen=True)
class Page:
    """One page of the queue: its rows, and where it stands among the others."""

    items: list[Translation]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def page(user: User, filters: Filters, number: int, per_page: int) -> Page:
    """Page ``number`` of the rows ``user`` sees, soonest deadline first (those without one
    last), with the meeting each is for: two queries, the count without the joins (an
    index answers it), the rows in the order of ix_translation_due."""
    total = db.session.scalar(_filtered(sa.select(sa.func.count(Translation.id)), user,
                                        filters))
    rows = db.session.scalars(
        _filtered(sa.select(Translation), user, filters)
        .options(joinedload(Translation.agm).joinedload(AGM.company),
                 joinedload(Translation.agm).joinedload(AGM.listing))
        .order_by(Translation.due_on.asc().nulls_last(), Translation.id)
        .limit(per_page).offset((number - 1) * per_page)).all()
    return Page(items=rows, total=total, page=number, per_page=per_page)


@dataclass
class Counts:
    """How many translations wait, in all, by state, and by language (either side) and
    state."""

    total: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    # {language: {each waiting state and "all": number}}
    by_language: dict[str, dict[str, int]] = field(default_factory=dict)


def counts(user: User, languages: list[str]) -> Counts:
    """The counts of what ``user`` sees, for each of ``languages``: one query over an index
    (ix_translation_waiting), grouped by state and language pair, summed up here."""
    query = visible(sa.select(Translation.state, Translation.language,
                              Translation.source_language, sa.func.count())
                    .where(Translation.state.in_(WAITING)), user)
    zeros = {state.value: 0 for state in WAITING}
    result = Counts(by_state=dict(zeros),
                    by_language={code: {**zeros, "all": 0} for code in languages})
    grouped = query.group_by(Translation.state, Translation.language,
                             Translation.source_language)
    for state, language, source_language, number in db.session.execute(grouped):
        state = TranslationState(state).value
        result.total += number
        result.by_state[state] += number
        for code in {language, source_language} & set(languages):
            result.by_language[code][state] += number
            result.by_language[code]["all"] += number
    return result
