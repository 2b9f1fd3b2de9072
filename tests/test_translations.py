"""Translations in the admin: a briefing of its own in another of the site's languages, started from the
original's text and tags, linked to its work, and flagged when the original has changed since."""

import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone

from briefings import publishing
from briefings.models import Briefing
from tests.concurrency import meet_at_the_lock
from tests.helpers import (
    backdate,
    edit,
    make_briefing,
    make_theme,
    make_user,
    publish_soon,
    region,
    sitemap_of,
    wait_until,
)


def change_page(briefing: Briefing) -> str:
    return reverse("admin:briefings_briefing_change", args=[briefing.pk])


def translate(client: Client, briefing: Briefing, language: str):
    return client.post(reverse("admin:briefings_briefing_translate", args=[briefing.pk]), {"language": language})


def corrected(briefing: Briefing, **content) -> Briefing:
    briefing = edit(briefing, **content)
    publishing.publish(briefing, by=None, change_kind="correction", note="A figure was wrong.")
    briefing.refresh_from_db()
    return briefing


@pytest.fixture
def editor(client):
    client.force_login(make_user("ana"))
    return client


@pytest.fixture
def original(db):
    return make_briefing(
        title="Satellites over the Arctic",
        body="## Context\n\nNorway launched two satellites.",
        themes=[make_theme("Space")],
        regions=[region("Norway")],
        publish=True,
    )


@pytest.mark.django_db
def test_add_translation_starts_a_draft_from_the_published_text_and_tags(editor, original):
    edit(original, body="An unpublished draft of the next version.")
    response = translate(editor, original, "fr")
    translation = Briefing.objects.get(translation_of=original)
    assert response.status_code == 302 and response["Location"] == change_page(translation)
    assert translation.language == "fr" and translation.slug == "satellites-over-the-arctic-fr"
    assert translation.status == "draft" and translation.latest_revision.number == 1
    assert translation.body == "## Context\n\nNorway launched two satellites."  # the published text, not the draft
    assert [theme.name for theme in translation.themes.all()] == ["Space"]
    assert [place.name for place in translation.regions.all()] == ["Norway"]
    assert [author.name for author in translation.authors] == ["Jane Doe"]
    assert translation.owner.username == "ana"
    assert "A French draft was started from this text." in editor.get(response["Location"]).text


@pytest.mark.django_db
def test_each_briefing_of_a_work_lists_the_others_and_their_states(editor, original):
    translate(editor, original, "fr")
    translation = Briefing.objects.get(translation_of=original)
    page = editor.get(change_page(original)).text
    assert "French" in page and f'href="{change_page(translation)}"' in page and "Draft" in page
    assert "Not yet translated" not in page and 'value="fr"' not in page  # nothing left to add
    page = editor.get(change_page(translation)).text
    assert "English (original)" in page and f'href="{change_page(original)}"' in page
    assert 'id="id_language"' not in page  # a language of a work is a briefing of its own: it stays


@pytest.mark.django_db
def test_a_translation_of_a_translation_belongs_to_the_same_work(editor, original, settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "French"), ("de", "German")]
    french = publishing.add_translation(original, "fr", by=None)
    translate(editor, french, "de")
    german = Briefing.objects.get(language="de")
    assert german.translation_of == original and german.slug == "satellites-over-the-arctic-fr-de"
    assert [briefing.language for briefing in german.work()] == ["en", "de", "fr"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_a_language_taken_or_not_the_sites_is_refused_and_nothing_is_written(editor, original, language):
    publishing.add_translation(original, "fr", by=None)
    count = Briefing.objects.count()
    response = translate(editor, original, language)
    assert response.status_code == 302 and response["Location"] == change_page(original)
    assert (
        "Choose one of the site&#x27;s languages the work is not yet written in."
        in editor.get(change_page(original)).text
    )
    assert Briefing.objects.count() == count
    with pytest.raises(publishing.WorkflowError):
        publishing.add_translation(original, language, by=None)


@pytest.mark.django_db
def test_only_those_who_may_add_briefings_start_translations(client, original):
    reader = User.objects.create_user("vic", password="pw-for-tests-1", is_staff=True)
    reader.user_permissions.add(*Permission.objects.filter(codename__in=["view_briefing", "change_any_briefing"]))
    client.force_login(reader)
    assert "Add translation" not in client.get(change_page(original)).text
    assert translate(client, original, "fr").status_code == 403
    assert not Briefing.objects.filter(translation_of=original).exists()


@pytest.mark.django_db
def test_a_briefing_with_translations_keeps_its_language(original):
    publishing.add_translation(original, "fr", by=None)
    with pytest.raises(ValidationError, match="has translations"):
        edit(original, language="fr")
    assert Briefing.objects.get(pk=original.pk).language == "en"


@pytest.mark.django_db
def test_a_translation_is_out_of_date_once_its_original_changes_after_it_was_published(editor, original):
    translation = publishing.add_translation(original, "fr", by=None)
    edit(translation, title="Des satellites au-dessus de l'Arctique", body="Trois satellites.")
    publishing.publish(translation, by=None)
    a_year_ago = timezone.now() - timedelta(days=365)  # both published then: the translation's date is not the
    original.state_changes.update(effective_at=a_year_ago - timedelta(days=1))  # day the original changed
    translation.state_changes.update(effective_at=a_year_ago)
    assert not [briefing for briefing in original.work() if briefing.is_out_of_date]
    edit(original, body="Norway launched two satellites, not three.")
    publishing.publish(original, by=None, change_kind="minor")
    assert not [briefing for briefing in original.work() if briefing.is_out_of_date]  # a minor edit: nothing to follow
    assert "Out of date" not in editor.get(change_page(original)).text
    corrected(original, body="Norway launched three satellites.")
    flagged = [briefing for briefing in original.work() if briefing.is_out_of_date]
    assert flagged == [translation]
    changed_on = dateformat.format(timezone.localtime(), "j F Y")  # the correction's day, not the translation's
    assert f"Out of date</strong>: the original changed on {changed_on}" in editor.get(change_page(original)).text
    translation = edit(Briefing.objects.get(pk=translation.pk), body="Trois satellites, corrigé.")
    publishing.publish(translation, by=None, change_kind="correction", note="Chiffre corrigé.")
    assert not [briefing for briefing in original.work() if briefing.is_out_of_date]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("first", ["ana", "ben"])
def test_two_editors_adding_the_same_language_at_once_make_one_translation(original, first):
    clients = {}
    for name in ("ana", "ben"):
        clients[name] = Client()
        clients[name].force_login(make_user(name))
    order = [first, "ben" if first == "ana" else "ana"]
    results = meet_at_the_lock(
        original, *(lambda name=name: translate(clients[name], original, "fr") for name in order)
    )
    assert [result.status_code for result in results] == [302, 302]
    translation = Briefing.objects.get(translation_of=original)
    assert translation.owner.username == first and results[0]["Location"] == change_page(translation)
    assert results[1]["Location"] == change_page(original)


@pytest.mark.django_db
def test_the_demo_has_french_translations_and_one_corrected_in_french_only():
    call_command("load_demo", stdout=io.StringIO())
    translated = Briefing.objects.listed().filter(language="fr", translation_of__language="en")
    assert translated.count() >= 3
    arctic = Briefing.objects.get(slug="grand-nord-finlande-suede-otan")
    assert arctic.translation_of.slug == "arctic-northern-fleet" and "mars 2024" in arctic.live_revision.body
    assert arctic.state_changes.filter(change_kind="correction", note__startswith="Une version précédente").exists()
    assert not arctic.translation_of.state_changes.filter(change_kind="correction").exists()
    assert not [briefing for briefing in arctic.work() if briefing.is_out_of_date]  # the original did not change


def alternates(page: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', page))


@pytest.mark.django_db
def test_published_translations_are_alternates_of_each_other_and_a_draft_is_not(client, original):
    backdate(original, datetime(2020, 1, 15, tzinfo=UTC))  # its page shows no list the translation joins
    french = publishing.add_translation(original, "fr", by=None)
    french = edit(french, title="Des satellites au-dessus de l'Arctique", body="La Norvège a lancé deux satellites.")
    page = client.get(original.get_absolute_url()).text
    assert alternates(page) == {} and "satellites-over-the-arctic-fr" not in page  # a draft: invisible
    publishing.publish(french, by=None)
    english_url = f"http://testserver{original.get_absolute_url()}"
    french_url = f"http://testserver{french.get_absolute_url()}"
    english_page, french_page = client.get(original.get_absolute_url()).text, client.get(french.get_absolute_url()).text
    assert alternates(english_page) == {"en": english_url, "fr": french_url, "x-default": english_url}
    assert alternates(french_page) == alternates(english_page)  # reciprocal
    assert '<html lang="fr">' in french_page
    assert f'<a href="{french_url}" hreflang="fr" lang="fr">Français</a>' in english_page
    assert f'<a href="{english_url}" hreflang="en" lang="en">English</a>' in french_page
    assert '<span aria-current="page" lang="fr">Français</span>' in french_page
    publishing.unpublish(french, by=None)
    page = client.get(original.get_absolute_url()).text  # the kept page went with the translation
    assert alternates(page) == {} and french_url not in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_translation_going_live_at_its_time_appears_on_its_originals_page(client, original):
    with transaction.atomic():
        backdate(original, datetime(2020, 1, 15, tzinfo=UTC))
    french = publishing.add_translation(original, "fr", by=None)
    go_live = publish_soon(french)
    assert alternates(client.get(original.get_absolute_url()).text) == {}
    wait_until(go_live)
    assert alternates(client.get(original.get_absolute_url()).text)["fr"].endswith(french.get_absolute_url())


def json_ld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL).group(1))


@pytest.mark.django_db
def test_structured_data_and_metadata_carry_the_language_and_the_works_links(client, original):
    french = publishing.add_translation(original, "fr", by=None)
    publishing.publish(edit(french, title="Des satellites au-dessus de l'Arctique"), by=None)
    english_page, french_page = client.get(original.get_absolute_url()).text, client.get(french.get_absolute_url()).text
    english_url = f"http://testserver{original.get_absolute_url()}"
    french_url = f"http://testserver{french.get_absolute_url()}"
    assert json_ld(english_page)["inLanguage"] == "en" and json_ld(french_page)["inLanguage"] == "fr"
    assert json_ld(english_page)["workTranslation"] == [{"@type": "Report", "url": french_url, "inLanguage": "fr"}]
    assert json_ld(french_page)["translationOfWork"] == {"@type": "Report", "url": english_url, "inLanguage": "en"}
    assert "translationOfWork" not in json_ld(english_page) and "workTranslation" not in json_ld(french_page)
    assert '<meta name="citation_language" content="fr">' in french_page


@pytest.mark.django_db
def test_the_sitemap_names_each_published_language_of_a_work_as_alternates(client, original):
    def sitemap(briefing: Briefing) -> str:
        return client.get(sitemap_of(briefing)).content.decode()

    french = publishing.add_translation(original, "fr", by=None)
    assert "xhtml:link" not in sitemap(original)  # a draft translation is no alternate
    publishing.publish(french, by=None)
    links = {
        f'<xhtml:link rel="alternate" hreflang="{language}" href="http://testserver{briefing.get_absolute_url()}"/>'
        for language, briefing in (("en", original), ("fr", french))
    }
    for briefing in (original, french):
        entry = re.search(rf"<url><loc>[^<]*/{briefing.slug}/</loc>(.*?)</url>", sitemap(briefing)).group(1)
        assert set(re.findall(r"<xhtml:link [^>]*/>", entry)) == links
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in sitemap(original)
