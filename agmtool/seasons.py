"""AGM seasons: a year of meetings from a configurable month (SEASON_START_MONTH, July by
default), named by its two years ("2026–27"), so that a concern sent in November 2026 and
the London AGMs of spring 2027 fall in one season.

A season is known by the year it begins in (an int, as it travels in a URL: ``season=2026``).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app


def start_month() -> int:
    """The month seasons begin in, 1 to 12 (1: a season is a calendar year)."""
    month = int(current_app.config.get("SEASON_START_MONTH", 7))
    return month if 1 <= month <= 12 else 7


def of(day: date) -> int:
    """The season ``day`` falls in (the year it began)."""
    return day.year if day.month >= start_month() else day.year - 1


def bounds(season: int) -> tuple[date, date]:
    """The first and the last day of ``season``."""
    first = date(season, start_month(), 1)
    return first, date(season + 1, start_month(), 1) - timedelta(days=1)


def name(season: int) -> str:
    """How a season reads: "2026–27", or "2026" where seasons are calendar years."""
    if start_month() == 1:
        return str(season)
    return f"{season}–{(season + 1) % 100:02d}"


def between(first: date, last: date) -> list[int]:
    """The seasons from the one of ``last`` back to the one of ``first``, newest first."""
    return list(range(of(last), of(first) - 1, -1))


def parse(value: str | None) -> int | None:
    """A season from a URL: its first year ("2026"), else None."""
    value = (value or "").strip()
    if value.isdigit() and 1900 < int(value) < 3000:
        return int(value)
    return None


def init_app(app) -> None:
    """Templates name seasons with ``season_name``."""
    app.jinja_env.globals.update(season_name=name)
