"""Companies, their listings and their sites: checked, saved with a stale-edit check, and
a change of name or listings passed on to every meeting's calendar entry."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from agmtool import history
from agmtool.extensions import db
from agmtool.i18n import format_number
from agmtool.meetings.agms import (
    Invalid,
    calendar_touch,
    claim_version,
    plain_text,
)
from agmtool.models import AGM, Company, Concern, Listing, Site, User
from agmtool.text import is_web_link

# How a company's history reads (registered by agmtool.meetings.init_app).
HISTORY = history.Labels(fields={
    "name": _l("Name"),
    "slug": _l("Short name for links"),
    "website": _l("Website"),
    "listings": _l("Listings"),
    "sites": _l("Sites (mines and projects)"),
    "notes": _l("Private notes (staff only, never published)"),
})

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _length(column) -> int:
    return column.property.columns[0].type.length


# Each part of a line, as long as its column takes, and what is said when it is longer.
LISTING_PARTS = (
    (_length(Listing.entity_name),
     _l("Line %(number)s: an entity name takes at most %(max)s characters.")),
    (_length(Listing.exchange),
     _l("Line %(number)s: an exchange takes at most %(max)s characters.")),
    (_length(Listing.ticker), _l("Line %(number)s: a ticker takes at most %(max)s characters.")),
)
SITE_PARTS = (
    (_length(Site.name), _l("Line %(number)s: a site's name takes at most %(max)s characters.")),
    (_length(Site.country), None),  # checked as a two-letter code
    (_length(Site.region), _l("Line %(number)s: a region takes at most %(max)s characters.")),
)


def _too_long(number: int, parts: list[str], caps) -> list:
    """Problems for the parts longer than their column: refused, never cut."""
    return [str(message) % {"number": number, "max": format_number(cap)}
            for part, (cap, message) in zip(parts, caps, strict=False)
            if message is not None and len(part) > cap]


def parse_listings(text: str) -> tuple[list[tuple[str, str, str]], list]:
    """'Entity name; EXCHANGE; TICKER' per line -> tuples, and translated problems."""
    rows, problems = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) != 3 or not all(parts):
            problems.append(_l("Line %(number)s: write 'Entity name; exchange; ticker'.",
                               number=number))
            continue
        too_long = _too_long(number, parts, LISTING_PARTS)
        if too_long:
            problems.extend(too_long)
            continue
        rows.append((parts[0], parts[1], parts[2]))
    return rows, problems


def parse_sites(text: str) -> tuple[list[tuple[str, str, str | None]], list]:
    """'Site name; country code; region' per line (region optional)."""
    rows, problems = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) not in (2, 3) or not parts[0] or not re.fullmatch(r"[A-Za-z]{2}",
                                                                         parts[1]):
            problems.append(_l("Line %(number)s: write 'Site name; two-letter country code; "
                               "region'.", number=number))
            continue
        too_long = _too_long(number, parts, SITE_PARTS)
        if too_long:
            problems.extend(too_long)
            continue
        rows.append((parts[0], parts[1].upper(), (parts[2] if len(parts) == 3 else "") or None))
    return rows, problems


def check_company(values: dict, company: Company | None) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not values.get("name"):
        _add(errors, "name", _l("Enter the company's name."))
    slug = values.get("slug") or ""
    if not SLUG_PATTERN.match(slug):
        _add(errors, "slug", _l("Use lower-case letters, digits and hyphens, like rio-tinto."))
    else:
        other = db.session.scalar(sa.select(Company).where(Company.slug == slug))
        if other is not None and other is not company:
            _add(errors, "slug", _l("Another company already has this short name."))
    website = values.get("website")
    if website and not is_web_link(website):
        _add(errors, "website", _l("Enter a link starting with https://."))
    return errors


def save_company(company: Company | None, user: User | None, values: dict,
                 listings: list[tuple[str, str, str]], sites: list[tuple[str, str, str | None]],
                 seen_version: int | None = None) -> Company:
    """Create or update a company, its listings and its sites.

    The slug is set when the company is created and never changes (a given one is ignored).
    Listings and sites are matched by name: new ones are added, changed ones updated, and
    missing ones removed unless a meeting or a concern still refers to them (Invalid).
    Side effects: bumps ``version`` (StaleEdit when someone saved first); a change of name
    or listing bumps the sequence of the company's meetings, whose titles show it; records
    history; flushes.
    """
    # Name, slug and website are one line each (a company feed is named after the company).
    values = {key: " ".join(plain_text(values.get(key)).split()) or None
              for key in ("name", "slug", "website")} | {
        "notes": plain_text(values.get("notes")).strip() or None}
    if company is not None:
        # Fixed after creation: /calendar/<slug>.ics subscriptions depend on it.
        values["slug"] = company.slug
    listings = [tuple(plain_text(part).strip() for part in row) for row in listings]
    sites = [tuple(plain_text(part).strip() or None for part in row) for row in sites]
    errors = check_company(values, company)
    if errors:
        raise Invalid(errors)
    created = company is None
    if created:
        company = Company(version=1)
        db.session.add(company)
    else:
        claim_version(company, seen_version)
    changes = history.apply_changes(company, values)
    db.session.flush()
    listing_changes = _sync_listings(company, listings)
    site_changes = _sync_sites(company, sites)
    if listing_changes:
        changes["listings"] = listing_changes
    if site_changes:
        changes["sites"] = site_changes
    if not created and ("name" in changes or "listings" in changes):
        for agm in company.agms:
            calendar_touch(agm, {"company_id": None})
            history.record(agm, user, "company_changed", {"company": [None, company.name]})
    history.record(company, user, "created" if created else "updated", changes)
    db.session.flush()
    return company


def _sync_listings(company: Company, rows) -> list:
    by_name = {listing.entity_name: listing for listing in company.listings}
    wanted = {name for name, _x, _t in rows}
    before = sorted(f"{listing.entity_name}; {listing.exchange}; {listing.ticker}"
                    for listing in company.listings)
    for name, exchange, ticker in rows:
        listing = by_name.get(name)
        if listing is None:
            company.listings.append(Listing(entity_name=name, exchange=exchange, ticker=ticker))
        else:
            listing.exchange, listing.ticker = exchange, ticker
    for name, listing in by_name.items():
        if name not in wanted:
            used = db.session.scalar(sa.select(sa.func.count()).select_from(AGM)
                                     .where(AGM.listing_id == listing.id))
            if used:
                raise Invalid({"listings": [_l(
                    "%(name)s holds meetings, so it cannot be removed.", name=name)]})
            company.listings.remove(listing)
    after = sorted(f"{n}; {x}; {t}" for n, x, t in rows)
    return [before, after] if before != after else []


def _sync_sites(company: Company, rows) -> list:
    by_name = {site.name: site for site in company.sites}
    wanted = {name for name, _c, _r in rows}
    before = sorted(f"{s.name}; {s.country}; {s.region or ''}" for s in company.sites)
    for name, country, region in rows:
        site = by_name.get(name)
        if site is None:
            db.session.add(Site(company=company, name=name, country=country, region=region))
        else:
            site.country, site.region = country, region
    for name, site in by_name.items():
        if name not in wanted:
            used = db.session.scalar(sa.select(sa.func.count()).select_from(Concern)
                                     .where(Concern.site_id == site.id))
            if used:
                raise Invalid({"sites": [_l(
                    "Concerns refer to %(name)s, so it cannot be removed.", name=name)]})
            db.session.delete(site)
    after = sorted(f"{n}; {c}; {r or ''}" for n, c, r in rows)
    return [before, after] if before != after else []
