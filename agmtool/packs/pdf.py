"""HTML to PDF with WeasyPrint: a Jinja template and a dict of approved content become bytes.

Everything a template can load comes from ``agmtool/static`` through ``StaticFetcher``
(fonts, the print stylesheet, images), under the made-up origin ``STATIC_BASE``, so a
relative URL in a template never reveals where the project lives on disk and nothing
reaches the network or the rest of the file system. Every ``{{ }}`` is autoescaped; the
filters in ``filters.py`` cap fields, add break opportunities to long runs and check
language tags. Tagged PDF by default, PDF/UA-1 on request, each block's language in the
structure tree (``structlang.py``), a version stamp on every page and in the metadata.

Side effects of rendering: the first render in a thread parses the stylesheets and loads
the fonts into a per-thread cache (WeasyPrint writes the fonts to a temporary folder,
removed with the cache); the first render in a process installs the structure-tree patch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import cache, lru_cache
from pathlib import Path
from urllib import request
from urllib.parse import unquote, urlsplit

import jinja2
import pydyf
import weasyprint
from babel.support import Translations
from markupsafe import Markup
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from agmtool.config import ROOT
from agmtool.packs import structlang
from agmtool.packs.filters import FILTERS, lang_code

log = logging.getLogger(__name__)

STATIC_DIR = ROOT / "agmtool" / "static"
TEMPLATE_DIR = ROOT / "templates"
# The made-up origin templates load static files from; .invalid never resolves.
STATIC_BASE = "https://static.agmtool.invalid/"
STATIC_TYPES = {
    ".css": "text/css", ".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff",
    ".woff2": "font/woff2", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml",
}
DATA_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/svg+xml"}
DATA_URL_MAX_BYTES = 2 * 1024 * 1024
# Files whose content goes into every input hash: a new template, stylesheet, font, label
# translation or filter makes every document anew. Only sources, never compiled files,
# so that every process of a deployment computes the same hash.
PIPELINE_FILES = (TEMPLATE_DIR / "pdf", STATIC_DIR / "pdf", STATIC_DIR / "fonts",
                  Path(__file__).parent, ROOT / "translations")
PIPELINE_SUFFIXES = {".html", ".css", ".ttf", ".py", ".po"}
SHORT_HASH = 10
PDF_UA = "pdf/ua-1"
# Linked from templates/pdf/base.html; write_pdf passes them parsed (_shared_stylesheets).
STYLESHEETS = ("pdf/fonts.css", "pdf/pack.css")
_thread = threading.local()


class FetchRefused(ValueError):
    """A document asked for something other than the project's own static files."""


class StaticFetcher(URLFetcher):
    """Serves ``agmtool/static`` under ``STATIC_BASE`` and image ``data:`` URLs; refuses
    everything else (``file:``, ``http(s):`` elsewhere, other ``data:``), never opens a
    connection, so never follows a redirect.

    WeasyPrint catches the refusal, logs it and leaves the resource out: a template
    mistake shows as a missing image or font, never as a leak.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith(STATIC_BASE):
            return self._static(url)
        if url[:5].lower() == "data:":
            return self._data_image(url)
        raise FetchRefused(f"not a static file of the project ({url.split(':')[0]}:)")

    def open(self, *args, **kwargs):  # urllib's entry point: never used by our fetches
        raise FetchRefused("the PDF fetcher opens no connections")

    def _static(self, url: str) -> URLFetcherResponse:
        path = _static_path(unquote(urlsplit(url).path))
        if path is None:
            raise FetchRefused("not a static file of the project")
        return URLFetcherResponse(
            url, _read_static(path), {"Content-Type": STATIC_TYPES[path.suffix.lower()]})

    def _data_image(self, url: str) -> URLFetcherResponse:
        if len(url) > DATA_URL_MAX_BYTES * 4 // 3 + 100:
            raise FetchRefused("data: URL too large")
        # Only data: URLs reach this line, and DataHandler opens nothing else.
        response = request.DataHandler().data_open(request.Request(url))  # noqa: S310
        content_type = response.headers.get_content_type()
        if content_type not in DATA_IMAGE_TYPES:
            raise FetchRefused("data: URLs are for images only")
        return URLFetcherResponse(
            "data:", response.read(), {"Content-Type": content_type})


def _static_path(url_path: str) -> Path | None:
    """The file under STATIC_DIR that ``url_path`` names, or None when it names anything
    else (``..``, a link out of the folder, a folder, an unknown type)."""
    root = STATIC_DIR.resolve()
    path = (root / url_path.lstrip("/")).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path if path.suffix.lower() in STATIC_TYPES else None


@lru_cache(maxsize=64)
def _read_static(path: Path) -> bytes:
    # Fonts and the stylesheet are read once per process, not once per render.
    return path.read_bytes()


@dataclass(frozen=True)
class Stamp:
    """When a document was built and a short hash of its inputs: printed in every page's
    footer and stored in the PDF's metadata, so whoever holds a printout can check it
    against the builds listed in the tool."""

    built_at: datetime
    digest: str

    @property
    def short(self) -> str:
        return self.digest[:SHORT_HASH]

    @property
    def built_iso(self) -> str:
        return self.built_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def built_label(self) -> str:
        return self.built_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

    def __str__(self) -> str:
        return f"{self.built_label} {self.short}"


def _jsonable(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} cannot be part of a PDF's inputs")


@cache
def pipeline_version() -> str:
    """A hash of WeasyPrint's version and of the files in ``PIPELINE_FILES``, so a
    deployment that changes how documents look never serves a PDF cached before it."""
    digest = hashlib.sha256(f"weasyprint {weasyprint.__version__}".encode())
    for folder in PIPELINE_FILES:
        for path in sorted(folder.rglob("*")):
            if path.suffix in PIPELINE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def input_hash(template: str, content: dict, *, language: str = "en", draft: bool = False,
               pdf_ua: bool = False) -> str:
    """The SHA-256 (hex) of everything a document is made of: template, content, options
    and ``pipeline_version()``. Two requests for the same document get the same hash, so
    it keys the cache, and a changed input changes it. ``content`` must be JSON-like
    (dates, enums and decimals are allowed)."""
    payload = {"template": template, "content": content, "language": language,
               "draft": draft, "pdf_ua": pdf_ua, "pipeline": pipeline_version()}
    text = json.dumps(payload, sort_keys=True, default=_jsonable, ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def environment(language: str) -> jinja2.Environment:
    """The Jinja environment for PDFs in ``language``: autoescape everywhere, undefined
    names are errors (a missing field must not print as blank), gettext from the
    project's catalogues, the filters of ``filters.py``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    translations = Translations.load(str(ROOT / "translations"), [language])
    env.install_gettext_translations(translations, newstyle=True)
    env.filters.update(FILTERS)
    # Filled in by pack.css (counter(page), counter(pages)) in the running footer.
    env.globals["page_number"] = Markup('<span class="page-number"></span>')
    env.globals["page_total"] = Markup('<span class="page-total"></span>')
    return env


def render_html(template: str, content: dict, *, language: str = "en",
                draft: bool = False, stamp: Stamp) -> str:
    """The template rendered to HTML. ``content`` is spread into the template's context;
    ``pdf`` is reserved for the document's own facts (language, draft, stamp)."""
    if "pdf" in content:
        raise ValueError("'pdf' is reserved in a PDF template's context")
    lang = lang_code(language, "en")
    facts = {"lang": lang, "draft": draft, "stamp": stamp}
    return environment(lang).get_template(template).render(content, pdf=facts)


def _shared_stylesheets() -> tuple[list[weasyprint.CSS], FontConfiguration]:
    """The project's stylesheets parsed once per thread, with the fonts they load.

    Parsing them and loading their seven fonts is two thirds of a card's render; a
    ``FontConfiguration`` is not safe to share between threads, so each thread (a
    worker process has one) keeps its own.
    """
    if not hasattr(_thread, "stylesheets"):
        fonts, fetcher = FontConfiguration(), StaticFetcher()
        _thread.stylesheets = ([weasyprint.CSS(url=STATIC_BASE + name, url_fetcher=fetcher,
                                               font_config=fonts) for name in STYLESHEETS],
                               fonts)
    return _thread.stylesheets


def _prepare(html: weasyprint.HTML) -> None:
    """Drop ``rel=attachment`` from every link (WeasyPrint would embed the linked file)
    and the links to the project's own stylesheets (``write_pdf`` passes them parsed).
    Side effect: changes the parsed document in place."""
    for element in list(html.etree_element.iter()):
        rel = (element.get("rel") or "").lower().split()
        if "attachment" in rel:
            del element.attrib["rel"]
        elif "stylesheet" in rel and element.get("href") in STYLESHEETS:
            element.attrib.pop("rel")


def _finisher(stamp: Stamp):
    def finish(document, pdf: pydyf.PDF) -> None:
        pdf.info["AgmtoolStamp"] = pydyf.String(str(stamp))
        pdf.info["AgmtoolInputHash"] = pydyf.String(stamp.digest)
        if "StructTreeRoot" in pdf.catalog:
            structlang.apply(pdf)
        names = pdf.catalog.get("Names")
        if names is not None and names.pop("EmbeddedFiles", None) is not None:
            log.warning("a PDF asked for an attachment; it was left out")
    return finish


def write_pdf(html_text: str, *, pdf_ua: bool = False, stamp: Stamp) -> bytes:
    """HTML (from ``render_html``) to PDF bytes: tagged, PDF/UA-1 when ``pdf_ua``,
    fetching through ``StaticFetcher`` only, attachments never."""
    structlang.install()
    html = weasyprint.HTML(string=html_text, base_url=STATIC_BASE,
                           url_fetcher=StaticFetcher())
    _prepare(html)
    stylesheets, fonts = _shared_stylesheets()
    options = {"pdf_tags": True, "attachments": None, "stylesheets": stylesheets}
    if pdf_ua:
        options["pdf_variant"] = PDF_UA
    return html.write_pdf(finisher=_finisher(stamp), font_config=fonts, **options)


def render(template: str, content: dict, *, language: str = "en", draft: bool = False,
           pdf_ua: bool = False, built_at: datetime | None = None,
           digest: str | None = None) -> bytes:
    """A PDF of ``template`` filled with ``content``, in ``language``.

    ``draft`` puts DRAFT on every page; ``pdf_ua`` makes it PDF/UA-1 (it is tagged
    anyway). The stamp is ``built_at`` (now when not given) and ``digest`` (the
    ``input_hash`` when not given). Runs in the calling process: views go through
    ``worker.py``, which calls this in a warm worker with a time and a memory limit.
    """
    if digest is None:
        digest = input_hash(template, content, language=language, draft=draft,
                            pdf_ua=pdf_ua)
    stamp = Stamp(built_at or datetime.now(UTC), digest)
    html_text = render_html(template, content, language=language, draft=draft,
                            stamp=stamp)
    return write_pdf(html_text, pdf_ua=pdf_ua, stamp=stamp)
