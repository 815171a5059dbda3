"""What later features add to a concern's status page (the questions asked in its name, and
what the company answered): the one place where the status page is extended, so that the
page, its receipt code, its rate limits and its token stay the concerns package's own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from werkzeug.datastructures import MultiDict

from agmtool.models import Concern


@dataclass(frozen=True)
class Outcome:
    """What a status-page action did: the HTTP status, a message for the person (``done``
    when it worked, ``problem`` when not), and what its section shows again (its forms, with
    what was typed) when it did not."""

    code: int = 200
    done: object = None
    problem: object = None
    state: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StatusSection:
    """A later feature's part of a concern's status page: ``template`` is included below the
    status, with ``context(concern, state)``; ``actions`` are the buttons it posts, by name:
    each gets the concern and the posted fields, calls its domain, and says how it went (an
    Outcome). The status page looks up the code, checks the token and the rate limits, and
    commits what worked (agmtool.concerns.public.section_action)."""

    template: str
    context: Callable[[Concern, dict], dict]
    actions: dict[str, Callable[[Concern, MultiDict], Outcome]]


def add_section(app, name: str, section: StatusSection) -> None:
    """Register ``section`` (from a later feature's init_app)."""
    app.extensions.setdefault("agmtool.status_sections", {})[name] = section


def sections() -> dict[str, StatusSection]:
    return current_app.extensions.get("agmtool.status_sections", {})
