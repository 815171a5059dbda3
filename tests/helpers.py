"""What tests share besides fixtures: the test configuration, the password every test
account has, readers of what a person sees (screenshots, a page's history list), a browser
logged in as someone, and the count of a page's SQL statements."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"


def base_config(database_url: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "CACHE_TYPE": "SimpleCache",
        **overrides,
    }


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def screenshot(page, name: str) -> Path:
    """Keep a full-page screenshot in test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def history_lines(html: str, when: bool = False) -> list[str]:
    """A page's history list as text, an entry a line: '[day[, time UTC]: ]Action (who) |
    Label: old → new | ...', to assert on what a reader sees."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.depth, self.lines = 0, []

        def handle_starttag(self, tag, attrs):
            if tag == "ul" and (self.depth or ("class", "history") in attrs):
                self.depth += 1
            elif tag == "li" and self.depth == 1:
                self.lines.append("")
            elif tag == "li" and self.depth == 2:
                self.lines[-1] += " | "

        def handle_endtag(self, tag):
            if tag == "ul" and self.depth:
                self.depth -= 1

        def handle_data(self, data):
            if self.depth and self.lines:
                self.lines[-1] += data

    reader = Reader()
    reader.feed(html)
    lines = [" ".join(line.split()) for line in reader.lines]
    return lines if when else [line.split(": ", 1)[1] for line in lines]


def context_for(browser, app, live_server, log_in=None, user=None, lang="en", width=1200):
    """A browser context without JavaScript, logged in as ``user`` (when given) in ``lang``,
    and its first page."""
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  java_script_enabled=False, locale="en-GB")
    if user is not None:
        client = app.test_client()
        log_in(client, user)
        client.get(f"/language/{lang}?next=/staff/")
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server}])
    return context, context.new_page()


def statements(client, db, url: str):
    """How many SQL statements a GET of ``url`` runs, and the response (which must be a 200)."""
    from sqlalchemy import event

    count = 0

    def counter(*_args):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    assert response.status_code == 200
    return count, response
