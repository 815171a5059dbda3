"""The one way every workflow refuses a step its table does not allow: each workflow (a
concern's triage, a meeting's status, a question's way to the AGM) keeps its moves in one
``TRANSITIONS`` dict and checks them here."""

from __future__ import annotations

from enum import Enum


class TransitionNotAllowed(ValueError):
    """``record`` cannot go from ``status`` to ``to``: nothing was changed."""

    def __init__(self, record, status: Enum, to: Enum):
        name = getattr(record, "__tablename__", type(record).__name__)
        super().__init__(f"{name} {getattr(record, 'id', '?')}: {status} -> {to} is not allowed")
        self.record, self.status, self.to = record, status, to


def check(transitions: dict, record, status: Enum, to: Enum) -> None:
    """Raise TransitionNotAllowed unless ``transitions`` lets ``status`` become ``to``."""
    if to not in transitions.get(status, ()):
        raise TransitionNotAllowed(record, status, to)
