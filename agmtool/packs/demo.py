"""Generated content in the shape of an AGM pack: the demo templates, the tests and the
benchmark render it, so the look and the speed are settled before real content exists.

The companies, communities and people are invented for the fixture; the situations are the
kind the campaign carries (water, tailings, land, health). Nothing here reads the database.
"""

from __future__ import annotations

COMMUNITIES = [
    {
        "key": "guajira", "lang": "es", "language": "Spanish",
        "name": "Wayuu communities of the Ranchería river",
        "place": "La Guajira, Colombia",
        "background": (
            "The Wayuu are the largest Indigenous people of Colombia. Several settlements "
            "along the Ranchería river live within a few kilometres of the open pit and its "
            "waste dumps. Families report dust on their crops and water tanks in the dry "
            "season and the loss of springs that were used for generations.\n\n"
            "Community leaders have asked the operator since 2019 for independent monitoring "
            "of air and water, with results published in Spanish and Wayuunaiki, and for "
            "consultation before any further diversion of streams."
        ),
        "quote": (
            "Antes el arroyo tenía agua todo el año; ahora, en enero, los niños caminan dos "
            "horas para llenar un bidón. Queremos saber qué va a hacer la compañía — no en "
            "un informe, sino aquí, en la ranchería. ¿Quién nos devolverá el agua?"
        ),
    },
    {
        "key": "paraopeba", "lang": "pt", "language": "Portuguese",
        "name": "Families of the Paraopeba valley",
        "place": "Minas Gerais, Brazil",
        "background": (
            "Communities downstream of the collapsed tailings dam still depend on water "
            "trucked in by the company. Fishers and small farmers say that compensation "
            "has not reached many families who lost their income, and that the register "
            "of those affected leaves out people without land titles.\n\n"
            "The families' association asks for a public timetable for the river's "
            "recovery and for an independent review of the compensation register."
        ),
        "quote": (
            "Não é só a lama: é a espera. Há seis anos ouvimos que a água vai voltar, que a "
            "indenização está a caminho. A minha mãe não pescou mais. Quando é que a "
            "empresa vai cumprir o que prometeu à nossa comunidade?"
        ),
    },
    {
        "key": "mimika", "lang": "id", "language": "Indonesian",
        "name": "Highland and lowland clans of Mimika",
        "place": "Central Papua, Indonesia",
        "background": (
            "Tailings carried down the river system have buried forest and sago groves that "
            "clans in the lowlands depended on. Clan leaders describe changes in the fish "
            "they catch and in the river's course after heavy rain.\n\n"
            "They ask for the results of the company's environmental monitoring to be shared "
            "with them in Indonesian, and for a say in the closure plan for the deposition "
            "area."
        ),
        "quote": (
            "Dulu kami mencari sagu dan ikan di sini. Sekarang sungai penuh pasir tambang dan "
            "hutan kami hilang. Kami ingin tahu: apa rencana perusahaan untuk memulihkan "
            "tanah adat kami, dan kapan masyarakat diajak bicara?"
        ),
    },
    {
        "key": "wayuu-elders", "lang": "es", "language": "Spanish",
        "name": "Council of Wayuu elders, Alta Guajira",
        "place": "La Guajira, Colombia",
        "background": (
            "The elders speak for clans whose cemeteries and grazing land lie near the "
            "planned expansion. They ask that any consultation be held in Wayuunaiki, in the "
            "territory, with time for the clans to decide in their own way, through their "
            "pütchipü'üi (word-bearers)."
        ),
        "quote": (
            "Nuestros alaülayuu dicen que el territorio no se vende. Si la compañía quiere "
            "hablar, que venga a la ranchería con un pütchipü'üi, como manda la ley wayuu, "
            "y que escuche en wayuunaiki: «el agua y los cementerios no se negocian»."
        ),
    },
]

TOPICS = ["Water", "Tailings", "Land", "Health", "Consultation", "Compensation", "Closure"]

QUESTION_TEXTS = [
    "Will the board commit to independent monitoring of air and water around the mine, "
    "with the results published every month in the languages of the communities "
    "concerned, and will it tell this meeting when that monitoring will start?",
    "The company's last sustainability report says that compensation is substantially "
    "complete. The families we speak for say otherwise. Will the board commission an "
    "independent review of the register of affected people, and publish its findings?",
    "What is the company's timetable for restoring the river, and how will the people "
    "who live along it take part in deciding whether that restoration has succeeded?",
    "Before any further expansion, will the company hold a consultation in the "
    "territory, in the community's own language, and accept the outcome of that "
    "consultation as binding on its plans?",
]

NOTES = (
    "The community first raised this at a meeting with the site's social performance "
    "team and received no written reply. The company's own figures show water use at the "
    "site rising by 12% over three years while rainfall fell. Press for a date, not a "
    "process: if the chair refers to an existing programme, ask when its results will be "
    "published and in which languages."
)

PEOPLE = ["Ana Epieyú", "Maria das Graças Souza", "Yosefa Magal", "Rosa Uriana",
          "Lucas Ferreira", "staff attendee"]


def _question(number: int) -> dict:
    community = COMMUNITIES[(number - 1) % len(COMMUNITIES)]
    text = QUESTION_TEXTS[(number - 1) % len(QUESTION_TEXTS)]
    topic = TOPICS[(number - 1) % len(TOPICS)]
    words = len(text.split())
    return {
        "id": f"q-{number}",
        "number": number,
        "topic": topic,
        "title": f"{topic}: {community['name']}",
        "speaker": PEOPLE[(number - 1) % len(PEOPLE)],
        "community": community["name"],
        "text": text,
        "reading_time": f"{round(words / 2.5)} s",
        "original": {"lang": community["lang"], "language": community["language"],
                     "text": community["quote"]},
        "notes": NOTES,
        "sources": [f"src-{(number - 1) % 8 + 1}", f"src-{(number + 2) % 8 + 1}"],
    }


def pack_content(questions: int = 50) -> dict:
    """The content of a demo AGM pack with ``questions`` questions, in the shape the
    templates in templates/pdf/demo_*.html read."""
    return {
        "company": "Northgate Resources plc",
        "meeting": "Annual General Meeting 2025",
        "held_by": "Northgate Resources plc (London Stock Exchange: NGR)",
        "when_local": "Thursday 22 May 2025, 10:30 in Zug (CEST)",
        "when_london": "09:30 London time",
        "venue": "Theater Casino Zug, Artherstrasse 2–4, 6300 Zug, Switzerland",
        "format": "In person, with a webcast",
        "cover_note": ("For the attendees of this meeting and the campaign's staff only. "
                       "Names appear only where the people concerned agreed to be named."),
        "key_facts": [
            {"label": "Listings", "value": "London Stock Exchange (NGR); Johannesburg (NGJ)"},
            {"label": "Sites", "value": "Cerro Alto coal mine (Colombia); Paraopeba iron "
                                        "ore complex (Brazil); Mimika copper and gold "
                                        "concentrator (Indonesia)"},
            {"label": "Communities", "value": ", ".join(c["name"] for c in COMMUNITIES)},
        ],
        "logistics": [
            {"label": "Written questions", "value": "By Friday 16 May 2025, 17:00 in Zug "
                                                    "(16:00 London)"},
            {"label": "Proxy appointment", "value": "By Tuesday 20 May 2025, 10:30 in Zug "
                                                    "(09:30 London)"},
            {"label": "Registration", "value": "Doors open at 09:00; bring photo ID and the "
                                               "proxy letter"},
            {"label": "Attending", "value": "Ana Epieyú (proxy), Lucas Ferreira (proxy), "
                                            "one staff attendee (shareholder)"},
            {"label": "Interpretation", "value": "Spanish and Portuguese, whispered, by the "
                                                 "campaign's interpreters; none provided by "
                                                 "the company"},
            {"label": "How questions are taken", "value": "At the microphones after the "
                                                          "chair's address; one question "
                                                          "each, a follow-up if time allows"},
        ],
        "communities": [
            {"id": f"c-{c['key']}", "name": c["name"], "place": c["place"],
             "background": c["background"]} for c in COMMUNITIES],
        "questions": [_question(n) for n in range(1, questions + 1)],
        "previous": [
            {"title": "Water monitoring at Cerro Alto",
             "question": QUESTION_TEXTS[0],
             "answer": ("The chair said the company already monitors water quality to "
                        "international standards and would consider publishing a summary."),
             "promise": "A summary of monitoring results, in Spanish, by December 2024: "
                        "not yet published."},
            {"title": "Compensation in the Paraopeba valley",
             "question": QUESTION_TEXTS[1],
             "answer": ("The chief executive said that 90% of claims had been settled and "
                        "offered to meet the families' association."),
             "promise": None},
        ],
        "sources": [
            {"id": f"src-{n}", "label": label, "url": url} for n, (label, url) in enumerate([
                ("Northgate Resources plc, Annual Report 2024, pp. 88–93 (water).",
                 "https://example.org/northgate/annual-report-2024.pdf"),
                ("Northgate Resources plc, Sustainability Report 2024, tailings section.",
                 "https://example.org/northgate/sustainability-2024.pdf"),
                ("Letter from the Wayuu communities to the site manager, 3 March 2025.", ""),
                ("Families' association of the Paraopeba valley, statement, January 2025.",
                 "https://example.org/paraopeba/statement-2025"),
                ("Independent water sampling report, Ranchería river, dry season 2024.", ""),
                ("Minutes of the 2024 AGM, questions and answers.",
                 "https://example.org/northgate/agm-2024-minutes.pdf"),
                ("Clan leaders of Mimika, submission to the provincial government, 2024.", ""),
                ("Company response to the campaign, 12 February 2025.", ""),
            ], start=1)
        ],
    }


def card_content(questions: int = 1) -> dict:
    """The content of demo cards: ``pack_content`` cut to ``questions`` questions."""
    content = pack_content(questions)
    return {key: content[key] for key in ("company", "meeting", "questions")}
