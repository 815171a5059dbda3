"""Demo data: the real companies and meetings of shared/data/agm-facts.md, a few expected
future AGMs, communities, and sample concerns in the four languages."""

from __future__ import annotations

from datetime import date, datetime, time

from agmtool.concerns.domain import refresh_search_text, sync_translations
from agmtool.concerns.receipts import receipt_hash
from agmtool.extensions import db
from agmtool.models import (
    AGM,
    EVERY_LANGUAGE,
    AGMStatus,
    Attribution,
    Channel,
    Community,
    Company,
    Concern,
    ConcernStatus,
    ConcernTopic,
    Listing,
    MeetingFormat,
    MeetingKind,
    Site,
    TermKind,
    Topic,
)
from agmtool.translation import glossary, memory

LONDON, ZUG, PERTH = "Europe/London", "Europe/Zurich", "Australia/Perth"

COMPANIES = [
    # slug, name, website, [(entity, exchange, ticker)]
    ("rio-tinto", "Rio Tinto", "https://www.riotinto.com",
     [("Rio Tinto plc", "LSE", "RIO"), ("Rio Tinto Limited", "ASX", "RIO")]),
    ("anglo-american", "Anglo American", "https://www.angloamerican.com",
     [("Anglo American plc", "LSE", "AAL")]),
    ("glencore", "Glencore", "https://www.glencore.com", [("Glencore plc", "LSE", "GLEN")]),
    ("fresnillo", "Fresnillo", "https://www.fresnilloplc.com", [("Fresnillo plc", "LSE", "FRES")]),
    ("antofagasta", "Antofagasta", "https://www.antofagasta.co.uk",
     [("Antofagasta plc", "LSE", "ANTO")]),
    ("endeavour-mining", "Endeavour Mining", "https://www.endeavourmining.com",
     [("Endeavour Mining plc", "LSE", "EDV")]),
    ("bhp", "BHP", "https://www.bhp.com", [("BHP Group Limited", "ASX", "BHP")]),
]

SITES = [
    # company slug (operator), name, country, region, owners
    ("glencore", "Cerrejón", "CO", "La Guajira",
     "Glencore (all of it since January 2022; before that Anglo American, BHP and Glencore "
     "held a third each)"),
    ("bhp", "Samarco (Mariana)", "BR", "Minas Gerais",
     "Samarco, owned by BHP and Vale; its Fundão dam collapsed in 2015"),
    (None, "Grasberg", "ID", "Central Papua",
     "Freeport-McMoRan and the Indonesian state; Rio Tinto sold its interest in 2018-19"),
    (None, "Marikana", "ZA", "North West",
     "Sibanye-Stillwater (took over Lonmin in 2019)"),
]

# company slug, listed entity, kind, date, time, zone, venue, address, format, status, note
MEETINGS = [
    ("rio-tinto", "Rio Tinto plc", MeetingKind.AGM, date(2025, 4, 3), time(11, 0), LONDON,
     "Queen Elizabeth II Centre", "Broad Sanctuary, Westminster, London SW1P 3EE",
     MeetingFormat.HYBRID, AGMStatus.CONFIRMED,
     "A replacement notice superseded the first one."),
    ("rio-tinto", "Rio Tinto Limited", MeetingKind.AGM, date(2025, 5, 1), time(9, 30), PERTH,
     "Perth Convention and Exhibition Centre", "21 Mounts Bay Road, Perth",
     MeetingFormat.HYBRID, AGMStatus.CONFIRMED, None),
    ("anglo-american", "Anglo American plc", MeetingKind.AGM, date(2025, 4, 30), time(11, 0),
     LONDON, "The Mermaid London", "Puddle Dock, London EC4V 3DB", MeetingFormat.IN_PERSON,
     AGMStatus.CONFIRMED, None),
    ("anglo-american", "Anglo American plc", MeetingKind.GENERAL, date(2025, 12, 9),
     time(17, 30), LONDON, "London", None, None, AGMStatus.CONFIRMED,
     "General meeting on the merger with Teck."),
    ("glencore", "Glencore plc", MeetingKind.AGM, date(2024, 5, 29), None, ZUG,
     "Theater-Casino Zug", "Artherstrasse 2-4, Zug", MeetingFormat.HYBRID, AGMStatus.CONFIRMED,
     "Interpretation headsets in English and German."),
    ("glencore", "Glencore plc", MeetingKind.GENERAL, date(2025, 8, 5), time(16, 0), ZUG,
     "Theater-Casino Zug", "Artherstrasse 2-4, Zug", None, AGMStatus.CONFIRMED, None),
    ("fresnillo", "Fresnillo plc", MeetingKind.AGM, date(2024, 5, 21), time(12, 0), LONDON,
     "No. 11 Cavendish Square", "London W1G 0AN", MeetingFormat.IN_PERSON,
     AGMStatus.CONFIRMED, None),
    ("antofagasta", "Antofagasta plc", MeetingKind.AGM, date(2025, 5, 8), None, LONDON,
     "London", None, None, AGMStatus.CONFIRMED, "Class meetings follow the AGM."),
    ("endeavour-mining", "Endeavour Mining plc", MeetingKind.AGM, date(2024, 5, 30),
     time(15, 0), LONDON, "One Silk Street", "London EC2Y 8HQ", MeetingFormat.IN_PERSON,
     AGMStatus.CONFIRMED, None),
]
# Deadlines known from the notices: (company slug, date) -> {field: local datetime}.
DEADLINES = {
    ("fresnillo", date(2024, 5, 21)): {"proxy_deadline": datetime(2024, 5, 17, 12, 0)},
    ("endeavour-mining", date(2024, 5, 30)): {"proxy_deadline": datetime(2024, 5, 28, 15, 0)},
}
# Real 2027 dates are not announced: these are expected, tentative, with no time.
EXPECTED = [
    ("rio-tinto", "Rio Tinto plc", date(2027, 4, 8), LONDON),
    ("rio-tinto", "Rio Tinto Limited", date(2027, 5, 6), PERTH),
    ("anglo-american", "Anglo American plc", date(2027, 4, 28), LONDON),
    ("glencore", "Glencore plc", date(2027, 5, 26), ZUG),
    ("antofagasta", "Antofagasta plc", date(2027, 5, 12), LONDON),
]

COMMUNITIES = [
    ("Wayuu communities of La Guajira", "CO", "La Guajira", "es"),
    ("People affected by the Fundão dam (Mariana)", "BR", "Minas Gerais", "pt"),
    ("Amungme and Kamoro peoples", "ID", "Central Papua", "id"),
    ("Marikana community", "ZA", "North West", "en"),
    ("Neighbours of the Salamanca uranium project", "ES", "Castilla y León", "es"),
]

# language, company slug, community index, topics, body, wanted, attribution
CONCERNS = [
    ("es", "glencore", 0, [Topic.WATER, Topic.INDIGENOUS],
     "El arroyo Bruno fue desviado para ampliar el tajo. Las familias wayuu de la ranchería "
     "caminan horas para conseguir agua, y en verano los jagüeyes se secan. "
     "Nos preguntamos: ¿de dónde vamos a sacar el agua?",
     "Que la empresa diga cuándo devolverá el arroyo a su cauce y cómo garantizará agua "
     "potable a las comunidades mientras tanto.", Attribution.COMMUNITY),
    ("pt", "bhp", 1, [Topic.TAILINGS, Topic.REPARATIONS],
     "Dez anos depois do rompimento da barragem de Fundão, muitas famílias de Bento "
     "Rodrigues ainda não foram reassentadas e o rio Doce continua contaminado. "
     "Lá a Vale enterrou meu coração.",
     "Queremos saber quando todas as famílias atingidas terão casa e indenização justa, e "
     "quem responde pelo atraso.", Attribution.ANONYMOUS),
    ("id", None, 2, [Topic.LAND, Topic.VIOLENCE],
     "Tanah adat kami dipakai tanpa persetujuan. Kami bukan mau minta saham, kami mau "
     "tanah dan sungai kami dipulihkan. Warga takut bicara karena aparat keamanan.",
     "Kami ingin perusahaan menjelaskan bagaimana mereka meminta persetujuan masyarakat "
     "adat dan siapa yang bertanggung jawab atas pencemaran sungai.", Attribution.ANONYMOUS),
    ("en", None, 3, [Topic.LABOUR, Topic.REPARATIONS],
     "Years after the massacre, families of the miners killed at Marikana are still waiting "
     "for the houses that were promised, and many widows have no income.",
     "When will the promised houses be finished, and will the company meet the families?",
     Attribution.NAMED),
    ("es", None, 4, [Topic.HEALTH, Topic.WATER],
     "Nos preocupa el polvo y el agua del acuífero si se abre la mina de uranio cerca de "
     "nuestros pueblos. Nadie nos ha explicado los riesgos.",
     "Queremos un estudio independiente de salud y agua antes de cualquier decisión.",
     Attribution.COMMUNITY),
]


def is_empty() -> bool:
    return db.session.scalar(db.select(db.func.count(Company.id))) == 0


def load() -> dict[str, int]:
    """Add the demo rows (flushes, never commits). Returns how many of each were added."""
    companies = {}
    for slug, name, website, listings in COMPANIES:
        company = Company(slug=slug, name=name, website=website, listings=[
            Listing(entity_name=entity, exchange=exchange, ticker=ticker)
            for entity, exchange, ticker in listings
        ])
        companies[slug] = company
        db.session.add(company)
    for slug, name, country, region, owners in SITES:
        db.session.add(Site(company=companies.get(slug), name=name, country=country,
                            region=region, owners=owners))

    def listing(slug: str, entity: str) -> Listing:
        return next(item for item in companies[slug].listings if item.entity_name == entity)

    meetings = 0
    for (slug, entity, kind, day, at, zone, venue, address, fmt, status, note) in MEETINGS:
        db.session.add(AGM(
            company=companies[slug], listing=listing(slug, entity), kind=kind, local_date=day,
            local_time=at, timezone=zone, duration_minutes=120 if at else None, venue=venue,
            address=address, format=fmt, status=status, status_note=note,
            **DEADLINES.get((slug, day), {}),
        ))
        meetings += 1
    for slug, entity, day, zone in EXPECTED:
        db.session.add(AGM(
            company=companies[slug], listing=listing(slug, entity), kind=MeetingKind.AGM,
            local_date=day, timezone=zone, status=AGMStatus.EXPECTED,
        ))
        meetings += 1

    communities = [
        Community(name=name, country=country, region=region, language=lang)
        for name, country, region, lang in COMMUNITIES
    ]
    db.session.add_all(communities)
    for number, (lang, slug, community, topics, body, wanted, attribution) in enumerate(
        CONCERNS, start=1
    ):
        concern = Concern(
            status=ConcernStatus.RECEIVED, channel=Channel.FORM, language=lang,
            reply_language=lang, company=companies.get(slug),
            company_other=None if slug else "",
            community=communities[community], body=body, wanted=wanted,
            attribution=attribution, may_quote=attribution != Attribution.ANONYMOUS,
            # Demo receipts are not secret: try DEMO-0001 ... DEMO-0005 on /<lang>/status.
            # (The status page reads the letter O as zero, as in every receipt code.)
            receipt_hash=receipt_hash(f"DEMO-{number:04d}"),
            topic_rows=[ConcernTopic(topic=topic) for topic in topics],
        )
        db.session.add(concern)
        db.session.flush()
        sync_translations(concern)
        refresh_search_text(concern)
    db.session.flush()
    questions = load_season()
    load_attendance()
    terms = load_glossary()
    segments = memory.rebuild()  # the demo's translations are approved without the editor
    return {"companies": len(companies), "sites": len(SITES), "meetings": meetings,
            "communities": len(communities), "concerns": len(CONCERNS) + len(MORE_CONCERNS),
            "questions": questions, "glossary terms": terms, "memory segments": segments}


# --- a starter glossary -------------------------------------------------------------------
# Names kept as they are in every language: companies, mines, places, peoples and their
# words, organisations. (name, note for translators)
KEPT = [
    ("Anglo American", None), ("Antofagasta", None), ("BHP", None), ("Glencore", None),
    ("Rio Tinto", None), ("Freeport-McMoRan", None), ("PT Freeport Indonesia", None),
    ("Samarco", "Owned by BHP and Vale."), ("Sibanye-Stillwater", None), ("Lonmin", None),
    ("Cerrejón", "The open-pit coal mine in La Guajira, Colombia."),
    ("Grasberg", "The copper and gold mine in Central Papua."),
    ("Fundão", "The Samarco tailings dam that collapsed in 2015."), ("Los Pelambres", None),
    ("Minas-Rio", None), ("Marikana", None), ("La Guajira", None),
    ("Arroyo Bruno", "The stream Cerrejón diverted in 2016."), ("Brumadinho", None),
    ("Bento Rodrigues", None), ("Paracatu de Baixo", None), ("Rio Doce", None),
    ("Paraopeba", None), ("Timika", None), ("Tembagapura", None), ("Mimika", None),
    ("Choapa", None),
    ("Wayuu", "The people, and their adjective: never “guajiro”."),
    ("Wayuunaiki", "The Wayuu language."),
    ("pütchipü'ü", "Wayuu: the palabrero, who carries the word between families in a dispute."),
    ("Amungme", "The people of the highlands around Grasberg."),
    ("Amungsa", "Amungme: the Amungme land."),
    ("Nemangkawi", "Amungme: the sacred mountain the maps call Puncak Jaya (Carstensz)."),
    ("Kamoro", "The people of the Mimika coast, also called Mimika Wee."),
    ("karapao", "Kamoro: the ceremonial house of the initiation feast."),
    ("LEMASA", "The Amungme customary council (Lembaga Musyawarah Adat Suku Amungme)."),
    ("LEMASKO", "The Kamoro customary council (Lembaga Musyawarah Adat Suku Kamoro)."),
    ("Fuerza de Mujeres Wayuu", None),
    ("Movimento dos Atingidos por Barragens", "Brazil's movement of dam-affected people (MAB)."),
    ("London Mining Network", None), ("WALHI", None), ("JATAM", None),
]
# Kept in one direction only: in the other language these are ordinary words ("vale", a
# valley; "ranchería", kept from Spanish into English).
KEPT_ONE_WAY = [
    ("en", "Vale", "The Brazilian mining company."),
    ("es", "ranchería", "A Wayuu settlement of one family group."),
]
# Terms translated one way: (source language, term, {language: rendering}).
TRANSLATED = [
    ("en", "tailings dam", {"es": "presa de relaves", "pt": "barragem de rejeitos",
                            "id": "bendungan tailing"}),
    ("en", "tailings", {"es": "relaves", "pt": "rejeitos", "id": "tailing"}),
    ("en", "free, prior and informed consent", {
        "es": "consentimiento libre, previo e informado",
        "pt": "consentimento livre, prévio e informado",
        "id": "persetujuan atas dasar informasi awal tanpa paksaan"}),
    ("en", "annual general meeting", {"es": "junta general anual de accionistas",
                                      "pt": "assembleia geral anual",
                                      "id": "rapat umum pemegang saham tahunan"}),
    ("en", "shareholder", {"es": "accionista", "pt": "acionista", "id": "pemegang saham"}),
    ("en", "resettlement", {"es": "reasentamiento", "pt": "reassentamento",
                            "id": "pemukiman kembali"}),
    ("en", "open-pit mine", {"es": "mina a cielo abierto", "pt": "mina a céu aberto",
                             "id": "tambang terbuka"}),
    ("en", "security forces", {"es": "fuerzas de seguridad", "pt": "forças de segurança",
                               "id": "aparat keamanan"}),
    ("en", "grievance mechanism", {"es": "mecanismo de quejas",
                                   "pt": "mecanismo de reclamações",
                                   "id": "mekanisme pengaduan"}),
    ("es", "presa de relaves", {"en": "tailings dam"}),
    ("es", "consulta previa", {"en": "prior consultation"}),
    ("pt", "barragem de rejeitos", {"en": "tailings dam"}),
    ("pt", "atingidos", {"en": "affected people"}),
    ("id", "bendungan tailing", {"en": "tailings dam"}),
    ("id", "masyarakat adat", {"en": "Indigenous peoples"}),
    ("id", "tanah ulayat", {"en": "customary land"}),
]


def load_glossary() -> int:
    """The starter glossary (by nobody in particular). Returns how many terms it has."""
    every = EVERY_LANGUAGE
    count = 0
    for name, note in KEPT:
        glossary.add(None, TermKind.KEEP, every, every, name, note=note)
        count += 1
    for source, name, note in KEPT_ONE_WAY:
        glossary.add(None, TermKind.KEEP, source, every, name, note=note)
        count += 1
    for source, term, renderings in TRANSLATED:
        for language, rendering in renderings.items():
            glossary.add(None, TermKind.TRANSLATE, source, language, term, rendering)
            count += 1
    return count


# --- a season of questions ------------------------------------------------------------------
# What each community is, for the pack (English, as staff write it).
BACKGROUNDS = {
    0: "Wayuu rancherías around the Cerrejón open-pit coal mine in La Guajira, Colombia. The "
       "mine diverted the Bruno stream in 2016; families report dry jagüeyes (water ponds) "
       "in the dry season and dust from the pit. Glencore has owned all of Cerrejón since "
       "January 2022. The communities have asked about water at earlier AGMs.",
    1: "Families of Bento Rodrigues and Paracatu de Baixo, displaced when Samarco's Fundão "
       "tailings dam collapsed in November 2015. Samarco is owned by BHP and Vale. Many "
       "families are still waiting for new homes and compensation.",
    2: "Amungme and Kamoro peoples near the Grasberg copper and gold mine in Central Papua. "
       "Rio Tinto sold its interest in Grasberg in 2018-19; tailings in the rivers and the "
       "role of security forces are long-standing concerns. Speaking out carries risk.",
}
# Concerns beyond the five demo receipts, so that every state of a question has an example:
# language, company slug, community index, topics, body, wanted, attribution, may quote.
MORE_CONCERNS = [
    ("es", "glencore", 0, [Topic.HEALTH],
     "El polvo del tajo cubre las casas de la ranchería y los niños tienen tos todo el año.",
     "Que la empresa publique las mediciones de calidad del aire cerca de las rancherías.",
     Attribution.COMMUNITY, True),
    ("pt", "anglo-american", 1, [Topic.WATER, Topic.LAND],
     "O mineroduto passa pelas nossas terras e as nascentes estão secando desde a obra.",
     "Queremos saber que estudo a empresa fez sobre as nascentes antes da obra.",
     Attribution.ANONYMOUS, False),
    ("en", "glencore", 0, [Topic.LABOUR],
     "Contract workers at the mine say they are paid less than employees for the same work.",
     "Will the company pay contract workers the same as its own employees?",
     Attribution.ANONYMOUS, False),
    ("es", "antofagasta", None, [Topic.WATER],
     "En el valle del Choapa el agua no alcanza para los cultivos y la mina sigue usando "
     "agua del río.",
     "Que la empresa diga cuánta agua del río usará el próximo año.",
     Attribution.COMMUNITY, False),
]


def _approved(source_type: str, source_id: int, language: str, text: str) -> None:
    """Demo translations written and approved (by nobody in particular: there are no demo
    accounts)."""
    from agmtool.models import Translation, TranslationState

    row = db.session.scalar(db.select(Translation).filter_by(
        source_type=source_type, source_id=source_id, language=language))
    row.text, row.made_from, row.state = text, row.source_text, TranslationState.APPROVED
    row.version = 2


def _meeting(slug: str, day: date) -> AGM:
    return db.session.scalar(db.select(AGM).join(Company).where(
        Company.slug == slug, AGM.local_date == day))


def load_season() -> int:
    """Questions in every state at the demo meetings, sign-offs given and pending, answers
    with a promise, backgrounds and sources; the five demo receipts at different stages
    (DEMO-0001 is asked to sign off, 0002 is asked to clarify, 0003 reads the answer in
    Indonesian, 0004 was declined, 0005 is new). Returns how many questions it made."""
    from agmtool.concerns import domain as concerns
    from agmtool.models import (
        Answer,
        QuestionProcess,
        QuestionStatus,
        SignOffChannel,
        SignOffDecision,
        Source,
    )
    from agmtool.questions import answers, signoffs
    from agmtool.questions import domain as questions

    communities = db.session.scalars(db.select(Community).order_by(Community.id)).all()
    for index, text in BACKGROUNDS.items():
        communities[index].background = text
    companies = {c.slug: c for c in db.session.scalars(db.select(Company))}
    receipts = db.session.scalars(db.select(Concern).order_by(Concern.id)).all()
    more = []
    for lang, slug, community, topics, body, wanted, attribution, quote in MORE_CONCERNS:
        concern = Concern(
            status=ConcernStatus.RECEIVED, channel=Channel.FORM, language=lang,
            reply_language=lang, company=companies.get(slug), body=body, wanted=wanted,
            community=communities[community] if community is not None else None,
            attribution=attribution, may_quote=quote,
            topic_rows=[ConcernTopic(topic=topic) for topic in topics])
        db.session.add(concern)
        db.session.flush()
        more.append(concern)
    for concern in [receipts[0], receipts[2], *more]:
        concerns.accept(concern, None)
    concerns.ask_clarification(receipts[1], None, "Em que comunidade vocês moram "
                               "agora, e a família já recebeu alguma proposta de casa?", "pt")
    concerns.decline(receipts[3], None, "Lonmin, which ran the Marikana mine, was "
                     "taken over by Sibanye-Stillwater, which is not listed in London, so "
                     "we cannot ask at a London AGM. We will pass your concern to groups "
                     "that follow Sibanye-Stillwater.", "en")
    for concern in [*receipts, *more]:
        _approved_english(concern)

    glencore = _meeting("glencore", date(2027, 5, 26))
    glencore.question_process = QuestionProcess.AT_THE_DOOR
    glencore.practical_notes = ("Interpretation headsets in English and German at the door. "
                                "Registration opens an hour before the start.")
    glencore.sources = [
        Source(title="Cerrejón and the Bruno stream: the court rulings", publisher="Dejusticia",
               published_on=date(2023, 3, 1)),
        Source(title="Glencore Annual Report 2025", publisher="Glencore plc",
               link="https://www.glencore.com/investors/reports-results"),
    ]
    water = questions.draft(
        glencore, [receipts[0]],
        "The Bruno stream was diverted in 2016 to expand the Cerrejón pit. When will the "
        "board return it to its natural course, and how will it guarantee drinking water to "
        "the Wayuu communities until then?", None,
        background="Cerrejón diverted the Bruno stream in 2016. The Constitutional Court "
                   "ordered studies in 2017. Ask for a date, not a process.")
    questions.choose_excerpt(water, receipts[0], "¿de dónde vamos a sacar el agua?", None, 1)
    questions.move(water, QuestionStatus.IN_TRANSLATION, None)
    _approved(questions.QUESTION, water.id, "es",
              "El arroyo Bruno fue desviado en 2016 para ampliar el tajo de Cerrejón. ¿Cuándo "
              "devolverá la junta directiva el arroyo a su cauce natural, y cómo garantizará "
              "agua potable a las comunidades wayuu mientras tanto?")
    questions.move(water, QuestionStatus.AWAITING_SIGNOFF,
                   None)  # DEMO-0001 is asked on its status page
    questions.draft(glencore, [more[0]],  # left a draft
                    "Will the company publish its air-quality measurements near the "
                    "rancherías?", None)
    pay = questions.draft(glencore, [more[2]],
                          "Will Glencore pay contract workers at Cerrejón the same as its own "
                          "employees for the same work?", None)
    for to in (QuestionStatus.IN_TRANSLATION, QuestionStatus.AWAITING_SIGNOFF,
               QuestionStatus.APPROVED):
        questions.move(pay, to, None)
    duplicate = questions.draft(glencore, [more[0]], "What about the dust?", None)
    questions.withdraw(duplicate, None)

    anglo = _meeting("anglo-american", date(2027, 4, 28))
    pipeline = questions.draft(anglo, [more[1]],
                               "What study of the springs did Anglo American make before "
                               "building the Minas-Rio pipeline through community land?", None)
    questions.move(pipeline, QuestionStatus.IN_TRANSLATION,
                   None)  # the Portuguese is still to write

    rio = _meeting("rio-tinto", date(2025, 4, 3))
    rio.question_process = QuestionProcess.IN_WRITING
    legacy = questions.draft(
        rio, [receipts[2]],
        "Rio Tinto sold its interest in Grasberg in 2018-19. What does the board owe to the "
        "Amungme and Kamoro peoples for the tailings left in their rivers while it was an "
        "owner?", None)
    questions.move(legacy, QuestionStatus.IN_TRANSLATION, None)
    _approved(questions.QUESTION, legacy.id, "id",
              "Rio Tinto menjual kepemilikannya di Grasberg pada 2018-19. Apa tanggung jawab "
              "direksi kepada masyarakat Amungme dan Kamoro atas tailing yang tertinggal di "
              "sungai mereka selama Rio Tinto menjadi pemilik?")
    for to in (QuestionStatus.AWAITING_SIGNOFF, QuestionStatus.APPROVED):
        questions.move(legacy, to, None)
    legacy.speaker_name = "Campaign staff"
    answers.record_outcome(
        legacy, None, True, None,
        text="(Demo answer.) The Chair said the company no longer has operational control "
             "and would review its records and write to the questioner.",
        given_by="the Chair", written_promised=True, written_due=date(2025, 6, 30))
    answer = db.session.scalar(db.select(Answer).filter_by(question_id=legacy.id))
    _approved(answers.ANSWER, answer.id, "id",
              "(Jawaban demo.) Ketua RUPS mengatakan perusahaan tidak lagi mengendalikan "
              "tambang itu dan akan memeriksa arsipnya lalu menyurati penanya.")

    antofagasta = _meeting("antofagasta", date(2025, 5, 8))
    choapa = questions.draft(antofagasta, [more[3]],
                             "How much water from the Choapa river will Los Pelambres use next "
                             "year?", None)
    questions.move(choapa, QuestionStatus.IN_TRANSLATION, None)
    _approved(questions.QUESTION, choapa.id, "es",
              "¿Cuánta agua del río Choapa usará Los Pelambres el próximo año?")
    questions.move(choapa, QuestionStatus.AWAITING_SIGNOFF, None)
    signoffs.respond(choapa, more[3], SignOffDecision.GIVEN, None, SignOffChannel.PHONE,
                     given_by="A community leader, by phone", given_on=date(2025, 4, 20))
    questions.move(choapa, QuestionStatus.APPROVED, None)
    answers.record_outcome(choapa, None, False, None)  # not reached
    db.session.flush()
    return 7


def load_attendance() -> None:
    """Friendly shareholders, and the attendees of Glencore's 2027 meeting in every state of
    their entry: a Wayuu representative (a proxy, with travel notes) who reads the water
    question through an interpreter, and a guest set to read another, which the running
    order flags. No accounts: every demo attendee is a representative without one."""
    from agmtool.models import Attendee, EntryState, Question
    from agmtool.questions import attendees
    from agmtool.questions import domain as questions

    glencore = _meeting("glencore", date(2027, 5, 26))
    anglo = _meeting("anglo-american", date(2027, 4, 28))
    church = attendees.save_shareholder(None, None, {
        "name": "St Anne's Church investors", "holding": "registered",
        "contact": "(Demo) Treasurer, via the registrar's shareholder helpline",
        "notes": "One share each in the companies we attend; ask a month ahead."})
    fund = attendees.save_shareholder(None, None, {
        "name": "Ethical Pensions Fund (demo)", "holding": "fund",
        "contact": "(Demo) Stewardship team, by e-mail", "notes": None})
    member = attendees.save_shareholder(None, None, {
        "name": "A member holding one share (demo)", "holding": "nominee",
        "contact": "(Demo) Her broker needs a letter and photo ID for each appointment.",
        "notes": None})
    attendees.set_holding(church, glencore.company_id, 1, None)
    attendees.set_holding(church, anglo.company_id, 1, None)
    attendees.set_holding(fund, glencore.company_id, 3, None)
    attendees.set_holding(member, anglo.company_id, 1, None)
    wayuu = db.session.scalar(db.select(Community).order_by(Community.id))
    fund_shares = fund.shareholdings[0].id

    def add(name, entry, state, **values):
        found = attendees.add(glencore, None, {"name": name, "entry": entry, **values})
        path = {EntryState.APPOINTED: [EntryState.APPOINTED],
                EntryState.LODGED: [EntryState.APPOINTED, EntryState.LODGED],
                EntryState.CONFIRMED: [EntryState.APPOINTED, EntryState.LODGED,
                                       EntryState.CONFIRMED],
                EntryState.REFUSED: [EntryState.REFUSED]}.get(state, [])
        for step in path:
            attendees.move(found, step, None)
        return found

    representative = add("Rosa Epieyú (demo)", "proxy", EntryState.CONFIRMED, language="es",
                         needs_interpretation=True, may_be_named=True, community_id=wayuu.id,
                         shareholding_id=fund_shares, shares=1,
                         contact_details="(Demo) Through the Fuerza de Mujeres Wayuu office")
    attendees.edit(representative, None, {
        "visa": "(Demo) UK visitor visa granted; Swiss Schengen visa applied for.",
        "arrives_on": date(2027, 5, 23), "leaves_on": date(2027, 5, 29),
        "lodging": "(Demo) Guesthouse near Zug station, booked by the campaign.",
        "travel_notes": "(Demo) Flies Riohacha–Bogotá–Zurich; needs a letter of invitation."},
        representative.version)
    add("Carmen López (demo interpreter)", "proxy", EntryState.LODGED, language="es",
        interprets=["es", "en"], may_be_named=True, shareholding_id=fund_shares, shares=1)
    add("Campaign staff member (demo)", "proxy", EntryState.APPOINTED, may_be_named=True,
        shareholding_id=fund_shares, shares=1)
    add("Church member (demo)", "proxy", EntryState.REQUESTED,
        shareholding_id=church.shareholdings[0].id, shares=1)
    add("Journalist (demo)", "guest", EntryState.CONFIRMED)
    add("Second Wayuu representative (demo)", "online_only", EntryState.REFUSED, language="es")
    guest = db.session.scalar(db.select(Attendee).filter_by(name="Journalist (demo)"))
    water, pay = db.session.scalars(db.select(Question).where(
        Question.agm_id == glencore.id, Question.status.in_(["awaiting_signoff", "approved"]))
        .order_by(Question.position)).all()
    questions.edit(water, None, {"speaker_id": representative.id}, water.version)
    questions.edit(pay, None, {"speaker_id": guest.id}, pay.version)  # flagged: a guest


# The demo concerns' words in English, as a translator would write them.
ENGLISH = {
    "El arroyo Bruno fue desviado": (
        "The Bruno stream was diverted to expand the pit. The Wayuu families of the "
        "ranchería walk for hours to get water, and in summer the jagüeyes dry up. We ask "
        "ourselves: where are we going to get water from?",
        "That the company says when it will return the stream to its course and how it will "
        "guarantee drinking water to the communities in the meantime."),
    "Dez anos depois do rompimento": (
        "Ten years after the Fundão dam burst, many families of Bento Rodrigues have still "
        "not been resettled and the Doce river is still contaminated. There, Vale buried my "
        "heart.",
        "We want to know when all the affected families will have a home and fair "
        "compensation, and who answers for the delay."),
    "Tanah adat kami dipakai": (
        "Our customary land was used without consent. We do not want shares; we want our "
        "land and our river restored. People are afraid to speak because of the security "
        "forces.",
        "We want the company to explain how it asks indigenous communities for consent and "
        "who is responsible for polluting the river."),
    "Nos preocupa el polvo": (
        "We are worried about the dust and the aquifer water if the uranium mine opens near "
        "our villages. Nobody has explained the risks to us.",
        "We want an independent study of health and water before any decision."),
    "El polvo del tajo cubre": (
        "Dust from the pit covers the houses of the ranchería and the children cough all "
        "year round.",
        "That the company publishes its air-quality measurements near the rancherías."),
    "O mineroduto passa": (
        "The pipeline crosses our land and the springs have been drying up since it was "
        "built.",
        "We want to know what study the company made of the springs before building it."),
    "En el valle del Choapa": (
        "In the Choapa valley there is not enough water for the crops, and the mine keeps "
        "using water from the river.",
        "That the company says how much water from the river it will use next year."),
}


def _approved_english(concern: Concern) -> None:
    """The concern's words in English, approved (see ENGLISH)."""
    english = next((pair for start, pair in ENGLISH.items()
                    if (concern.body or "").startswith(start)), None)
    if english is None:
        return
    for row in concern.translations:
        row.text = english[0] if row.source_type == "concern_body" else english[1]
        row.made_from, row.state, row.version = row.source_text, "approved", 2
