"""Absolute links for things read away from the site: feeds, PDFs, handed-over reset links."""

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    """``url_for`` made absolute with AGMTOOL_BASE_URL when set, else with the request's host."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
