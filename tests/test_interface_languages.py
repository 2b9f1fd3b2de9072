"""The interface in each of the site's languages: /fr/ pages in French, a briefing's pages in its own
language, dates, counts and citations as that language writes them, and a complete French catalogue."""

import re
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify

from briefings import publishing
from briefings.models import Card, Theme
from tests.helpers import backdate, edit, make_author, make_briefing, make_theme, make_user

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parent.parent / "briefings" / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def page(client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


@pytest.fixture
def french():
    briefing = make_briefing(
        title="Les drones de l’Ukraine",
        standfirst="Une industrie née de la guerre.",
        body="## Contexte\n\n" + "Les ateliers se multiplient. " * 400,
        language="fr",
        themes=[make_theme("Defence industry")],
        publish=True,
    )
    backdate(briefing, datetime(2026, 3, 14, 12, tzinfo=UTC))
    return briefing


def test_every_french_message_is_translated():
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [entry.msgid for entry in catalogue if not entry.translated()]
    assert catalogue.percent_translated() == 100, untranslated


def test_a_prefixed_address_speaks_its_language_and_links_within_it(client, french):
    home = page(client, "/fr/")
    assert '<html lang="fr">' in home and "Dernières notes" in home and "Latest briefings" not in home
    assert 'href="/fr/themes/"' in home and 'href="/fr/search/"' in home
    assert f'href="{french.get_absolute_url()}"' in home  # a briefing's address has no prefix
    english = page(client, "/")
    assert '<html lang="en">' in english and "Latest briefings" in english and 'href="/themes/"' in english


def test_every_reading_page_has_a_french_address(client, french):
    for address, french_words in [
        ("/fr/briefings/", "Toutes les notes"),
        ("/fr/themes/", "Thèmes"),
        ("/fr/themes/defence-industry/", "Fil d’Ariane"),
        ("/fr/regions/", "Régions"),
        ("/fr/authors/", "Auteurs"),
        ("/fr/series/", "Séries"),
        ("/fr/archive/", "Archives"),
        ("/fr/archive/2026/3/", "Mars 2026"),
        ("/fr/search/?q=drones", "résultat pour « drones »"),
        ("/fr/alerts/", "Recevoir des alertes par courriel"),
    ]:
        assert french_words in page(client, address), address
    assert client.get("/fr/briefings/les-drones-de-lukraine/").status_code == 404  # one address per briefing
    assert client.get("/de/").status_code == 404  # not one of the site's languages


def test_a_french_briefing_speaks_french_whatever_the_address_around_it(client, french):
    html = page(client, french.get_absolute_url())
    assert '<html lang="fr">' in html
    assert "14 mars 2026" in html and "min de lecture" in html and "min read" not in html
    assert "Citer cette note" in html and 'href="/fr/themes/"' in html
    chicago = re.search(r'<p class="citation">(.*?)</p>', html).group(1)
    assert "14 mars 2026" in chicago and "March" not in chicago


def test_a_french_card_speaks_french_in_every_list(client):
    briefing = make_briefing(title="Les satellites", body="Texte.", language="fr", publish=True)
    with translation.override("fr"):
        day = date_format(timezone.localtime(briefing.published_at), "j F Y")
    english_home = page(client, "/")
    card = re.search(r'<article class="summary[^"]*" lang="fr">.*?</article>', english_home, re.DOTALL).group()
    assert f">{day}</time>" in card and "Les satellites" in card


def test_a_french_briefings_citation_names_its_language(client, french):
    bibtex = client.get(f"{french.get_absolute_url()}v/1/cite.bib").content.decode()
    assert "langid = {french}" in bibtex


def test_a_search_from_the_french_interface_reads_the_query_in_french(client, french):
    edit(french, body="Les industries européennes suivent.")
    publishing.publish(french, by=None, change_kind="minor")
    assert "Les drones de l’Ukraine" in page(client, "/fr/search/?q=européennes")  # read as French: europeen
    assert "Les drones de l’Ukraine" not in page(client, "/search/?q=européennes")  # read as English: europeenn
    # The French site's lists show English originals of works without French: its search finds them too.
    make_briefing(title="Naval drones", body="Sea drones.", publish=True)
    assert "Naval drones" in page(client, "/fr/search/?q=drones")  # read as French, dron; as English, drone


def test_themes_and_regions_go_by_their_name_in_the_readers_language(client, french):
    theme = french.live_revision.themes.get()
    theme.translated_names = {"fr": "Industrie de défense"}
    theme.save()
    assert "Industrie de défense" in page(client, "/fr/themes/")
    assert "Industrie de défense" in page(client, french.get_absolute_url())  # the French briefing's tags
    assert "Industrie de défense" not in page(client, "/themes/") and "Defence industry" in page(client, "/themes/")
    assert "Industrie de défense" in page(client, "/fr/search/?q=ateliers")  # its facet
    assert 'class="kicker">Industrie de défense<' in page(client, "/")  # the French card, made again


def test_an_editor_names_a_theme_in_each_other_language(admin_client):
    response = admin_client.post(
        "/admin/briefings/theme/add/",
        {"name": "Space", "name_fr": "Espace", "slug": "space", "description": ""},
    )
    assert response.status_code == 302
    assert Theme.objects.get(slug="space").translated_names == {"fr": "Espace"}
    form = admin_client.get(f"/admin/briefings/theme/{Theme.objects.get(slug='space').pk}/change/").content.decode()
    assert 'name="name_fr"' in form and 'value="Espace"' in form and "Name in French" in form


def test_every_page_leads_to_the_site_in_the_other_languages(client, french):
    assert '<a href="/fr/themes/" hreflang="fr" lang="fr">Français</a>' in page(client, "/themes/")
    assert '<a href="/search/?q=drones" hreflang="en" lang="en">English</a>' in page(client, "/fr/search/?q=drones")
    # A briefing's page speaks its own language; the site in the others starts at their home page.
    assert '<a href="/" hreflang="en" lang="en">English</a>' in page(client, french.get_absolute_url())


def test_an_english_card_stays_english_on_a_french_page(client):
    both = [make_author("Ana Silva"), make_author("Ben Okafor")]
    briefing = make_briefing(title="Naval drones", body="Text.", authors=both, publish=True)
    day = date_format(timezone.localtime(briefing.published_at), "j F Y")
    Card.objects.all().delete()  # forgotten, as a renamed tag has it: the French page makes it again
    french_home = page(client, "/fr/briefings/")
    card = re.search(r'<article class="summary[^"]*" lang="en">.*?</article>', french_home, re.DOTALL).group()
    assert "Ana Silva and Ben Okafor" in card and f">{day}</time>" in card


def test_themes_and_regions_are_in_the_alphabetical_order_of_the_readers_language(client):
    names = {"Space": "Espace", "Defence industry": "Industrie de défense", "Economic security": "Économie"}
    for name, french in names.items():
        theme = make_theme(name)
        theme.translated_names = {"fr": french}
        theme.save()
        make_briefing(title=f"On {name}", slug=slugify(name), body="Text.", themes=[theme], publish=True)

    def order(address: str, candidates) -> list[str]:
        html = page(client, address)
        return sorted(candidates, key=lambda name: html.index(f">{name}</a>"))

    assert order("/themes/", names) == ["Defence industry", "Economic security", "Space"]
    assert order("/fr/themes/", names.values()) == ["Économie", "Espace", "Industrie de défense"]


def test_a_french_briefings_changes_and_preview_speak_french(client, french):
    publishing.publish(edit(french, body="Texte revu."), by=None, change_kind="correction", note="Un chiffre.")
    changes = page(client, f"{french.get_absolute_url()}changes/")
    assert '<html lang="fr">' in changes and "Ce qui a changé entre la version 1 et la version 2" in changes
    edit(french, body="Un brouillon.")
    link = publishing.share_preview(french, by=make_user("ana"))
    preview = page(client, f"/preview/{link.token}/")
    assert '<html lang="fr">' in preview and "Aperçu d’un brouillon non publié" in preview
