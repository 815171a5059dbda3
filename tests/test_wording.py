"""Wording read by native speakers (issue 9, item 24): each line here was once read wrong."""

import re
from datetime import datetime

import pytest

from agmtool.models import AGMStatus, MeetingFormat, Role


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_spanish_home_page_says_accionistas_once_a_sentence(client):
    page = words(client.get("/es/").text)
    sentence = re.search(r"Cada año[^.]*\.", page).group(0)
    assert sentence.count("accionistas") == 1


def test_spanish_says_fecha_aun_sin_anunciar_on_the_page_and_in_the_feed(client, make_agm):
    make_agm(status=AGMStatus.EXPECTED, local_time=None)
    page = client.get("/es/agms/").text
    feed = client.get("/calendar.ics?lang=es").data.decode()
    assert "aún sin anunciar" in page and "aún sin anunciar" in feed.replace("\r\n ", "")
    assert "no anunciada" not in page + feed


def test_spanish_proxy_deadline_reads_naturally(client, make_agm):
    agm = make_agm(timezone="Europe/London", proxy_deadline=datetime(2027, 5, 24, 11, 0))
    page = client.get(f"/es/agms/{agm.id}").text
    assert "Entrega de poderes" in page and "Otorgamiento" not in page


@pytest.mark.parametrize("lang, said", [("pt", "Formato: Híbrido"), ("es", "Modalidad: Híbrida")])
def test_a_hybrid_format_agrees_with_formato(client, make_agm, lang, said):
    make_agm(format=MeetingFormat.HYBRID)
    feed = client.get(f"/calendar.ics?lang={lang}").data.decode().replace("\r\n ", "")
    assert said in feed


def test_indonesian_receipt_and_rups_tahunan(client):
    with open("translations/id/LC_MESSAGES/messages.po", encoding="utf-8") as po:
        catalogue = po.read()
    assert "fotolah" not in catalogue and "ambil fotonya" in catalogue
    assert "RUPS tahunan" not in catalogue


def test_staff_pages_name_a_language_in_the_readers_language(client, make_user, log_in,
                                                             make_concern):
    concern = make_concern(language="es", reply_language="pt", body="el agua")
    log_in(client, make_user(role=Role.STAFF))
    client.get("/language/id?next=/staff/")
    html = client.get(f"/staff/concerns/{concern.id}").text
    html = re.sub(r'<nav class="languages".*?</nav>', "", html, flags=re.S)  # the menu
    page = words(html)
    assert "Asli (Spanyol)" in page
    assert "Español" not in page and "Português" not in page
