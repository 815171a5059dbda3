"""The PDF pipeline (agmtool.packs.pdf): PDFs read back with poppler and pypdf."""

from __future__ import annotations

import base64
import re
import unicodedata
from datetime import UTC, datetime
from io import BytesIO

import pdf_helpers
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from weasyprint.urls import URLFetcher

from agmtool.packs import demo, filters, pdf

BUILT = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)
PACK = "pdf/demo_pack.html"
CARDS = "pdf/demo_cards.html"
# Every letter and mark beyond ASCII that the four languages and Wayuunaiki use.
SAMPLES = {
    "es": "Señor Muñoz: ¿aún hay pingüinos? ¡Sí! Árbol, camión, útil, Ñandú, «comillas».",
    "pt": "Não há razão: a conceição das mães, avô, pôr, órgão, CORAÇÃO, Ação.",
    "id": "Masyarakat adat “menolak” tambang — kata Pak Yosef, ‘sungai kami’…",
    "guc": "Wayuunaiki: süchiki, pütchipü'üi, alaülayuu, ïïsü, wayuuʼ, Jepira.",
}


def small_pack(**changes) -> dict:
    content = demo.pack_content(3)
    content.update(changes)
    return content


@pytest.fixture(scope="module")
def draft_pack() -> bytes:
    return pdf.render(PACK, small_pack(), draft=True, built_at=BUILT)


@pytest.fixture(scope="module")
def final_pack() -> bytes:
    return pdf.render(PACK, small_pack(), built_at=BUILT)


# --- the fetcher ------------------------------------------------------------------------

def test_fetcher_is_a_weasyprint_url_fetcher():
    assert isinstance(pdf.StaticFetcher(), URLFetcher)


def test_fetcher_serves_the_project_fonts():
    response = pdf.StaticFetcher().fetch(pdf.STATIC_BASE + "fonts/NotoSans-Regular.ttf")
    assert (response.read(4), response.content_type) == (b"\x00\x01\x00\x00", "font/ttf")


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file://" + str(pdf.STATIC_DIR / "pdf" / "pack.css"),
    "http://127.0.0.1:9/canary",
    "https://example.org/font.ttf",
    "ftp://example.org/x",
    pdf.STATIC_BASE + "%2e%2e/%2e%2e/setup.cfg",
    pdf.STATIC_BASE + "../../instance/secret_key",
    pdf.STATIC_BASE + "fonts/README.md",
    pdf.STATIC_BASE + "fonts/",
    "https://static.agmtool.invalid.example.org/pdf/pack.css",
    "data:text/css,body{color:red}",
    "data:text/html,<p>x</p>",
])
def test_fetcher_refuses_anything_but_static_files_and_images(url):
    with pytest.raises(pdf.FetchRefused):
        pdf.StaticFetcher().fetch(url)


def test_fetcher_serves_data_images():
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    assert pdf.StaticFetcher().fetch(url).read() == png


def test_fetcher_opens_no_connection():
    with pytest.raises(pdf.FetchRefused):
        pdf.StaticFetcher().open("http://127.0.0.1:9/")


# --- escaping and the text filters -------------------------------------------------------

def test_template_text_is_autoescaped():
    stamp = pdf.Stamp(BUILT, "0" * 64)
    html = pdf.render_html(PACK, small_pack(company='<img src="file:///etc/passwd">'),
                           stamp=stamp)
    assert ('&lt;img src=&#34;file:///etc/passwd&#34;&gt;' in html,
            '<img src="file:///etc/passwd">' in html) == (True, False)


def test_a_missing_field_is_an_error_not_a_blank():
    content = small_pack()
    del content["venue"]
    with pytest.raises(Exception, match="venue"):
        pdf.render_html(PACK, content, stamp=pdf.Stamp(BUILT, "0" * 64))


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
       st.integers(min_value=1, max_value=60))
def test_breakable_only_adds_zero_width_spaces(text, limit):
    out = filters.breakable(text, limit)
    assert out.replace(filters.ZWSP, "") == text.replace(filters.ZWSP, "")


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("M",)),
               max_size=400),
       st.integers(min_value=1, max_value=60))
def test_breakable_leaves_no_run_longer_than_the_limit(text, limit):
    out = filters.breakable(text, limit)
    runs = re.split("[" + re.escape("".join(filters._BREAKS)) + "]", out)
    # A run goes past the limit only by marks that must stay with the letter before them.
    assert [run for run in runs
            if len(run) - sum(map(filters._joins_previous, run)) > limit] == []


@given(st.text(alphabet=st.characters(exclude_characters=filters.ZWSP), max_size=400))
def test_breakable_never_splits_a_character(text):
    out = filters.breakable(text, 5)
    assert [filters._joins_previous(after) for before, after in zip(out, out[1:], strict=False)
            if before == filters.ZWSP] == [False] * out.count(filters.ZWSP)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_breakable_keeps_text_without_long_runs(text):
    short = " ".join(word[:40] for word in text.split())
    assert filters.breakable(short) == short


def test_breakable_breaks_a_long_word_every_forty_characters():
    assert filters.breakable("a" * 100) == "a" * 40 + "\u200b" + "a" * 40 + "\u200b" + "a" * 20


def test_breakable_refuses_markup():
    from markupsafe import Markup

    with pytest.raises(TypeError):
        filters.breakable(Markup("&amp;") * 20)


@given(st.text(max_size=300), st.integers(min_value=1, max_value=100))
def test_cap_is_never_longer_than_its_limit(text, limit):
    assert len(filters.cap(text, limit)) <= limit


def test_cap_marks_the_cut_with_an_ellipsis():
    assert filters.cap("word " * 10, 12) == "word word w…"


def test_cap_removes_control_and_bidi_characters():
    assert filters.cap("a\x00b\u202ec\x1bd") == "abcd"


@pytest.mark.parametrize(("value", "expected"), [
    ("es", "es"), ("pt-BR", "pt-BR"), ("pt_BR", "pt-BR"), ("guc", "guc"),
    ('en";color:red', "und"), ("", "und"), (None, "und"), ("e", "und"),
])
def test_lang_code_passes_only_plain_language_tags(value, expected):
    assert filters.lang_code(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("q-12", "q-12"), ("src-3", "src-3"),
    ('q" } @import url(http://127.0.0.1/x); {', "id-"), ("12", "id-"), ("", "id-"),
])
def test_anchor_passes_only_plain_identifiers(value, expected):
    assert filters.anchor(value)[:len(expected)] == expected


# --- what the PDF holds -----------------------------------------------------------------

def test_pages_count_themselves(final_pack, tmp_path):
    pages = len(PdfReader(BytesIO(final_pack)).pages)
    last = pdf_helpers.page_texts(final_pack, tmp_path)[-1]
    assert f"Page {pages} of {pages}" in last


def test_text_comes_in_reading_order(final_pack, tmp_path):
    text = pdf_helpers.flowing_text(final_pack, tmp_path)
    headings = ["Key facts", "Logistics", "The communities", "Questions, in running order",
                "QUESTION 1", "QUESTION 2", "QUESTION 3", "Last year's questions", "Sources"]
    position = text.index("Sources")  # the last line of the contents
    found = []
    for heading in headings:  # each after the one before
        position = text.find(heading, position + 1)
        found.append(position > 0)
    assert found == [True] * len(headings)


def test_every_section_and_question_has_one_bookmark(final_pack):
    content = small_pack()
    assert pdf_helpers.outline_titles(final_pack) == [
        "Contents", "Key facts", "Logistics", "The communities",
        *[c["name"] for c in content["communities"]],
        "Questions, in running order", *[q["title"] for q in content["questions"]],
        "Last year's questions", *[p["title"] for p in content["previous"]], "Sources",
    ]


def test_contents_give_each_question_its_page(final_pack, tmp_path):
    pages = pdf_helpers.page_texts(final_pack, tmp_path)
    contents = pages[1]
    for question in small_pack()["questions"]:
        listed = re.search(re.escape(question["title"]) + r"[ .]*(\d+)", contents)
        page = pages[int(listed.group(1)) - 1]
        assert question["title"] in page


def test_every_font_is_ours_and_embedded(final_pack, tmp_path):
    found = pdf_helpers.fonts(final_pack, tmp_path)
    assert {(re.sub("^[A-Z]{6}[+]", "", f["name"]), f["emb"]) for f in found} == {
        ("AGM-Sans", "yes"), ("AGM-Sans-Bold", "yes"), ("AGM-Serif-Italic", "yes")}


def test_non_ascii_letters_of_every_language_come_back_intact(tmp_path):
    content = demo.pack_content(len(SAMPLES))
    for question, (lang, sample) in zip(content["questions"], SAMPLES.items(), strict=True):
        question["original"] = {"lang": lang, "language": lang, "text": sample}
    text = pdf_helpers.flowing_text(pdf.render(PACK, content, built_at=BUILT), tmp_path)
    for sample in SAMPLES.values():
        for word in sample.split():
            if not word.isascii():
                assert unicodedata.normalize("NFC", word) in text


def test_draft_is_on_every_page_when_asked(draft_pack, tmp_path):
    assert [page.count("DRAFT") >= 1 for page in pdf_helpers.page_texts(draft_pack, tmp_path)] == [
        True] * len(PdfReader(BytesIO(draft_pack)).pages)


def test_draft_is_on_no_page_otherwise(final_pack, tmp_path):
    assert "DRAFT" not in "".join(pdf_helpers.page_texts(final_pack, tmp_path))


def test_version_stamp_is_on_every_page(final_pack, tmp_path):
    digest = pdf.input_hash(PACK, small_pack())
    stamp = f"Version {digest[:10]}, built 2025-05-01 09:30 UTC"
    assert all(stamp in page for page in pdf_helpers.page_texts(final_pack, tmp_path))


def test_version_stamp_is_in_the_metadata(final_pack):
    info = PdfReader(BytesIO(final_pack)).metadata
    digest = pdf.input_hash(PACK, small_pack())
    assert (info["/AgmtoolStamp"], info["/AgmtoolInputHash"], info["/CreationDate"]) == (
        f"2025-05-01 09:30 UTC {digest[:10]}", digest, "D:20250501093000Z")


def test_input_hash_changes_with_any_input():
    base = pdf.input_hash(PACK, small_pack())
    assert [base == other for other in (
        pdf.input_hash(PACK, small_pack()),
        pdf.input_hash(PACK, small_pack(venue="Elsewhere")),
        pdf.input_hash(PACK, small_pack(), draft=True),
        pdf.input_hash(PACK, small_pack(), language="es"),
        pdf.input_hash(PACK, small_pack(), pdf_ua=True),
        pdf.input_hash(CARDS, small_pack()),
    )] == [True, False, False, False, False, False]


def test_pack_is_tagged_in_english(final_pack):
    root = PdfReader(BytesIO(final_pack)).trailer["/Root"]
    assert (root["/MarkInfo"]["/Marked"], root["/Lang"]) == (True, "en")


def test_pdf_ua_is_an_option(tmp_path):
    data = pdf.render(CARDS, demo.card_content(1), pdf_ua=True, built_at=BUILT)
    xmp = PdfReader(BytesIO(data)).xmp_metadata
    descriptions = xmp.rdf_root.getElementsByTagName("rdf:Description")
    assert [d.getAttribute("pdfuaid:part") for d in descriptions
            if d.hasAttribute("pdfuaid:part")] == ["1"]


def test_cards_are_a5_landscape_one_question_a_page(tmp_path):
    data = pdf.render(CARDS, demo.card_content(3), built_at=BUILT)
    reader = PdfReader(BytesIO(data))
    sizes = {(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages}
    assert (len(reader.pages), sizes) == (3, {(595, 420)})


def test_cards_put_the_original_beside_the_english(tmp_path):
    data = pdf.render(CARDS, demo.card_content(1), built_at=BUILT)
    first = pdf_helpers.page_texts(data, tmp_path)[0]
    assert "Antes el arroyo" in first and "Will the board commit" in first


def test_spanish_labels_when_rendered_in_spanish(tmp_path):
    data = pdf.render(CARDS, demo.card_content(1), language="es", built_at=BUILT)
    assert "Página 1 de 1" in pdf_helpers.page_texts(data, tmp_path)[0]


# --- languages in the structure tree -----------------------------------------------------

def _tagged(body: str) -> bytes:
    html = f"<!doctype html><html lang=en><head><title>t</title></head><body>{body}</body></html>"
    return pdf.write_pdf(html, stamp=pdf.Stamp(BUILT, "0" * 64))


def test_each_block_carries_its_language_in_the_structure_tree():
    data = _tagged("<p>English</p><p lang=es>Español</p>"
                   "<div lang=pt><p>Português</p><p lang=id>Bahasa Indonesia</p></div>"
                   "<p>English again</p>")
    assert pdf_helpers.structure(data) == [("P", None), ("P", "es"), ("Div", "pt"), ("P", None),
                               ("P", "id"), ("P", None)]


def test_a_block_split_over_two_pages_keeps_its_language_on_both():
    data = _tagged("<p style='height: 250mm'>English</p>"
                   "<p lang=es style='font-size: 40pt'>" + "palabra " * 60 + "</p>")
    assert pdf_helpers.structure(data) == [("P", None), ("P", "es"), ("P", "es")]


def test_the_pack_tags_each_original_quote_with_its_language(final_pack):
    langs = [lang for _role, lang in pdf_helpers.structure(final_pack) if lang]
    quotes = [q["original"]["lang"] for q in small_pack()["questions"]]
    # Each quote is a figure in its language whose caption is in English again.
    assert langs == [code for lang in quotes for code in (lang, "en")]


# --- hostile input ----------------------------------------------------------------------

def _every_field(content, text: str):
    if isinstance(content, dict):
        return {key: text if key not in {"id", "lang", "sources"} and isinstance(value, str)
                else _every_field(value, text) for key, value in content.items()}
    if isinstance(content, list):
        return [_every_field(item, text) for item in content]
    return content


def test_hostile_text_in_every_field_fetches_nothing_and_attaches_nothing(tmp_path):
    with pdf_helpers.Canary() as canary:
        texts = pdf_helpers.hostile_texts(canary.url)
        data = pdf.render(PACK, _every_field(small_pack(), " ".join(texts)), built_at=BUILT)
        assert (canary.requests, pdf_helpers.attachments(data, tmp_path)) == (
            [], "0 embedded files")


def test_hostile_text_is_printed_as_text(tmp_path):
    text = '<img src="file:///etc/passwd">'
    data = pdf.render(CARDS, _every_field(demo.card_content(1), text), built_at=BUILT)
    assert text in pdf_helpers.flowing_text(data, tmp_path)


def test_a_hostile_template_still_fetches_nothing_outside_static(tmp_path):
    with pdf_helpers.Canary() as canary:
        url = canary.url
        body = (f'<img src="file:///etc/passwd"><img src="{url}/img">'
                f'<link rel=stylesheet href="{url}/sheet.css">'
                f'<style>@import url({url}/import); p {{ background: url({url}/bg) }}</style>'
                f'<p style="background: url({url}/inline)">x</p>'
                f'<iframe src="{url}/frame"></iframe><object data="{url}/object"></object>'
                f'<img src="data:text/html,<b>x</b>">')
        data = _tagged(body)
        assert (canary.requests, "root:" in pdf_helpers.flowing_text(data, tmp_path)) == ([], False)


def test_attachment_links_attach_nothing_even_to_static_files(tmp_path):
    data = _tagged('<link rel="attachment" href="pdf/pack.css" title="css">'
                   '<a rel="attachment" href="fonts/NotoSans-Regular.ttf">font</a>'
                   '<a rel="nofollow ATTACHMENT" href="pdf/fonts.css">fonts</a>')
    assert pdf_helpers.attachments(data, tmp_path) == "0 embedded files"
