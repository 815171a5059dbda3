"""Domain: what the pack tells the people who attend, edited by staff ahead of it: how the
company takes questions and the time it gives each, practical notes, the sources of a
meeting, and each community's background.

Functions change objects, record history and flush; the caller commits.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from agmtool import history
from agmtool.database import claim
from agmtool.extensions import db
from agmtool.meetings import agms
from agmtool.models import AGM, Community, EntryState, QuestionProcess, Reader, Source, User
from agmtool.text import clean_text, is_web_link
from agmtool.translation import domain as translation

# How a community's history reads.
HISTORY = history.Labels(fields={"background": _l("Background")})

# A meeting's practical notes, translated for its attendees (agmtool.translation).
PRACTICAL_NOTES = "practical_notes"
TRANSLATION_KINDS = {
    PRACTICAL_NOTES: translation.Kind(_l("Practical notes for the people attending"),
                                      "questions.meeting_briefing",
                                      lambda agm_id: {"agm_id": agm_id}),
}


def sync_practical_notes(agm: AGM, user: User | None = None) -> None:
    """Keep the translations of the meeting's practical notes in step with them and with
    the languages of its attendees (those not refused), due by the meeting day."""
    languages = {a.language for a in agm.attendees if a.state != EntryState.REFUSED}
    translation.sync(PRACTICAL_NOTES, agm.id, agm.practical_notes, "en", sorted(languages),
                     reader=Reader.ATTENDEE, agm_id=agm.id, due_on=agm.local_date, user=user)


def _text(value: str | None) -> str | None:
    return (clean_text(value) or "").strip() or None


def set_briefing(agm: AGM, user: User, seconds: int, process: QuestionProcess | None,
                 notes: str | None, seen_version: int) -> dict:
    """How the company takes questions, the time it gives one, and practical notes.

    Side effects: a conditional UPDATE of the meeting's version (StaleEdit), the fields,
    history, the notes' translations in step, flush. None of these reach a calendar, so the
    sequence stays. Raises ValueError for a time outside 10 seconds to an hour.
    """
    if not 10 <= seconds <= 3600:
        raise ValueError("a question takes between 10 seconds and an hour")
    agms.claim_version(agm, seen_version)
    changes = history.apply_changes(agm, {"question_seconds": seconds,
                                          "question_process": process,
                                          "practical_notes": _text(notes)})
    if changes:
        history.record(agm, user, "updated", changes)
    db.session.flush()
    sync_practical_notes(agm, user)
    return changes


def add_source(agm: AGM, user: User, title: str, publisher: str | None,
               published_on: date | None, link: str | None) -> Source:
    """Add a source to the meeting's list. Side effects: the row, history, flush. Raises
    ValueError for a link that is not a web address."""
    link = _text(link)
    if link and not is_web_link(link):
        raise ValueError("a source's link starts with https://")
    source = Source(agm=agm, title=_text(title) or "", publisher=_text(publisher),
                    published_on=published_on, link=link)
    db.session.add(source)
    history.record(agm, user, "source_added", {"sources": [None, source.title]})
    db.session.flush()
    return source


def remove_source(source: Source, user: User) -> None:
    history.record(source.agm, user, "source_removed", {"sources": [source.title, None]})
    db.session.delete(source)
    db.session.flush()


def set_background(community: Community, user: User, background: str | None,
                   seen_version: int) -> dict:
    """The community's background for the pack (its situation, the company's sites, what it
    has asked before). Side effects: a conditional UPDATE of its version (StaleEdit), the
    text, history (the old and new text, staff-written), flush."""
    claim(community, Community.version == seen_version, version=Community.version + 1)
    changes = history.apply_changes(community, {"background": _text(background)})
    if changes:
        history.record(community, user, "updated", changes)
    db.session.flush()
    return changes
