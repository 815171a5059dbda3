"""A ?next= redirect never leaves the site, however the target is written."""

from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agmtool.links import external_url, safe_next
from agmtool.models import Role

SITE = "https://agm.example.org/staff/login"


@pytest.mark.parametrize("target", [
    "//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example",
    "/\n/evil.example", "/%09/evil.example".replace("%09", "\t"), "javascript:alert(1)",
    "", None, "evil.example",
])
def test_targets_that_leave_the_site_fall_back_to_the_start_page(app, target):
    with app.test_request_context():
        assert safe_next(target) == "/staff/"


def test_a_path_on_the_site_is_kept(app):
    with app.test_request_context():
        assert safe_next("/staff/concerns/?status=received") == "/staff/concerns/?status=received"


def test_no_target_leaves_the_site(app):
    # The app (and its database) once; hypothesis varies only the target.
    @given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
    def check(target):
        with app.test_request_context():
            result = safe_next("/" + target)
        assert urlsplit(urljoin(SITE, result)).netloc == "agm.example.org"

    check()


def test_external_url_prefers_the_configured_base(app):
    app.config["BASE_URL"] = "https://agm.example.org/"
    with app.test_request_context(base_url="http://forged.example"):
        assert external_url("public.home", lang="es") == "https://agm.example.org/es/"


HUGE = "9" * 30


@pytest.mark.parametrize("path", [f"/en/agms/{HUGE}", f"/staff/concerns/{HUGE}",
                                  f"/staff/agms/{HUGE}/edit"])
def test_a_huge_number_in_an_address_names_nothing(client, make_user, log_in, path):
    log_in(client, make_user("staff@example.org", role=Role.STAFF))
    assert client.get(path).status_code == 404


def test_huge_numbers_in_arguments_and_forms_are_refused_politely(client, make_user, log_in,
                                                                   make_concern, make_agm):
    log_in(client, make_user("staff@example.org", role=Role.STAFF))
    concern = make_concern()
    page = client.get(f"/staff/concerns/?page={HUGE}&company={HUGE}")  # read as no filter
    assert f'<a href="/staff/concerns/{concern.id}">' in page.text
    response = client.post(f"/staff/concerns/{concern.id}/merge",
                           data={"seen_status": "received", "into": HUGE})
    assert response.status_code == 422
    assert "Enter the number of a concern." in response.text
    response = client.post(f"/staff/agms/{make_agm().id}/edit",
                           data={"version": HUGE, "company_id": "1"})
    assert response.status_code == 200 and "The meeting is saved." not in response.text
