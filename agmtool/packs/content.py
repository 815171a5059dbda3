"""What goes into a meeting's pack, its cards and a community's report-back: read from the
meetings, translation and questions domains, and only what may be printed.

Every function here returns plain data (dicts, lists, strings) for the templates in
templates/pdf/, so that its hash is the document's identity (pdf.input_hash). The rules
that decide what may appear live here, each in one place:

- a question appears unless it is withdrawn; the pack is a DRAFT while any question in it
  is not approved, asked or not reached (``is_draft``);
- a community is named only where a concern's consent allows it, a person never where the
  concern is anonymous or community-only (questions.community_name and person_name);
- a community's own words appear only where quoting is allowed and the community signed off
  the excerpt as it stands (``_quote``);
- a text in another language appears only as its approved translation (questions.in_language,
  answers.report);
- who reads a question out is said by ``speaker_of``, the one place that decides it.

Side effects: none (reads the database). Dates and times are formatted in the document's
language, so a caller runs these inside an application context.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from babel import Locale, UnknownLocaleError
from flask_babel import force_locale
from flask_babel import gettext as _

from agmtool import i18n
from agmtool.extensions import db
from agmtool.meetings import agms
from agmtool.models import (
    AGM,
    Attribution,
    Concern,
    ConcernStatus,
    EntryState,
    Question,
    QuestionStatus,
)
from agmtool.questions import answers, signoffs
from agmtool.questions import domain as questions

# A pack holding only these is final; any other status (but withdrawn) makes it a DRAFT.
FINAL = {QuestionStatus.APPROVED, QuestionStatus.ASKED, QuestionStatus.NOT_REACHED}
# "Last year's questions": the company's meetings this long before this one.
PREVIOUS_WINDOW = timedelta(days=550)


# --- the rules -------------------------------------------------------------------------------

def in_pack(agm: AGM) -> list[Question]:
    """The meeting's questions that go into its pack and cards, in running order."""
    return [q for q in questions.running_order(agm) if q.status != QuestionStatus.WITHDRAWN]


def is_draft(agm: AGM) -> bool:
    """Whether the pack holds any question not approved, asked or not reached."""
    return any(q.status not in FINAL for q in in_pack(agm))


def _concerns(question: Question) -> list[Concern]:
    return [c for c in questions.speakers_for(question) if c.status != ConcernStatus.WITHDRAWN]


def speaker_of(question: Question) -> str | None:
    """The name of whoever reads the question out, where it may be printed; else None.

    The one place that decides it. A speaker who is one of the meeting's attendees is
    named only with their own consent (``may_be_named``). A name staff typed on the question
    instead is left out whenever the question speaks for an anonymous or community-only
    concern, since the speaker may be the person who raised it and their consent does not
    allow naming them.
    """
    if question.speaker is not None:
        return question.speaker.name if question.speaker.may_be_named else None
    name = question.speaker_name
    if not name:
        return None
    concerns = _concerns(question)
    # No concern left (the last withdrawn) is no consent either.
    if not concerns or any(c.attribution != Attribution.NAMED for c in concerns):
        return None
    return name


def attendee_name(attendee) -> str:
    """An attendee as the pack may print them: their name with their consent, else a
    number (never the shareholder who lent the shares: the pack does not read it)."""
    if attendee.may_be_named:
        return attendee.name
    return _("Attendee %(number)s (not named)", number=attendee.id)


def communities_named(question: Question) -> list[str]:
    """The communities the question speaks for whose consent allows naming them."""
    names = []
    for concern in _concerns(question):
        name = questions.community_name(concern)
        if name and name not in names:
            names.append(name)
    return names


def _quote(question: Question) -> dict | None:
    """The first excerpt of a community's words the question may quote: quoting allowed,
    and the community's sign-off given on the question, its translation and the excerpt as
    they stand now (signoffs.state says "given" only then)."""
    for concern in _concerns(question):
        link = questions.link_for(question, concern)
        if link is None or link.concern_id != concern.id:
            continue
        excerpt = signoffs.signed_off_excerpt(question, link)
        if excerpt is not None:
            return {"lang": concern.language, "language": language_name(concern.language),
                    "text": excerpt}
    return None


def language_name(code: str, in_language: str = "en") -> str:
    """'Spanish', 'espagnol'...: a language's name in ``in_language``, else its code."""
    try:
        return Locale.parse(code).get_display_name(in_language) or code
    except (UnknownLocaleError, ValueError):
        return code


def country_name(code: str | None, in_language: str = "en") -> str | None:
    """'Colombia' for 'CO', in ``in_language``; the code itself when unknown."""
    if not code:
        return None
    try:
        return Locale.parse(in_language).territories.get(code.upper(), code)
    except (UnknownLocaleError, ValueError):
        return code


# --- formatting ------------------------------------------------------------------------------

def _reading_time(text: str) -> str:
    seconds = questions.reading_seconds(text)
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return _("%(seconds)s s", seconds=rest)
    return _("%(minutes)s min %(seconds)s s", minutes=minutes, seconds=rest)


def _meeting_name(agm: AGM) -> str:
    return f"{agm.kind.label} {agm.local_date.year}"


def _when(agm: AGM) -> tuple[str, str]:
    """The meeting's local date and time, and London's where it differs."""
    start = agms.start_instant(agm)
    if start is None or agm.local_time is None:
        day = (i18n.format_month(agm.local_date) if agm.date_estimated
               else i18n.format_day(agm.local_date))
        return day, _("Time not announced yet")
    shown = i18n.format_meeting_time(start, agm.timezone)
    return shown[0], shown[1] if len(shown) > 1 else _("The same in London")


def _deadline(agm: AGM, moment: datetime) -> str:
    return " / ".join(i18n.format_meeting_time(moment, agm.timezone))


def _topic(question: Question) -> str | None:
    for concern in _concerns(question):
        for topic in concern.topics:
            return str(topic.label)
    return None


def _title(question: Question, number: int) -> str:
    named = communities_named(question)
    topic = _topic(question)
    if topic and named:
        return f"{topic}: {named[0]}"
    if topic or named:
        return topic or named[0]
    words = question.text.split()
    return " ".join(words[:10]) + ("…" if len(words) > 10 else "")


# --- the pack --------------------------------------------------------------------------------

def _outcome(question: Question) -> dict | None:
    """What happened at the meeting, once recorded: a pack built afterwards is the record
    (the ruled space for the answer is for a pack taken to the meeting)."""
    if question.status == QuestionStatus.NOT_REACHED:
        return {"label": _("Not reached at the meeting."), "answer": None, "promise": None}
    if question.status != QuestionStatus.ASKED:
        return None
    answer = question.answer
    promise = None
    if answer is not None and answer.written_promised and answer.written_due:
        promise = (_("Written answer received on %(day)s.", day=i18n.format_day(
            answer.written_received_on, "long")) if answer.written_text and
            answer.written_received_on else _(
            "Written answer promised by %(day)s: not received.",
            day=i18n.format_day(answer.written_due, "long")))
    return {"label": _("Answer given"),
            "answer": answer.text if answer is not None and answer.text
            else _("No answer recorded."),
            "promise": promise}


def _question(question: Question, number: int) -> dict:
    named = communities_named(question)
    return {
        "id": f"q-{question.id}",
        "number": number,
        "topic": _topic(question),
        "title": _title(question, number),
        "speaker": speaker_of(question),
        "community": ", ".join(named) or None,
        "text": question.text,
        "reading_time": _reading_time(question.text),
        "original": _quote(question),
        "notes": question.background,
        "status": question.status.value,
        "outcome": _outcome(question),
        "sources": [],
    }


def _key_facts(agm: AGM, named: list[str]) -> list[dict]:
    company = agm.company
    listings = "; ".join(f"{item.entity_name} ({item.exchange}: {item.ticker})"
                         for item in company.listings)
    sites = "; ".join(
        ", ".join(filter(None, [site.name, site.region, country_name(site.country)]))
        for site in company.sites)
    facts = [{"label": _("Listings"), "value": listings or _("None recorded")},
             {"label": _("Sites"), "value": sites or _("None recorded")},
             {"label": _("Communities"), "value": ", ".join(named) or _("None named")}]
    if company.website:
        facts.append({"label": _("Website"), "value": company.website})
    return facts


def _logistics(agm: AGM, in_order: list[Question]) -> list[dict]:
    rows = []
    for _key, label, moment in agms.deadlines(agm):
        rows.append({"label": str(label), "value": _deadline(agm, moment)})
    if agm.deadlines_to_be_confirmed:
        rows.append({"label": _("Deadlines"), "value": _("To be confirmed")})
    going = [a for a in agm.attendees if a.state != EntryState.REFUSED]
    attending = [_("%(who)s: %(entry)s (%(state)s)", who=attendee_name(a),
                   entry=a.entry.label, state=a.state.label)
                 for a in sorted(going, key=lambda a: a.id)]
    rows.append({"label": _("Attending"), "lines": attending or [_("No attendee recorded yet")]})
    interpreters = [
        _("%(who)s, between %(languages)s", who=attendee_name(a), languages=", ".join(
            language_name(code) for code in a.interpret_list))
        for a in sorted(going, key=lambda a: a.id) if a.interpret_list]
    interpreted = [
        _("Question %(number)s is read in %(language)s and interpreted",
          number=number, language=language_name(q.interpret_from))
        for number, q in enumerate(in_order, start=1)
        if q.needs_interpretation and q.interpret_from]
    rows.append({"label": _("Interpretation"),
                 "lines": interpreted + interpreters or [_("None needed")]})
    process = str(agm.question_process.label) if agm.question_process else _("Not known yet")
    rows.append({"label": _("How questions are taken"), "value": _(
        "%(process)s. About %(seconds)s seconds a question.", process=process,
        seconds=agm.question_seconds)})
    if agm.format is not None and agm.webcast_url:
        rows.append({"label": _("Webcast"), "value": agm.webcast_url})
    if agm.practical_notes:
        rows.append({"label": _("Practical notes"), "value": agm.practical_notes})
    return rows


def _communities(in_order: list[Question]) -> list[dict]:
    """Each community a question names by consent, with its background when it has one."""
    found: dict[int, dict] = {}
    for question in in_order:
        for concern in _concerns(question):
            community = concern.community
            if community is None or questions.community_name(concern) is None:
                continue
            found.setdefault(community.id, {
                "id": f"c-{community.id}", "name": community.name,
                "place": ", ".join(filter(None, [community.region,
                                                 country_name(community.country)])),
                "background": community.background or _("No background written yet.")})
    return list(found.values())


def _previous(agm: AGM) -> list[dict]:
    """The company's questions at its meetings of the last year and a half before this one,
    asked or not reached, with the answers and any written answer still owed."""
    earlier = db.session.scalars(
        sa.select(Question).join(AGM).where(
            AGM.company_id == agm.company_id, AGM.id != agm.id,
            AGM.local_date < agm.local_date,
            AGM.local_date >= agm.local_date - PREVIOUS_WINDOW,
            Question.status.in_([QuestionStatus.ASKED, QuestionStatus.NOT_REACHED]))
        .order_by(AGM.local_date, Question.position, Question.id)).all()
    rows = []
    for question in earlier:
        answer = question.answer
        promise = None
        if answer is not None and answer.written_promised:
            if answer.written_text:
                promise = _("Written answer received on %(day)s.",
                            day=i18n.format_day(answer.written_received_on or
                                                answer.written_due, "long"))
            else:
                promise = _("Written answer promised by %(day)s: not received.",
                            day=i18n.format_day(answer.written_due, "long"))
        rows.append({
            "title": _("%(meeting)s, %(day)s", meeting=_meeting_name(question.agm),
                       day=i18n.format_day(question.agm.local_date, "long")),
            "question": question.text,
            "answer": (answer.text if answer is not None and answer.text
                       else _("Not reached at the meeting.")
                       if question.status == QuestionStatus.NOT_REACHED
                       else _("No answer recorded.")),
            "promise": promise,
        })
    return rows


def _sources(agm: AGM) -> list[dict]:
    rows = []
    for source in agm.sources:
        label = ", ".join(filter(None, [
            source.title, source.publisher,
            i18n.format_day(source.published_on, "long") if source.published_on else None]))
        rows.append({"id": f"src-{source.id}", "label": label, "url": source.link or ""})
    return rows


def pack(agm: AGM) -> dict:
    """The content of ``agm``'s pack, in English, in the shape templates/pdf/pack.html reads."""
    with force_locale("en"):
        in_order = in_pack(agm)
        named: list[str] = []
        for question in in_order:
            named += [n for n in communities_named(question) if n not in named]
        when_local, when_london = _when(agm)
        entity = agms.headline_entity(agm)
        listing = agm.listing
        return {
            "company": agm.company.name,
            "meeting": _meeting_name(agm),
            "held_by": (f"{entity} ({listing.exchange}: {listing.ticker})" if listing
                        else entity),
            "when_local": when_local,
            "when_london": when_london,
            "venue": ", ".join(filter(None, [agm.venue, agm.address])) or _("Not announced yet"),
            "format": str(agm.format.label) if agm.format else _("Not announced yet"),
            "cover_note": _("For the attendees of this meeting and the campaign's staff only. "
                            "Names appear only where the people concerned agreed to be "
                            "named."),
            "key_facts": _key_facts(agm, named),
            "logistics": _logistics(agm, in_order),
            "communities": _communities(in_order),
            "questions": [_question(q, n) for n, q in enumerate(in_order, start=1)],
            "previous": _previous(agm),
            "sources": _sources(agm),
        }


# --- the cards -------------------------------------------------------------------------------

def _card_language(question: Question) -> str | None:
    """The language the card shows beside the English: the one the question is read in when
    it is interpreted, else the first community language it is translated into."""
    if question.needs_interpretation and question.interpret_from not in (None, "en"):
        return question.interpret_from
    targets = questions.target_languages(question)
    return targets[0] if targets else None


def card_questions(agm: AGM, speaker_id: int | None = None) -> list[Question]:
    """The questions whose cards are printed: all, or those ``speaker_id`` reads."""
    found = in_pack(agm)
    if speaker_id is not None:
        found = [q for q in found if q.speaker_id == speaker_id]
    return found


def cards(agm: AGM, speaker_id: int | None = None) -> dict:
    """The content of the meeting's cards (one speaker's with ``speaker_id``): each question
    in English and, beside it, its approved translation into the language it is read in or
    the community's; a card without an approved translation shows the English alone."""
    with force_locale("en"):
        numbers = {q.id: n for n, q in enumerate(in_pack(agm), start=1)}
        items = []
        for question in card_questions(agm, speaker_id):
            language = _card_language(question)
            text = questions.in_language(question, language) if language else None
            items.append({
                "id": f"q-{question.id}", "number": numbers[question.id],
                "speaker": speaker_of(question), "text": question.text,
                "original": ({"lang": language, "language": language_name(language),
                              "text": text} if text else None)})
        return {"company": agm.company.name, "meeting": _meeting_name(agm),
                "questions": items}


# --- the report-back -------------------------------------------------------------------------

def _shown(shown: answers.Shown | None) -> dict | None:
    if shown is None:
        return None
    return {"text": shown.text, "pending": shown.pending}


def report(concern: Concern) -> dict:
    """The report-back of ``concern`` in its reply language: each question asked in its
    name, at which meeting, by whom (where they may be named), the answer and the written
    answer promised with its due date. Texts appear only as approved translations; where
    one is still on its way the entry says so (``pending``). Never names the person; names
    the community only where its consent allows."""
    language = concern.reply_language
    with force_locale(language):
        items = []
        for item in answers.report(concern):
            agm, question = item.agm, item.question
            day = (i18n.format_month(agm.local_date) if agm.date_estimated
                   else i18n.format_day(agm.local_date, "long"))
            items.append({
                "id": f"q-{question.id}",
                "company": agm.company.name,
                "meeting": _meeting_name(agm),
                "day": day,
                "status": question.status.value,
                "status_label": str(question.status.label),
                "text": _shown(item.text),
                "speaker": speaker_of(question),
                "answer": _shown(item.answer),
                "given_by": item.given_by,
                "written_due": (i18n.format_day(item.written_due, "long")
                                if item.written_due else None),
                "written": _shown(item.written),
            })
        return {
            "community": questions.community_name(concern),
            "received": i18n.format_day(concern.received_on, "long"),
            "items": items,
        }

