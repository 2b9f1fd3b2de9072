"""Search in each briefing's own language: French stemming and accents, the language filter and facet."""

import pytest

from tests.helpers import make_briefing

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    english = make_briefing(
        title="European satellites", standfirst="Europe's eyes in orbit.", body="Text.", language="en", publish=True
    )
    french = make_briefing(
        title="Les satellites de la défense",
        standfirst="Les politiques européennes de l'espace militaire.",
        body="La France lance un satellite d'écoute.",
        language="fr",
        publish=True,
    )
    return english, french


def found(client, **params) -> list[str]:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return [card.title for card, _ in response.context["results"] or []]


def test_a_french_briefing_is_found_by_other_forms_of_its_words(client, archive):
    assert found(client, q="satellite", language="fr") == ["Les satellites de la défense"]
    assert found(client, q="européen", language="fr") == ["Les satellites de la défense"]
    assert found(client, q="defense", language="fr") == ["Les satellites de la défense"]  # accents ignored
    assert found(client, q="lancer écoutes", language="fr") == ["Les satellites de la défense"]


def test_english_stemming_does_not_reach_french_inflections(client, archive):
    """The French briefing is indexed in French: the English reading of "européen" misses "européennes"."""
    assert found(client, q="européen", language="en") == []
    assert found(client, q="satellite", language="en") == ["European satellites"]


def test_results_in_several_languages_can_be_narrowed_to_one(client, archive):
    response = client.get("/search/", {"q": "satellites"})
    assert {card.title for card, _ in response.context["results"]} == {
        "European satellites",
        "Les satellites de la défense",
    }
    facet = dict(response.context["facets"])["Language"]
    assert [(option.label, option.count) for _, option in facet] == [("English", 1), ("Français", 1)]
    narrowed = client.get(f"/search/{facet[1][0]}")
    assert [card.title for card, _ in narrowed.context["results"]] == ["Les satellites de la défense"]
    page = narrowed.content.decode()
    assert "Français" in page and 'aria-label="Remove the language filter"' in page
    assert 'name="language" value="fr"' in page  # a new query keeps the filter


def test_a_search_with_one_language_has_no_language_facet(client, archive):
    response = client.get("/search/", {"q": "satellites", "language": "en"})
    assert "Language" not in dict(response.context["facets"])


def test_an_unknown_language_is_not_found(client, archive):
    assert client.get("/search/", {"q": "satellites", "language": "xx"}).status_code == 404


def test_a_snippet_highlights_french_inflections(client, archive):
    page = client.get("/search/", {"q": "satellites lancé", "language": "fr"}).content.decode()
    assert "<mark>lance</mark>" in page and "<mark>satellite</mark>" in page
