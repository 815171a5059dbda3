"""Which document a request means, found fast; each distinct build recorded once.

A request names a document ("the pack of meeting 7", "speaker 3's cards", "concern 12's
report-back"). Its input hash is remembered in the shared cache under the documents'
generation (agmtool.generations), so while nothing a PDF reads has changed, a request costs
one one-row read and two cache reads, never a walk through the questions.

A build of a pack or of cards is recorded once per input hash (``PackBuild``: when first
built, by whom, whether it was a draft), and its downloads are counted in the shared cache
and folded into the row every ``FOLD`` downloads, so that the cached path writes nothing.
Whether a build is superseded is derived: its hash against the hash of the inputs now.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from agmtool import generations
from agmtool.extensions import cache as flask_cache
from agmtool.extensions import db
from agmtool.models import AGM, Attendee, Concern, EntryState, PackBuild, Role, User
from agmtool.packs import content, pdf
from agmtool.packs.documents import Failed, Pending, Ready, for_app
from agmtool.packs.worker import Job

PACK, CARDS, REPORT = "pack", "cards", "report"
TEMPLATES = {PACK: "pdf/pack.html", CARDS: "pdf/cards.html", REPORT: "pdf/report.html"}
# Downloads are written to the build's row once this many have been counted.
FOLD = 20


@dataclass(frozen=True)
class Wanted:
    """A document as a request names it: ``key`` names it in the cache, ``make`` builds its
    job (reading the database), ``agm_id``, ``kind`` and ``variant`` say where a build of it
    is recorded (``agm_id`` None: not recorded, as for a report-back)."""

    key: str
    make: Callable[[], Job]
    kind: str
    agm_id: int | None = None
    variant: str = ""
    name: Callable[[], str] = lambda: "document"  # the file's name, read with the inputs


@dataclass(frozen=True)
class Known:
    """What ``digest`` found: the input hash, the file's name, and the job when it had to be
    built (None when the shared cache knew the hash at this generation)."""

    digest: str
    name: str
    job: Job | None = None


def may_read(user: User | None, agm_id: int) -> bool:
    """Whether ``user`` may read the meeting's pack and cards: staff and admins, and the
    attendees of that meeting. The one place that decides it (one small query for an
    attendee, none for staff)."""
    if user is None:
        return False
    if user.role in (Role.ADMIN, Role.STAFF):
        return True
    return user.role == Role.ATTENDEE and db.session.execute(
        sa.select(Attendee.id).where(Attendee.agm_id == agm_id, Attendee.user_id == user.id,
                                     Attendee.state != EntryState.REFUSED)
    ).first() is not None


def _meeting(agm_id: int) -> AGM:
    agm = db.session.get(AGM, agm_id)
    if agm is None:
        raise LookupError(f"no meeting {agm_id}")
    return agm


def variant(speaker_id: int | None = None, pdf_ua: bool = False) -> str:
    """How a build of a meeting's document is told apart from the others of its kind: one
    speaker's cards ("3"), PDF/UA-1 ("ua", "3:ua"); "" for the plain one."""
    return ":".join(filter(None, [str(speaker_id) if speaker_id else "", "ua" if pdf_ua else ""]))


def parse_variant(text: str) -> tuple[int | None, bool]:
    parts = text.split(":") if text else []
    speaker = next((int(part) for part in parts if part.isdigit()), None)
    return speaker, "ua" in parts


def pack(agm_id: int, pdf_ua: bool = False) -> Wanted:
    """The meeting's pack; the meeting is read only when its inputs must be (``make``)."""
    def make() -> Job:
        agm = _meeting(agm_id)
        return Job(TEMPLATES[PACK], content.pack(agm), draft=content.is_draft(agm),
                   pdf_ua=pdf_ua)
    shown = variant(None, pdf_ua)
    return Wanted(f"{PACK}:{agm_id}:{shown}", make, PACK, agm_id, shown,
                  lambda: f"pack-{_file_stem(agm_id)}{'-ua' if pdf_ua else ''}.pdf")


def cards(agm_id: int, speaker_id: int | None = None, pdf_ua: bool = False) -> Wanted:
    def make() -> Job:
        agm = _meeting(agm_id)
        return Job(TEMPLATES[CARDS], content.cards(agm, speaker_id),
                   draft=content.is_draft(agm), pdf_ua=pdf_ua)
    shown = variant(speaker_id, pdf_ua)
    suffix = "".join(filter(None, [f"-{speaker_id}" if speaker_id else "",
                                   "-ua" if pdf_ua else ""]))
    return Wanted(f"{CARDS}:{agm_id}:{shown}", make, CARDS, agm_id, shown,
                  lambda: f"cards-{_file_stem(agm_id)}{suffix}.pdf")


def _file_stem(agm_id: int) -> str:
    agm = _meeting(agm_id)
    return f"{agm.company.slug}-{agm.local_date}"


def report(concern: Concern) -> Wanted:
    def make() -> Job:
        return Job(TEMPLATES[REPORT], content.report(concern),
                   language=concern.reply_language)
    return Wanted(f"{REPORT}:{concern.id}", make, REPORT, name=lambda: "report.pdf")


def _documents():
    """This process's Documents for the current app, found without pushing a context."""
    app = current_app._get_current_object()
    found = app.extensions.get("agmtool.packs.documents")
    if found is None or found[0] != os.getpid():
        found = (os.getpid(), for_app(app))
        app.extensions["agmtool.packs.documents"] = found
    return found[1]


def _cache():
    """The shared cache's backend (cachelib: get, set, inc), the one documents.py uses."""
    return flask_cache.cache


def _generation_key(wanted: Wanted) -> str:
    return f"pdf:at:{pdf.pipeline_version()[:12]}:{generations.current()}:{wanted.key}"


def digest(wanted: Wanted) -> Known:
    """The input hash of ``wanted`` now and its file's name (see Known).

    Side effect: remembers them under the current generation in the shared cache. Raises
    LookupError when the meeting is not there.
    """
    key = _generation_key(wanted)
    found = _cache().get(key)
    if found is not None:
        return Known(*found)
    job = wanted.make()
    known = Known(job.digest, wanted.name(), job)
    _cache().set(key, (known.digest, known.name),
                 timeout=current_app.config["PDF_CACHE_SECONDS"])
    return known


def fetch(wanted: Wanted, known: Known | None = None) -> Ready | Pending | Failed:
    """The document: Ready from the cache, else its render started (once, whoever else
    asks) and waited for about a second (see documents.Documents.request). ``known`` is
    what ``digest(wanted)`` returned, when the caller asked it already.

    Side effects: those of ``digest`` and of a render.
    """
    documents = _documents()
    known = known or digest(wanted)
    found, job = known.digest, known.job
    if job is None:
        data = documents.cached(found)
        if data is not None:
            return Ready(found, data)
        job = wanted.make()
    return documents.request(job, found)


def record(wanted: Wanted, found: str, user: User | None) -> bool:
    """Record the build of ``wanted`` with input hash ``found`` unless it is recorded
    already; count one download. Returns whether it wrote anything (then the caller
    commits). Side effects: may add a PackBuild (flush), may fold the downloads counted in
    the cache into its row."""
    if wanted.agm_id is None:
        return False
    wrote = False
    flag = f"pdf:recorded:{found}"
    build = None
    if not _cache().get(flag):
        build = db.session.scalar(sa.select(PackBuild).where(PackBuild.digest == found))
        if build is None:
            build = PackBuild(agm_id=wanted.agm_id, kind=wanted.kind, variant=wanted.variant,
                              digest=found, draft=_draft_of(wanted),
                              built_by_id=user.id if user else None)
            try:
                with db.session.begin_nested():
                    db.session.add(build)
                wrote = True
            except IntegrityError:  # recorded meanwhile by another request
                pass
        _cache().set(flag, 1, timeout=current_app.config["PDF_CACHE_SECONDS"])
    counted = _cache().inc(f"pdf:downloads:{found}")
    if counted and counted % FOLD == 0:
        db.session.execute(sa.update(PackBuild).where(PackBuild.digest == found)
                           .values(downloads=PackBuild.downloads + FOLD))
        wrote = True
    return wrote


def _draft_of(wanted: Wanted) -> bool:
    return content.is_draft(_meeting(wanted.agm_id))


def downloads(build: PackBuild) -> int:
    """The build's downloads: those folded into its row and those counted since."""
    return build.downloads + (_cache().get(f"pdf:downloads:{build.digest}") or 0) % FOLD


@dataclass(frozen=True)
class Listed:
    build: PackBuild
    superseded: bool
    downloads: int


def listed(agm: AGM) -> list[Listed]:
    """The meeting's builds, latest first, each marked superseded when the inputs of its
    document have changed since (its hash is not the hash now)."""
    found = db.session.scalars(sa.select(PackBuild).where(PackBuild.agm_id == agm.id)
                               .order_by(PackBuild.built_at.desc(), PackBuild.id.desc())).all()
    now: dict[tuple[str, str], str] = {}
    for build in found:
        key = (build.kind, build.variant)
        if key not in now:
            speaker, pdf_ua = parse_variant(build.variant)
            wanted = (pack(agm.id, pdf_ua) if build.kind == PACK
                      else cards(agm.id, speaker, pdf_ua))
            now[key] = digest(wanted).digest
    return [Listed(build, build.digest != now[(build.kind, build.variant)], downloads(build))
            for build in found]
