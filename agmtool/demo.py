"""Demo data: the real companies and meetings of shared/data/agm-facts.md, a few expected
future AGMs, communities, and sample concerns in the four languages."""

from __future__ import annotations

from datetime import date, datetime, time

from agmtool.concerns.domain import refresh_search_text
from agmtool.concerns.receipts import receipt_hash
from agmtool.extensions import db
from agmtool.models import (
    AGM,
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
    Topic,
)

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
        refresh_search_text(concern)
        db.session.add(concern)
    db.session.flush()
    return {"companies": len(companies), "sites": len(SITES), "meetings": meetings,
            "communities": len(communities), "concerns": len(CONCERNS)}
