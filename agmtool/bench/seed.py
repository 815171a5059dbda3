"""The bench's data: 20 companies, 1,000 meetings with their deadlines, and 20,000 concerns
in four languages, most with an English translation, written into an emptied database."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import text

from agmtool.extensions import db
from agmtool.models import (
    Attribution,
    Channel,
    Concern,
    ConcernStatus,
    ConcernTopic,
    MeetingFormat,
    Topic,
    Translation,
    TranslationState,
)
from agmtool.text import folded

COMPANIES = 20
MEETINGS = 1000
CONCERNS = 20_000
ZONES = ["Europe/London", "Europe/Zurich", "Australia/Perth", "Australia/Melbourne",
         "Australia/Adelaide", "Africa/Johannesburg", "America/Toronto", "America/Bogota"]

# What communities write, in their languages; sentences are combined so texts differ.
SENTENCES = {
    "es": ["El río está turbio desde que abrieron el nuevo tajo.",
           "Los niños tienen manchas en la piel después de bañarse en la quebrada.",
           "La empresa no ha consultado a la comunidad sobre la ampliación de la mina.",
           "Las volquetas pasan de noche y las casas se agrietan.",
           "Perdimos los cultivos de yuca y plátano por el polvo."],
    "pt": ["A lama da barragem ainda cobre as nossas roças.",
           "A água do poço ficou com gosto de ferro depois da última chuva.",
           "Ninguém da empresa veio explicar o plano de evacuação.",
           "As sirenes de emergência foram testadas sem aviso e as crianças se assustaram.",
           "A indenização prometida em 2019 nunca chegou às famílias da beira do rio."],
    "id": ["Sungai kami berubah warna sejak tailing dibuang ke hulu.",
           "Tanah adat kami dipakai tanpa persetujuan masyarakat.",
           "Aparat keamanan perusahaan mengusir warga dari kebun sagu.",
           "Ikan di muara mati dan nelayan tidak bisa melaut.",
           "Jalan tambang memotong jalur anak-anak ke sekolah."],
    "en": ["Dust from the haul road settles on the village every dry season.",
           "The company has not published the closure plan it promised.",
           "Workers on the night shift are paid less than the legal minimum.",
           "Boreholes near the tailings facility have run dry.",
           "The resettlement houses crack and leak when it rains."],
}
WANTED = {
    "es": "Que la empresa diga cuándo va a limpiar el río y quién va a pagar.",
    "pt": "Que a empresa diga quando vai pagar a indenização e a quem.",
    "id": "Kami ingin perusahaan menghentikan pembuangan limbah ke sungai.",
    "en": "We want the board to say when the closure plan will be published.",
}
ENGLISH = ("The river has been murky since the new pit opened. Children have rashes after "
           "bathing in the stream, and the company has not consulted the community about the "
           "expansion of the mine.")
ENGLISH_WANTED = "That the company says when it will clean the river, and who will pay."


def prepare(app) -> None:
    """Empty the database, migrate it from nothing, and write the bench's data."""
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        with app.test_request_context("/"):
            load_meetings()
            load_concerns()
            db.session.commit()
        db.engine.dispose()


def load_meetings() -> None:
    from agmtool.meetings import agms, companies
    from agmtool.models import AGMStatus

    today = datetime.now(UTC).date()
    made = [companies.save_company(None, None, {"name": f"Mining Company {n}",
                                                "slug": f"mining-{n}"},
                                   [(f"Mining Company {n} plc", "LSE", f"MC{n}")], [])
            for n in range(COMPANIES)]
    for n in range(MEETINGS):
        day = today + timedelta(days=(n % 400) - 200)
        start = datetime.combine(day, time(9 + n % 6, 30))
        company = made[n % COMPANIES]
        agms.create_agm(None, {
            "company_id": company.id, "listing_id": company.listings[0].id,
            "local_date": day, "local_time": start.time(), "timezone": ZONES[n % len(ZONES)],
            "fold": 0, "duration_minutes": 120, "venue": f"Convention Centre Hall {n}",
            "address": "1 Example Street, Example City", "format": MeetingFormat.HYBRID,
            "webcast_url": f"https://example.org/webcast/{n}",
            "questions_deadline": start - timedelta(days=7),
            "proxy_deadline": start - timedelta(days=2),
            "registration_deadline": start - timedelta(days=1),
            "status": AGMStatus.CONFIRMED if n % 3 else AGMStatus.EXPECTED,
        })


def load_concerns() -> None:
    """20,000 concerns written row by row as plain INSERTs (the ORM would take a minute):
    their topics, and an English translation for those not written in English."""
    chance = random.Random(16)
    company_ids = db.session.scalars(sa.text("SELECT id FROM company ORDER BY id")).all()
    today = datetime.now(UTC).date()
    statuses = [ConcernStatus.RECEIVED] * 5 + [ConcernStatus.ACCEPTED] * 3 + [
        ConcernStatus.ASKED, ConcernStatus.DECLINED, ConcernStatus.CLOSED,
        ConcernStatus.NEEDS_CLARIFICATION]
    rows, topics, translations = [], [], []
    for n in range(CONCERNS):
        language = chance.choice(["es", "es", "pt", "pt", "id", "en"])
        sentences = SENTENCES[language]
        body = " ".join(chance.sample(sentences, 3)) + f" ({n})"
        place = chance.choice(["Río Cauca", "Brumadinho", "Mimika", "Marikana", "Cerrejón"])
        rows.append({
            "status": chance.choice(statuses), "channel": Channel.FORM, "language": language,
            "reply_language": language,
            "receipt_hash": hashlib.sha256(f"bench-{n}".encode()).hexdigest(),
            "company_id": chance.choice(company_ids) if n % 7 else None,
            "company_other": None if n % 7 else "Unknown contractor", "place": place,
            "community_name": f"Community {n % 300}", "body": body,
            "wanted": WANTED[language], "search_text": folded(body, WANTED[language], place),
            "attribution": chance.choice(list(Attribution)), "may_quote": n % 2 == 0,
            "contact_details": f"+57 300 {n:07d}" if n % 4 == 0 else None,
            "received_on": today - timedelta(days=n % 700), "version": 1,
        })
    db.session.execute(sa.insert(Concern), rows)
    # Their ids, found by their receipt hashes (RETURNING in order is slow for so many rows).
    ids = dict(db.session.execute(sa.select(Concern.receipt_hash, Concern.id)).all())
    every_topic = list(Topic)
    for row in rows:
        concern_id = ids[row["receipt_hash"]]
        for topic in chance.sample(every_topic, 1 + concern_id % 2):
            topics.append({"concern_id": concern_id, "topic": topic})
        if row["language"] != "en":
            state = chance.choice(list(TranslationState))
            for kind, source, english in (("concern_body", row["body"], ENGLISH),
                                          ("concern_wanted", row["wanted"], ENGLISH_WANTED)):
                written = state != TranslationState.MISSING
                translations.append({
                    "source_type": kind, "source_id": concern_id,
                    "source_language": row["language"], "source_text": source,
                    "language": "en", "text": english if written else "",
                    "made_from": source if written else None, "state": state,
                    "due_on": row["received_on"] + timedelta(days=14)})
    db.session.execute(sa.insert(ConcernTopic), topics)
    db.session.execute(sa.insert(Translation), translations)
