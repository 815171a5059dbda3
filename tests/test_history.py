"""The change history as staff read it: field names and values in the reader's language,
the community's words and contact details never shown."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from agmtool import history
from agmtool.models import History


def shown(object_type: str, changes: dict, lang: str = "en") -> list[tuple]:
    with force_locale(lang):
        return [(c.label, c.old, c.new)
                for c in history.changes_shown(History(object_type=object_type,
                                                       changes=changes))]


@pytest.fixture
def request_context(app):
    with app.test_request_context("/"):
        yield


@pytest.mark.usefixtures("request_context")
def test_concern_fields_and_values_are_named_in_each_language():
    changes = {"status": ["received", "declined"], "closed_on": [None, "2027-03-14"],
               "decline_reason": [None, "Fuera de alcance"]}
    assert shown("concern", changes) == [
        ("Status", "Received", "Declined"), ("Closed on", "–", "14 Mar 2027"),
        ("Reason for declining", "–", "Fuera de alcance")]
    assert shown("concern", changes, "es")[:2] == [
        ("Estado", "Recibida", "Rechazada"), ("Cerrada el", "–", "14 mar 2027")]
    assert shown("concern", changes, "pt")[:2] == [
        ("Situação", "Recebido", "Recusado"), ("Encerrado em", "–", "14 de mar. de 2027")]
    assert shown("concern", changes, "id")[:2] == [
        ("Status", "Diterima", "Ditolak"), ("Ditutup pada", "–", "14 Mar 2027")]


@pytest.mark.usefixtures("request_context")
def test_private_words_show_only_that_they_changed():
    changes = {"body": ["…", "…"], "wanted": ["…", "…"], "contact_name": ["…", "…"],
               "contact_details": ["…", "…"], "status": ["accepted", "withdrawn"]}
    assert shown("concern", changes) == [
        ("Status", "Accepted", "Withdrawn"), ("What is happening?", None, None),
        ("What the community wants", None, None), ("Contact details", None, None)]


@pytest.mark.usefixtures("request_context")
def test_meeting_values_are_formatted_as_on_the_form():
    changes = {"local_time": ["10:00:00", None], "questions_deadline":
               ["2027-04-22T17:00:00", "2027-04-23T09:30:00"], "format": [None, "hybrid"],
               "fold": [0, 1]}
    assert shown("agm", changes) == [
        ("Start time (local)", "10:00", "–"),
        ("If the time happens twice (clocks going back)", "0", "1"),
        ("Format", "–", "Hybrid (in person and online)"),
        ("Deadline for written questions (local)", "22 Apr 2027, 17:00", "23 Apr 2027, 09:30")]


@pytest.mark.usefixtures("request_context")
def test_accounts_merges_and_quarantine_read_as_words():
    assert shown("user", {"active": [True, False], "languages": ["es", "es,id"],
                          "role": ["translator", "staff"]}, "pt") == [
        ("Função", "Tradutor(a)", "Equipe"),
        ("Idiomas de tradução", "espanhol", "espanhol, indonésio"),
        ("Conta ativa", "Sim", "Não")]
    assert shown("concern", {"merged_into_id": [None, 12],
                             "quarantine_reason": [None, "too_fast"]}) == [
        ("Held back because", "–", "it was sent faster than a person can type"),
        ("Merged into", "–", "concern 12")]


@pytest.mark.usefixtures("request_context")
def test_long_values_are_shortened_and_bookkeeping_left_out():
    (change,) = shown("company", {"notes": [None, "x" * 500], "source_version": [1, 2]})
    assert change == ("Private notes (staff only, never published)", "–", "x" * 159 + "…")
    assert shown("translation", {"approved_by_id": [None, 3], "source_version": [1, 2]}) == []
