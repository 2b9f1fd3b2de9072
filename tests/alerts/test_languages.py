"""Email alerts in the reader's language: asked for on the French site, confirmed, and sent in French;
each reader hears of the briefing of a work they read, in their language where it is published."""

import re

import pytest

from briefings import publishing
from briefings.models import Subscriber
from tests.alerts.mail import follow
from tests.helpers import edit, make_briefing, make_user, run_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def french_link(message, pattern: str) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"https://briefings\.example\.org(/fr/alerts/{pattern}/[^/\s]+/)", text).group(1)


def test_a_reader_who_asks_in_french_confirms_and_reads_in_french(client, inbox, space):
    space.translated_names = {"fr": "Espace"}
    space.save()
    response = client.post("/fr/alerts/?theme=space", {"email": "lectrice@example.org", "frequency": "immediately"})
    assert response["Location"] == "/fr/alerts/check-your-email/"
    run_worker()
    (confirmation,) = inbox.messages
    assert confirmation["Subject"] == "Confirmez vos alertes par courriel : Espace"
    assert "Pour confirmer, ouvrez cette adresse" in confirmation.get_body(("plain",)).get_content()
    assert '<html lang="fr">' in confirmation.get_body(("html",)).get_content()
    client.post(french_link(confirmation, "confirm"))
    assert Subscriber.objects.get().language == "fr"

    make_briefing(title="Les satellites", body="Texte.", language="fr", themes=[space], publish=True)
    run_worker()
    alert = inbox.messages[-1]
    assert alert["Subject"] == "Nouvelle note : Les satellites"
    text = alert.get_body(("plain",)).get_content()
    assert "Vous recevez ce courriel parce que vous suivez Espace" in text and "/fr/alerts/manage/" in text
    assert "Espace" in client.get(re.search(r"/fr/alerts/manage/\S+/", text).group()).content.decode()


def test_each_reader_hears_of_the_work_in_the_language_they_read(inbox, space):
    follow("reader@example.org", theme="space")
    follow("lectrice@example.org", theme="space")
    Subscriber.objects.filter(address="lectrice@example.org").update(language="fr")
    original = make_briefing(title="Satellites", body="Text.", themes=[space], publish=True)
    run_worker()
    assert sorted(message["To"] for message in inbox.messages) == ["lectrice@example.org", "reader@example.org"]

    french = edit(publishing.add_translation(original, "fr", by=make_user("ana")), title="Les satellites")
    publishing.publish(french, by=None)
    run_worker()
    (alert,) = inbox.messages[2:]  # the French reader reads the work in French now; the English reader does not
    assert alert["To"] == "lectrice@example.org" and alert["Subject"] == "Nouvelle note : Les satellites"

    publishing.publish(edit(original, body="Corrected."), by=None, change_kind="correction", note="A date.")
    run_worker()
    (correction,) = inbox.messages[3:]
    assert correction["To"] == "reader@example.org" and correction["Subject"] == "Correction: Satellites"
