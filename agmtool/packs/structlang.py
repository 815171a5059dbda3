"""Each block's language in a tagged PDF's structure tree (WeasyPrint#2482), by a small patch.

WeasyPrint 70 writes the document's language into the catalog and nothing else, so a
screen reader reads a Spanish quote in an English voice. It builds the structure tree in
``weasyprint.pdf.tags._build_box_tree(box, ...)``, one call per box, recursively, each call
yielding the structure elements it made after those of the box's children; the box knows
its language (``box.style["lang"]``, inherited from the nearest ``lang`` attribute), but
the elements keep no link back to it.

``install()`` wraps that function, so the first call to yield an element, the one that
made it, records the element with its box's language. ``apply(pdf)``, run from the
render's finisher once the tree is built, writes ``/Lang`` on each element whose
language differs from its parent's, the document element inheriting the catalog's
``/Lang``. Elements the patch does not see (WeasyPrint's text leaves) inherit their
parent's language, which is theirs: a text box belongs to the box around it.

Matching elements to blocks afterwards with pikepdf was the other way: it must replay
WeasyPrint's box walk (anonymous boxes, blocks split over pages, lists re-parented) to pair
them, and goes wrong silently when WeasyPrint changes that walk. The patch only reads what
WeasyPrint hands it, and ``install()`` refuses any WeasyPrint but 70, where it was tested
(tests/test_pdf.py reads the tree back); with another version the PDF keeps the document
language alone, and a warning says so.
"""

from __future__ import annotations

import logging

import pydyf
import weasyprint
from weasyprint.pdf import tags

log = logging.getLogger(__name__)

TESTED_MAJOR = "70"
_original = tags._build_box_tree
_ATTR = "_agmtool_struct_langs"


def _build_box_tree(box, parent, pdf, *args):
    seen = pdf.__dict__.setdefault(_ATTR, {})
    for element in _original(box, parent, pdf, *args):
        if id(element) not in seen:
            real = getattr(box, "_box", box)  # AbsolutePlaceholder wraps its box
            seen[id(element)] = (element, real.style["lang"])
        yield element


def install() -> bool:
    """Wrap WeasyPrint's structure-tree builder once per process; False (with a warning)
    when this WeasyPrint is not the one the patch was tested with.

    Side effect: replaces ``weasyprint.pdf.tags._build_box_tree`` for every render in the
    process. The wrapper only records; the PDF changes in ``apply``.
    """
    if tags._build_box_tree is _build_box_tree:
        return True
    if weasyprint.__version__.split(".")[0] != TESTED_MAJOR:
        log.warning("WeasyPrint %s: PDF blocks keep the document language only",
                    weasyprint.__version__)
        return False
    tags._build_box_tree = _build_box_tree
    return True


def apply(pdf: pydyf.PDF) -> int:
    """Write ``/Lang`` on the structure elements whose language differs from their
    parent's; return how many. Side effect: changes ``pdf``'s structure elements and
    forgets what the wrapper recorded for it."""
    recorded = pdf.__dict__.pop(_ATTR, {})
    catalog_lang = pdf.catalog.get("Lang")
    document_lang = catalog_lang.string if isinstance(catalog_lang, pydyf.String) else ""
    effective: dict[bytes, str] = {}  # element reference -> its language
    written = 0
    # Parents are added to the PDF before their children, so object numbers order them.
    for element, lang in sorted(recorded.values(), key=lambda pair: pair[0].number):
        parent_lang = effective.get(element.get("P"), document_lang)
        lang = lang or parent_lang
        effective[element.reference] = lang
        if lang != parent_lang:
            element["Lang"] = pydyf.String(lang)
            written += 1
    return written
