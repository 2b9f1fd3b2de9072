"""Lists show each reader one card per work: its briefing in their language where it is published, else
the original; counts count works; the change follows publications, schedules and both orders of a race."""

import re

import pytest
from django.utils import translation

from briefings import publishing
from briefings.models import Briefing, Listing, Tally
from briefings.models.listings import Kind
from briefings.publishing import listings
from tests.concurrency import meet_at_the_lock
from tests.helpers import edit, make_briefing, make_theme, make_user, publish_soon, wait_until

TITLES = {"en": "Satellites over the Arctic", "fr": "Des satellites au-dessus de l’Arctique"}


@pytest.fixture
def space(db):
    return make_theme("Space")


@pytest.fixture
def original(space):
    return make_briefing(title=TITLES["en"], body="## Context\n\nText.", themes=[space], publish=True)


def translated(original: Briefing, *, publish: bool = True) -> Briefing:
    french = publishing.add_translation(original, "fr", by=make_user("ana"))
    french = edit(french, title=TITLES["fr"])
    if publish:
        publishing.publish(french, by=None)
        french.refresh_from_db()
    return french


def cards(client, address: str) -> list[str]:
    page = client.get(address).content.decode()
    return re.findall(r'<h3 class="summary-title"><a href="[^"]+">([^<]+)</a>', page)


def titles_in(client, prefix: str = "") -> dict[str, list[str]]:
    return {address: cards(client, f"{prefix}{address}") for address in ("/", "/briefings/", "/themes/space/")}


def test_each_reader_sees_the_work_once_in_their_language(client, original, space):
    translated(original)
    assert set(map(tuple, titles_in(client).values())) == {(TITLES["en"],)}
    assert set(map(tuple, titles_in(client, "/fr").values())) == {(TITLES["fr"],)}
    for language in ("en", "fr"):
        with translation.override(language):
            assert Tally.objects.count_of(Kind.THEME, space.pk) == 1
            assert Tally.objects.count_of(Kind.ALL) == 1
    assert "1 note" in client.get("/fr/themes/").content.decode()


def test_a_work_without_the_readers_language_shows_its_original(client, original):
    make_briefing(title="Une note écrite en français", body="Texte.", language="fr", publish=True)
    assert cards(client, "/fr/briefings/") == ["Une note écrite en français", TITLES["en"]]
    assert cards(client, "/briefings/") == ["Une note écrite en français", TITLES["en"]]


def test_the_original_comes_back_when_the_translation_goes(client, original):
    french = translated(original)
    publishing.unpublish(french, by=None)
    assert cards(client, "/fr/briefings/") == [TITLES["en"]]
    publishing.unpublish(original, by=None)
    assert cards(client, "/fr/briefings/") == cards(client, "/briefings/") == []


def test_a_translation_without_its_original_is_every_readers_card(client, original):
    french = translated(original)
    publishing.unpublish(original, by=None)
    assert cards(client, "/briefings/") == cards(client, "/fr/briefings/") == [TITLES["fr"]]
    publishing.publish(Briefing.objects.get(pk=original.pk), by=None, change_kind="minor")
    assert cards(client, "/briefings/") == [TITLES["en"]] and cards(client, "/fr/briefings/") == [TITLES["fr"]]
    assert french.pk in Listing.objects.filter(kind=Kind.ALL).values_list("briefing", flat=True)


def test_a_scheduled_translation_replaces_the_original_when_it_goes_live(client, original):
    french = translated(original, publish=False)
    go_live = publish_soon(french)
    assert cards(client, "/fr/briefings/") == [TITLES["en"]]
    with translation.override("fr"):
        assert Tally.objects.count_of(Kind.ALL) == 1
    wait_until(go_live)
    assert cards(client, "/fr/briefings/") == [TITLES["fr"]] and cards(client, "/briefings/") == [TITLES["en"]]
    with translation.override("fr"):
        assert Tally.objects.count_of(Kind.ALL) == 1


def test_a_rebuild_keeps_one_card_per_work(client, original):
    translated(original)
    listings.rebuild()
    assert cards(client, "/fr/briefings/") == [TITLES["fr"]] and cards(client, "/briefings/") == [TITLES["en"]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("first", ["unpublish the original", "publish the translation"])
def test_unpublishing_the_original_and_publishing_its_translation_at_once_leave_one_card(client, first):
    """Both change who is shown of the work; each waits for the other at the original's row, in both orders."""
    original = make_briefing(title=TITLES["en"], body="Text.", publish=True)
    french = translated(original, publish=False)
    actions = {
        "unpublish the original": lambda: publishing.unpublish(Briefing.objects.get(pk=original.pk), by=None),
        "publish the translation": lambda: publishing.publish(Briefing.objects.get(pk=french.pk), by=None),
    }
    second = next(name for name in actions if name != first)
    meet_at_the_lock(original, actions[first], actions[second])
    assert cards(client, "/briefings/") == cards(client, "/fr/briefings/") == [TITLES["fr"]]
    assert list(Listing.objects.filter(briefing=french).values_list("hidden_in", flat=True).distinct()) == [[]]


def test_a_correction_in_one_language_reaches_that_languages_readers_only(client, original):
    french = translated(original)
    publishing.publish(edit(french, body="Texte corrigé."), by=None, change_kind="correction", note="Un chiffre.")
    french_page = client.get(french.get_absolute_url()).content.decode()
    english_page = client.get(original.get_absolute_url()).content.decode()
    assert "Un chiffre." in french_page and "Un chiffre." not in english_page
    french_feed = client.get("/fr/feeds/corrections.atom").content.decode()
    english_feed = client.get("/feeds/corrections.atom").content.decode()
    assert f"<title>Correction : {TITLES['fr']}</title>" in french_feed and '<feed xml:lang="fr"' in french_feed
    assert TITLES["fr"] not in english_feed and 'xml:lang="en"' in english_feed


def test_each_languages_feed_gives_its_readers_cards(client, original):
    translated(original)
    french_feed = client.get("/fr/feeds/all.atom").content.decode()
    assert TITLES["fr"] in french_feed and TITLES["en"] not in french_feed
    assert "Les dernières notes d’analyse." in french_feed
    english_feed = client.get("/feeds/all.rss").content.decode()
    assert (
        TITLES["en"] in english_feed and TITLES["fr"] not in english_feed and "<language>en</language>" in english_feed
    )
