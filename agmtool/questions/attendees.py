"""Domain: who attends a meeting for the campaign and how they get in. Friendly shareholders
and the shares they hold; a meeting's attendees (an attendee account, or a community
representative without one), their way in, the proxy from which shareholder's shares and
where it stands with the registrar; their travel; what the running order must flag about a
speaker; erasing contact and travel details a while after the meeting.

Contact details and travel are for staff only (an attendee reads their own travel).
Functions change objects, record history and flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext, lazy_pgettext

from agmtool import history, workflow
from agmtool.database import claim
from agmtool.extensions import db
from agmtool.meetings.agms import Invalid
from agmtool.models import (
    AGM,
    Attendee,
    Community,
    Company,
    Entry,
    EntryState,
    Holding,
    MeetingFormat,
    Question,
    Role,
    Shareholder,
    Shareholding,
    User,
    utcnow,
)
from agmtool.questions import briefing, deadlines
from agmtool.text import clean_text

# Where an entry goes: forward by any number of steps (a guest is confirmed straight from
# the request), back one step when staff corrected a mistake, and out when it is refused.
TRANSITIONS: dict[EntryState, set[EntryState]] = {
    EntryState.REQUESTED: {EntryState.APPOINTED, EntryState.LODGED, EntryState.CONFIRMED,
                           EntryState.REFUSED},
    EntryState.APPOINTED: {EntryState.LODGED, EntryState.CONFIRMED, EntryState.REQUESTED,
                           EntryState.REFUSED},
    EntryState.LODGED: {EntryState.CONFIRMED, EntryState.APPOINTED, EntryState.REFUSED},
    EntryState.CONFIRMED: {EntryState.LODGED, EntryState.REFUSED},
    EntryState.REFUSED: {EntryState.REQUESTED},
}
# The ways in that take a shareholder's shares, and those whose holder may speak.
FROM_SHARES = {Entry.PROXY, Entry.CORPORATE}
MAY_SPEAK = {Entry.OWN_SHARE, Entry.PROXY, Entry.CORPORATE, Entry.ONLINE_ONLY}
# A deadline this close with an attendee not yet confirmed is flagged.
WARN_DAYS = 7
# Fields whose values never go into the history: contact details and travel.
PRIVATE = {"contact", "contact_details", "visa", "lodging", "travel_notes", "arrives_on",
           "leaves_on"}

HISTORY = history.Labels(
    fields={
        "name": _l("Name"),
        "holding": _l("How they hold"),
        "contact": _l("Contact at the registrar or broker"),
        "notes": _l("Notes"),
        "company": _l("Company"),
        "shares": _l("Shares"),
    },
    actions={"holding_set": lazy_pgettext("history action", "Shares changed")},
    enums={"holding": Holding},
    values={"company": lambda value: _name(Company, value)},
)
ATTENDEE_HISTORY = history.Labels(
    fields={
        "name": _l("Name"),
        "user_id": _l("Account"),
        "community_id": _l("Community"),
        "language": _l("Language"),
        "needs_interpretation": _l("Needs interpretation"),
        "may_be_named": _l("Agrees to be named in the pack"),
        "interprets": _l("Interprets between"),
        "entry": _l("How they get in"),
        "shareholding_id": _l("From the shares of"),
        "shares": _l("Shares"),
        "state": _l("Entry"),
        "online_login": _l("Online login received"),
        "contact_details": _l("Contact details"),
        "visa": _l("Visa or travel authorisation"),
        "arrives_on": _l("Arrives on"),
        "leaves_on": _l("Leaves on"),
        "lodging": _l("Where they stay"),
        "travel_notes": _l("Travel notes"),
    },
    actions={"added": lazy_pgettext("history action", "Added to the meeting"),
             "moved": lazy_pgettext("history action", "Entry changed"),
             "erased": lazy_pgettext("history action", "Contact and travel details erased")},
    enums={"entry": Entry, "state": EntryState},
    values={"interprets": history.languages, "language": history.languages,
            "community_id": lambda value: _name(Community, value),
            "user_id": lambda value: _name(User, value),
            "shareholding_id": lambda value: _holder(value)},
)


def _name(model, row_id) -> str:
    found = db.session.get(model, row_id) if row_id else None
    return (found.name or "–") if found is not None else "–"


def _holder(shareholding_id) -> str:
    found = db.session.get(Shareholding, shareholding_id) if shareholding_id else None
    return found.shareholder.name if found is not None else "–"


def _text(value: str | None) -> str | None:
    return (clean_text(value) or "").strip() or None


def _private(changes: dict) -> dict:
    """The changes as the history keeps them: a private field's values are not written."""
    return {name: (["…", "…"] if name in PRIVATE else values)
            for name, values in changes.items()}


# --- friendly shareholders ----------------------------------------------------------------

def save_shareholder(shareholder: Shareholder | None, user: User, values: dict,
                     seen_version: int | None = None) -> Shareholder:
    """Add a friendly shareholder (``shareholder`` None) or change one the user saw at
    ``seen_version``. ``values``: name, holding, contact, notes.

    Side effects: the row (a conditional UPDATE of the version: StaleEdit), history without
    the contact's words, flush. Raises Invalid without a name.
    """
    fields = {"name": _text(values.get("name")), "holding": Holding(values["holding"]),
              "contact": _text(values.get("contact")), "notes": _text(values.get("notes"))}
    if not fields["name"]:
        raise Invalid({"name": [_l("Give the shareholder's name.")]})
    if shareholder is None:
        shareholder = Shareholder(**fields, version=1)
        db.session.add(shareholder)
        db.session.flush()
        history.record(shareholder, user, "created", _private(
            {name: [None, value] for name, value in fields.items() if value is not None}))
    else:
        claim(shareholder, Shareholder.version == seen_version,
              version=Shareholder.version + 1)
        changes = history.apply_changes(shareholder, fields)
        if changes:
            history.record(shareholder, user, "updated", _private(changes))
    db.session.flush()
    return shareholder


def set_holding(shareholder: Shareholder, company_id: int, shares: int, user: User
                ) -> Shareholding | None:
    """Say how many shares of the company the shareholder holds (0: none any more; the
    proxies of meetings already held then keep no shareholder).

    Side effects: adds, changes or deletes the holding, history, flush. Raises Invalid for
    a negative number, or fewer shares than its proxies at one coming meeting carry.
    """
    if shares < 0:
        raise Invalid({"shares": [_l("Enter a number of shares, 0 or more.")]})
    found = next((h for h in shareholder.shareholdings if h.company_id == company_id), None)
    if found is not None:
        _lock(found)
        # Meetings already held keep their proxies as they were, whatever the holding now.
        carried = db.session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(Attendee.shares), 0)).join(AGM).where(
                Attendee.shareholding_id == found.id, Attendee.state != EntryState.REFUSED,
                AGM.local_date >= utcnow().date())
            .group_by(Attendee.agm_id).order_by(sa.desc(sa.func.sum(Attendee.shares)))
            .limit(1)).scalar() or 0
        if shares < carried:
            raise Invalid({"shares": [_l(
                "Its proxies at one meeting already carry %(carried)s shares: refuse or "
                "move them first.", carried=carried)]})
    old = found.shares if found else 0
    if found is None and shares:
        found = Shareholding(shareholder=shareholder, company_id=company_id, shares=shares,
                             version=1)
        db.session.add(found)
    elif found is not None and shares:
        found.shares = shares
    elif found is not None:
        shareholder.shareholdings.remove(found)
        db.session.delete(found)
        found = None
    if old != shares:
        history.record(shareholder, user, "holding_set",
                       {"company": [None, company_id], "shares": [old, shares]})
    db.session.flush()
    return found


def shareholders() -> list[Shareholder]:
    return list(db.session.scalars(sa.select(Shareholder).order_by(Shareholder.name)))


def holdings_for(agm: AGM) -> list[Shareholding]:
    """The friendly shares in the meeting's company, largest first."""
    return list(db.session.scalars(
        sa.select(Shareholding).join(Shareholder).where(Shareholding.company_id == agm.company_id)
        .order_by(Shareholding.shares.desc(), Shareholder.name)))


def carried(shareholding: Shareholding, agm: AGM, but: Attendee | None = None) -> int:
    """The shares of ``shareholding`` its proxies at ``agm`` carry (refused ones aside)."""
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Attendee.shares), 0)).where(
            Attendee.shareholding_id == shareholding.id, Attendee.agm_id == agm.id,
            Attendee.state != EntryState.REFUSED,
            Attendee.id != (but.id if but and but.id else -1)))


def _lock(shareholding: Shareholding) -> None:
    # Raising the version takes the row's lock (on PostgreSQL; SQLite has one writer): two
    # appointments from the same shares are counted one after the other.
    db.session.execute(sa.update(Shareholding).where(Shareholding.id == shareholding.id)
                       .values(version=Shareholding.version + 1)
                       .execution_options(synchronize_session=False))


def _check_shares(attendee: Attendee, agm: AGM, shareholding: Shareholding | None,
                  shares: int) -> None:
    """Refuse a proxy its shareholder's shares cannot carry: one share, one proxy."""
    if shareholding is None:
        return
    if shareholding.company_id != agm.company_id:
        raise Invalid({"shareholding_id": [_l(
            "This shareholder holds no shares in the meeting's company.")]})
    if shares < 1:
        raise Invalid({"shares": [_l("A proxy carries at least one share.")]})
    _lock(shareholding)
    used = carried(shareholding, agm, but=attendee)
    if used + shares > shareholding.shares:
        raise Invalid({"shares": [lazy_ngettext(
            "%(name)s holds %(num)s share in this company and its other proxies at this "
            "meeting carry %(used)s: one share carries one proxy.",
            "%(name)s holds %(num)s shares in this company and its other proxies at this "
            "meeting carry %(used)s: one share carries one proxy.",
            shareholding.shares, name=shareholding.shareholder.name, used=used)]})


# --- attendees ----------------------------------------------------------------------------

def _attendee_fields(agm: AGM, values: dict) -> dict:
    fields = {}
    if "name" in values:
        fields["name"] = _text(values["name"])
    for name in ("language", "needs_interpretation", "may_be_named", "online_login",
                 "community_id", "user_id"):
        if name in values:
            fields[name] = values[name]
    if "interprets" in values:
        codes = [code for code in values["interprets"] or [] if code]
        fields["interprets"] = ",".join(dict.fromkeys(codes))
    if "contact_details" in values:
        fields["contact_details"] = _text(values["contact_details"])
    if "entry" in values:
        entry = Entry(values["entry"])
        fields["entry"] = entry
        holding_id = values.get("shareholding_id") if entry in FROM_SHARES else None
        fields["shareholding_id"] = holding_id or None
        fields["shares"] = (values.get("shares") or 0) if holding_id else 0
    return fields


def _check_account(agm: AGM, user_id: int | None, attendee: Attendee | None) -> User | None:
    if not user_id:
        return None
    account = db.session.get(User, user_id)
    if account is None or account.role != Role.ATTENDEE:
        raise Invalid({"user_id": [_l("Choose an attendee account.")]})
    twice = db.session.scalar(sa.select(Attendee.id).where(
        Attendee.agm_id == agm.id, Attendee.user_id == user_id,
        Attendee.id != (attendee.id if attendee else -1)))
    if twice:
        raise Invalid({"user_id": [_l("This account already attends this meeting.")]})
    return account


def add(agm: AGM, user: User, values: dict) -> Attendee:
    """Add an attendee to ``agm``: ``values`` as the attendee form's (name, user_id,
    community_id, language, needs_interpretation, may_be_named, interprets, entry,
    shareholding_id, shares, contact_details). Their entry starts as requested.

    Side effects: the row, history (not the contact details), the meeting's practical notes
    translated into their language (briefing.sync_practical_notes), flush. Raises Invalid (no
    name, an account that is no attendee's, shares the shareholder cannot spare).
    """
    fields = _attendee_fields(agm, values)
    account = _check_account(agm, fields.get("user_id"), None)
    if not fields.get("name") and account is not None:
        fields["name"] = account.name
    if not fields.get("name"):
        raise Invalid({"name": [_l("Give the attendee's name.")]})
    attendee = Attendee(agm_id=agm.id, state=EntryState.REQUESTED, version=1, **fields)
    holding = db.session.get(Shareholding, fields["shareholding_id"]) if fields.get(
        "shareholding_id") else None
    _check_shares(attendee, agm, holding, fields.get("shares", 0))
    db.session.add(attendee)
    db.session.flush()
    db.session.expire(agm, ["attendees"])
    history.record(attendee, user, "added", _private(
        {name: [None, value] for name, value in fields.items()
         if value not in (None, "", False, 0)} | {"state": [None, EntryState.REQUESTED]}))
    db.session.flush()
    briefing.sync_practical_notes(agm, user)
    return attendee


def edit(attendee: Attendee, user: User, values: dict, seen_version: int | None) -> dict:
    """Change an attendee the user saw at ``seen_version`` (``values`` as for add, any of
    them, and the travel fields: visa, arrives_on, leaves_on, lodging, travel_notes).

    Side effects: a conditional UPDATE of the version (StaleEdit), the fields, history
    (never the words of contact details or travel), flush. Returns the changes. Raises
    Invalid as add does, and for a departure before the arrival.
    """
    agm = attendee.agm
    fields = _attendee_fields(agm, values)
    for name in ("visa", "lodging", "travel_notes"):
        if name in values:
            fields[name] = _text(values[name])
    for name in ("arrives_on", "leaves_on"):
        if name in values:
            fields[name] = values[name]
    if "name" in fields and not fields["name"]:
        raise Invalid({"name": [_l("Give the attendee's name.")]})
    if "user_id" in fields:
        _check_account(agm, fields["user_id"], attendee)
    arrives = fields.get("arrives_on", attendee.arrives_on)
    leaves = fields.get("leaves_on", attendee.leaves_on)
    if arrives and leaves and leaves < arrives:
        raise Invalid({"leaves_on": [_l("The day they leave comes after the day they "
                                        "arrive.")]})
    claim(attendee, Attendee.version == seen_version, version=Attendee.version + 1)
    holding_id = fields.get("shareholding_id", attendee.shareholding_id)
    shares = fields.get("shares", attendee.shares)
    if ("shareholding_id" in fields or "shares" in fields) and attendee.state != EntryState.REFUSED:
        _check_shares(attendee, agm, db.session.get(Shareholding, holding_id)
                      if holding_id else None, shares)
    changes = history.apply_changes(attendee, fields)
    if changes:
        history.record(attendee, user, "updated", _private(changes))
    db.session.flush()
    if "language" in changes:
        briefing.sync_practical_notes(agm, user)
    return changes


def allowed(attendee: Attendee) -> list[EntryState]:
    """Where the attendee's entry can go from here, in the order of the states."""
    return [state for state in EntryState if state in TRANSITIONS[attendee.state]]


# The usual way forward, one step at a time (the meeting page's button).
FORWARD = [EntryState.REQUESTED, EntryState.APPOINTED, EntryState.LODGED, EntryState.CONFIRMED]


def next_step(attendee: Attendee) -> EntryState | None:
    """The entry's next step on the usual way (a refused one is asked again), None once
    confirmed."""
    if attendee.state == EntryState.REFUSED:
        return EntryState.REQUESTED
    index = FORWARD.index(attendee.state)
    return FORWARD[index + 1] if index + 1 < len(FORWARD) else None


def move(attendee: Attendee, to: EntryState, user: User,
         seen_state: EntryState | str | None = None) -> None:
    """Move the attendee's entry to ``to`` where TRANSITIONS allows it; a refused proxy
    asked again must still find its shares free.

    Side effects: the state (claimed by the state the user saw: StaleEdit), history, flush.
    Raises TransitionNotAllowed, StaleEdit, Invalid.
    """
    seen = EntryState(seen_state) if seen_state else attendee.state
    workflow.check(TRANSITIONS, attendee, seen, to)
    if seen == EntryState.REFUSED and attendee.shareholding is not None:
        _check_shares(attendee, attendee.agm, attendee.shareholding, attendee.shares)
    claim(attendee, Attendee.state == seen, state=to, version=Attendee.version + 1)
    history.record(attendee, user, "moved", {"state": [seen, to]})
    db.session.flush()
    if EntryState.REFUSED in (seen, to):
        briefing.sync_practical_notes(attendee.agm, user)


def remove(attendee: Attendee, user: User) -> None:
    """Take an attendee off the meeting: the questions they were to read lose their
    speaker. Side effects: history on the meeting's questions, deletes the row, the
    practical notes' translations in step, flush."""
    agm = attendee.agm
    for question in db.session.scalars(sa.select(Question).where(
            Question.speaker_id == attendee.id)):
        history.record(question, user, "updated", {"speaker_id": [attendee.name, None]})
        question.speaker_id = None
    db.session.delete(attendee)
    db.session.flush()
    db.session.expire(agm, ["attendees"])
    briefing.sync_practical_notes(agm, user)


def accounts() -> list[User]:
    """The attendee accounts staff can add to a meeting."""
    return list(db.session.scalars(sa.select(User).where(
        User.role == Role.ATTENDEE, User.active.is_(True)).order_by(User.name, User.id)))


def communities() -> list[Community]:
    return list(db.session.scalars(sa.select(Community).order_by(Community.name)))


# --- deadlines and warnings ---------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """An attendee against the meeting's deadlines: ``warn`` when a deadline is less than
    WARN_DAYS away (or past) and the entry is not confirmed."""

    attendee: Attendee
    warn: bool


def now_at(agm: AGM) -> datetime:
    """The meeting's local time now (naive, like its deadlines)."""
    return datetime.now(ZoneInfo(agm.timezone)).replace(tzinfo=None)


def standings(agm: AGM, now: datetime | None = None) -> list[Standing]:
    now = now or now_at(agm)
    soon = [d.at for d in (deadlines.proxy_deadline(agm), deadlines.record_deadline(agm))
            if d.at is not None and d.at - now <= timedelta(days=WARN_DAYS)]
    return [Standing(attendee, bool(soon) and attendee.state not in (EntryState.CONFIRMED,
                                                                        EntryState.REFUSED))
            for attendee in agm.attendees]


# --- speakers -----------------------------------------------------------------------------

def interpreters(agm: AGM, language: str) -> list[Attendee]:
    """The meeting's attendees who interpret between ``language`` and English."""
    return [a for a in agm.attendees if a.state != EntryState.REFUSED
            and {language, "en"} <= set(a.interpret_list)]


def spoken_in(question: Question) -> str | None:
    """The language the question is read in when it is not English (the question's own
    choice, else its speaker's need), None in English."""
    if question.needs_interpretation and question.interpret_from not in (None, "en"):
        return question.interpret_from
    speaker = question.speaker
    if speaker is not None and speaker.needs_interpretation and speaker.language != "en":
        return speaker.language
    return None


# What the running order flags about a question's speaker.
PROBLEMS = {
    "no_right": _l("The speaker has no right to speak: a guest cannot ask a question."),
    "refused": _l("The speaker's entry was refused."),
    "no_interpreter": _l("It is read in %(language)s and no attending interpreter covers it."),
    "no_login": _l("The speaker asks online and has not received their login yet."),
}


def speaker_problems(question: Question) -> list[str]:
    """Keys of PROBLEMS for the question's speaker and interpretation."""
    found = []
    speaker = question.speaker
    if speaker is not None and speaker.entry == Entry.GUEST:
        found.append("no_right")
    if speaker is not None and speaker.state == EntryState.REFUSED:
        found.append("refused")
    online = speaker is not None and (speaker.entry == Entry.ONLINE_ONLY or (
        question.agm.format == MeetingFormat.ONLINE))
    if online and not speaker.online_login:
        found.append("no_login")
    language = spoken_in(question)
    if language and not interpreters(question.agm, language):
        found.append("no_interpreter")
    return found


# --- the attendee's own meetings ----------------------------------------------------------

def entries_of(user: User) -> list[Attendee]:
    """The meetings ``user`` attends (their entries, soonest meeting first)."""
    return list(db.session.scalars(sa.select(Attendee).join(AGM).where(
        Attendee.user_id == user.id).order_by(AGM.local_date, AGM.id)))


def entry_of(user: User, agm: AGM) -> Attendee | None:
    return db.session.scalar(sa.select(Attendee).where(Attendee.user_id == user.id,
                                                       Attendee.agm_id == agm.id))


def reads(attendee: Attendee) -> list[Question]:
    """The questions the attendee reads, in the running order (none withdrawn)."""
    return [q for q in sorted(attendee.agm.questions, key=lambda q: (q.position, q.id))
            if q.speaker_id == attendee.id and q.status.value != "withdrawn"]


def named_others(attendee: Attendee) -> list[str]:
    """The names of the meeting's other attendees who agreed to be named."""
    return [a.name for a in attendee.agm.attendees
            if a.id != attendee.id and a.may_be_named and a.state != EntryState.REFUSED]


# --- erasure ------------------------------------------------------------------------------

def purge(today: date, retention: timedelta) -> int:
    """Erase the contact details and travel of the attendees of meetings held more than
    ``retention`` before ``today`` (ATTENDANCE_RETENTION). Returns how many were erased.

    Side effects: empties the fields, sets ``erased_on``, history, flush.
    """
    found = db.session.scalars(sa.select(Attendee).join(AGM).where(
        AGM.local_date < today - retention, Attendee.erased_on.is_(None))).all()
    for attendee in found:
        for name in ("contact_details", "visa", "lodging", "travel_notes", "arrives_on",
                     "leaves_on"):
            setattr(attendee, name, None)
        attendee.erased_on = today
        history.record(attendee, None, "erased", {})
    db.session.flush()
    return len(found)
