"""A meeting's proxy and record deadlines, counted back from its start in working hours.

UK law (Companies Act 2006 s.327, the Uncertificated Securities Regulations 2001 reg.41)
lets a company set them no earlier than 48 hours before the meeting, "no account being
taken of any part of a day that is not a working day": weekends and the bank holidays of
the place. The place is read from the meeting's timezone (zone.tab of tzdata), and its
holidays from the ``holidays`` library; where staff entered the company's published
deadline, that one wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources

import holidays

from agmtool.models import AGM

HOURS = 48
# The subdivision whose bank holidays count, where a zone names it (England's for London;
# the Australian states of their capitals).
SUBDIVISIONS = {
    "Europe/London": "ENG",
    "Europe/Belfast": "NIR",
    "Australia/Perth": "WA",
    "Australia/Melbourne": "VIC",
    "Australia/Sydney": "NSW",
    "Australia/Brisbane": "QLD",
    "Australia/Adelaide": "SA",
    "Australia/Hobart": "TAS",
    "Australia/Darwin": "NT",
}


@cache
def _zone_countries() -> dict[str, str]:
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone, *_ = line.split("\t")
            found[zone] = country
    return found


def place(timezone: str) -> tuple[str | None, str | None]:
    """The country (ISO 3166 code) and subdivision whose holidays count for a meeting held
    in ``timezone``; (None, None) where the zone names no country."""
    country = _zone_countries().get(timezone)
    if country == "GB" or timezone == "Europe/London":
        return "GB", SUBDIVISIONS.get(timezone, "ENG")
    return country, SUBDIVISIONS.get(timezone) if country else None


@cache
def _holidays(country: str | None, subdivision: str | None, year: int):
    if country is None:
        return {}
    try:
        return holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError:  # a country the library does not know: weekends only
        return {}


def working_day(day: date, timezone: str) -> bool:
    country, subdivision = place(timezone)
    return day.weekday() < 5 and day not in _holidays(country, subdivision, day.year)


def working_hours_before(start: datetime, hours: int, timezone: str) -> datetime:
    """The local time ``hours`` working hours before ``start`` (a naive local time in
    ``timezone``): only the hours of working days count."""
    left = timedelta(hours=hours)
    day = start.date()
    available = start - datetime.combine(day, time())
    while True:
        if working_day(day, timezone):
            if available >= left:
                return datetime.combine(day, time()) + available - left
            left -= available
        day -= timedelta(days=1)
        available = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """One deadline of a meeting: its local time, and whether the company published it
    (else it is computed). ``at`` is None while the meeting's time is not known."""

    at: datetime | None
    published: bool


def computed(agm: AGM) -> datetime | None:
    """48 working hours before the meeting's start; None while its time is not known."""
    if agm.local_time is None:
        return None
    return working_hours_before(datetime.combine(agm.local_date, agm.local_time), HOURS,
                                agm.timezone)


def proxy_deadline(agm: AGM) -> Deadline:
    if agm.proxy_deadline is not None:
        return Deadline(agm.proxy_deadline, True)
    return Deadline(computed(agm), False)


def record_deadline(agm: AGM) -> Deadline:
    """When a shareholder must be on the register to attend and vote (the company's
    registration deadline, where staff entered it)."""
    if agm.registration_deadline is not None:
        return Deadline(agm.registration_deadline, True)
    return Deadline(computed(agm), False)
