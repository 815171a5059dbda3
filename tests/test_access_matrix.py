"""Every route of app.url_map, tried anonymously and with every role: only what the role
allows gets through, nothing answers 500, and no contact detail reaches a translator, an
attendee or the public."""

import pytest

from agmtool.concerns import domain as concerns
from agmtool.models import Community, ConcernStatus, Role, Source, TermKind
from agmtool.questions import attendees
from agmtool.questions import domain as questions
from agmtool.translation import glossary

ROLES = [None, Role.ATTENDEE, Role.TRANSLATOR, Role.STAFF, Role.ADMIN]
EVERYONE = {None, *Role}
ACCOUNTS = set(Role)
READERS = {Role.STAFF, Role.ADMIN, Role.TRANSLATOR}
TRIAGERS = {Role.STAFF, Role.ADMIN}
ALLOWED = {
    "inbox.index": READERS,
    "inbox.detail": READERS,
    "translate.queue": READERS,
    "translate.editor": READERS,
    "translate.save": READERS,
    "translate.send_back": READERS,
    "translate.glossary_page": READERS,
    "translate.glossary_add": READERS,
    "translate.glossary_term": READERS,
    "translate.glossary_save": READERS,
    "translate.glossary_delete": READERS,
    "translate.exchange": READERS,
    "translate.xliff_export": READERS,
    "translate.xliff_import": READERS,
    "inbox.new": TRIAGERS,
    "inbox.export": TRIAGERS,
    "inbox.act": TRIAGERS,
    "inbox.decline": TRIAGERS,
    "inbox.clarify": TRIAGERS,
    "inbox.merge": TRIAGERS,
    "inbox.erase_contact": TRIAGERS,
    "inbox.answer_read": TRIAGERS,
    "inbox.assign": TRIAGERS,
    "translate.assign": TRIAGERS,
    "packs.pack": TRIAGERS | {Role.ATTENDEE},  # an attendee of another meeting gets 404
    "packs.cards": TRIAGERS | {Role.ATTENDEE},
    "packs.listing": TRIAGERS,
    "packs.report": TRIAGERS,
    "staff.index": ACCOUNTS,
    "attendance.mine": {Role.ATTENDEE},
    "attendance.my_meeting": {Role.ATTENDEE},
    "auth.change_password": ACCOUNTS,
}
PUBLIC_STAFF_PATHS = ("/staff/login", "/staff/reset/", "/staff/logout")
SECRETS = ("Señora Contacto Secreta", "+57 300 555 0199")


@pytest.fixture
def app_config():
    return {"CONCERN_MIN_FILL_SECONDS": 0}


def allowed_roles(endpoint: str, rule: str) -> set:
    if endpoint in ALLOWED:
        return ALLOWED[endpoint]
    if endpoint.startswith("admin."):
        return {Role.ADMIN}
    if endpoint.startswith(("agm_admin.", "questions.", "attendance.")):
        return TRIAGERS
    if endpoint.startswith("settings."):
        return {Role.ADMIN}
    if rule.startswith("/staff/") and not rule.startswith(PUBLIC_STAFF_PATHS):
        # A staff route nobody has classified: say which roles it is for, here.
        pytest.fail(f"{endpoint} ({rule}) is not in ALLOWED: list the roles it allows")
    return EVERYONE


def url_for_rule(rule, values: dict) -> str:
    args = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if hasattr(converter, "items"):  # any(...)
            args[name] = sorted(converter.items)[0]
        else:
            args[name] = values.get(name, "1")
    return rule.build(args, append_unknown=False)[1]


def test_every_route_with_every_role(app, db, make_user, make_concern, make_company, make_agm,
                                     log_in):
    company = make_company()
    agm = make_agm(company=company, notes="Private: our speaker's phone is +57 300 555 0199")
    users = {
        Role.ATTENDEE: make_user("attendee@example.org", role=Role.ATTENDEE),
        Role.TRANSLATOR: make_user("translator@example.org", role=Role.TRANSLATOR,
                                   languages=["es"]),
        Role.STAFF: make_user("staff@example.org", role=Role.STAFF),
        Role.ADMIN: make_user("admin@example.org", role=Role.ADMIN),
    }
    concern = make_concern(language="es", body="el agua", company=company,
                           contact_name=SECRETS[0], contact_details=SECRETS[1],
                           status=ConcernStatus.ACCEPTED, community=Community(
                               name="Wayuu", country="CO", language="es"))
    question = questions.draft(agm, [concern], "Will you?", users[Role.STAFF])
    source = Source(agm=agm, title="Report")
    db.session.add(source)
    term = glossary.add(users[Role.STAFF], TermKind.KEEP, "en", "es", "Cerrejón")
    shareholder = attendees.save_shareholder(None, users[Role.STAFF], {
        "name": "St Mary's", "holding": "registered", "contact": SECRETS[1]})
    attendees.set_holding(shareholder, company.id, 2, users[Role.STAFF])
    own = attendees.add(agm, users[Role.STAFF], {"user_id": users[Role.ATTENDEE].id,
                                                 "entry": "guest", "may_be_named": True,
                                                 "name": "Ana"})
    representative = attendees.add(agm, users[Role.STAFF], {
        "name": SECRETS[0], "entry": "proxy", "contact_details": SECRETS[1],
        "shareholding_id": shareholder.shareholdings[0].id, "shares": 1})
    attendees.edit(representative, users[Role.STAFF], {"travel_notes": SECRETS[1]},
                   representative.version)
    questions.edit(question, users[Role.STAFF], {"speaker_id": own.id}, question.version)
    db.session.commit()
    values = {"lang": "es", "concern_id": str(concern.id), "code": "es",
              "user_id": str(users[Role.STAFF].id), "filename": "style.css",
              "token": "not-a-token", "slug": company.slug, "agm_id": str(agm.id),
              "company_id": str(company.id),
              "translation_id": str(concerns.english(concern).id),
              "question_id": str(question.id), "source_id": str(source.id),
              "community_id": str(concern.community_id), "term_id": str(term.id),
              "source": "es", "target": "en", "shareholder_id": str(shareholder.id),
              "attendee_id": str(representative.id)}
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    problems = []
    tried = 0
    for role in ROLES:
        for rule in rules:
            url = url_for_rule(rule, values)
            for method in sorted({"GET", "POST"} & rule.methods):
                client = app.test_client()
                if role is not None:
                    log_in(client, users[role])
                response = client.open(url, method=method, data={})
                tried += 1
                # Not every answer is text: packs answer PDFs.
                text = response.get_data().decode("utf-8", "replace")
                response.close()
                status = response.status_code
                to_login = status == 302 and "/staff/login" in response.headers["Location"]
                # A POST without a session is refused with its typed text shown back (401).
                denied = status in (401, 403) or to_login
                where = f"{method} {url} as {role or 'anonymous'}: {status}"
                if status >= 500:
                    problems.append(f"{where} (server error)")
                if rule.rule.startswith(PUBLIC_STAFF_PATHS):
                    pass  # the login steps send anyone without a pending login back to it
                elif role in allowed_roles(rule.endpoint, rule.rule):
                    if denied:
                        problems.append(f"{where} (should be allowed)")
                elif not denied and status != 404:
                    problems.append(f"{where} (should be refused)")
                if role not in TRIAGERS and any(secret in text for secret in SECRETS):
                    problems.append(f"{where} (shows contact details)")
    assert problems == [], "\n".join(problems)
    assert tried > 5 * 20


def test_staff_see_the_contacts_the_others_do_not(client, db, make_user, make_concern, log_in):
    concern = make_concern(language="es", contact_name=SECRETS[0], contact_details=SECRETS[1])
    log_in(client, make_user("staff@example.org", role=Role.STAFF))
    page = client.get(f"/staff/concerns/{concern.id}").text
    assert all(secret in page for secret in SECRETS)
