"""Kept list cards: made when a version goes live, read by every list, never showing a tag's old name."""

import threading

import pytest
from django.db import connections, transaction

from briefings import publishing
from briefings.cards import card_format, cards
from briefings.models import Briefing, Card, Series, Theme
from briefings.publishing.cards import hold_cards, keep_missing
from briefings.tasks import keep_cards
from tests.concurrency import meet_at_the_lock
from tests.helpers import edit, make_author, make_briefing, make_theme, run_worker

pytestmark = pytest.mark.usefixtures("empty_queue")


def kept_html(briefing: Briefing) -> str:
    return Card.objects.get(briefing=briefing).html


@pytest.mark.django_db
def test_publishing_keeps_the_card_that_lists_show(client):
    briefing = make_briefing(title="Frigates for the Baltic", themes=[make_theme("Sea power")], publish=True)
    card = Card.objects.get(briefing=briefing)
    assert card.format == card_format()
    assert "Frigates for the Baltic" in card.html and "Sea power" in card.html and "Jane Doe" in card.html
    Card.objects.filter(pk=briefing.pk).update(html=card.html.replace("Frigates", "Kept frigates"))
    for url in ("/", "/briefings/", "/authors/jane-doe/"):
        assert "Kept frigates for the Baltic" in client.get(url).text, url


@pytest.mark.django_db
def test_a_cards_text_is_escaped_once_when_it_is_made(client):
    markup = "<img src=x onerror=alert(1)>"
    make_briefing(
        title=f"Drones {markup}",
        standfirst=f"Cheap {markup}",
        themes=[make_theme(f"Theme {markup}")],
        authors=[make_author(f"Ann {markup}")],
        publish=True,
    )
    for html in (Card.objects.get().html, client.get("/briefings/").text):
        assert markup not in html and html.count("&lt;img src=x onerror=alert(1)&gt;") == 4


@pytest.mark.django_db
def test_a_correction_and_a_new_address_make_the_card_again():
    briefing = make_briefing(title="Frigates", publish=True)
    edit(briefing, title="Frigates and cables")
    publishing.publish(briefing, by=None, change_kind="correction")
    assert "Frigates and cables" in kept_html(briefing) and "updated" in kept_html(briefing)
    edit(briefing, slug="frigates-and-cables")
    assert 'href="/briefings/frigates-and-cables/"' in kept_html(briefing)


@pytest.mark.django_db
def test_a_draft_or_scheduled_change_leaves_the_live_card_alone():
    briefing = make_briefing(title="Frigates", publish=True)
    edit(briefing, title="Not yet live")
    assert "Not yet live" not in kept_html(briefing) and "Frigates" in kept_html(briefing)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_missing_card_or_one_of_another_format_is_made_as_lists_need_it(client):
    briefing = make_briefing(title="Frigates", publish=True)
    Card.objects.update(format="before", html="<p>Made by an older template</p>")
    page = client.get("/briefings/").text
    assert "older template" not in page and "Frigates" in page
    assert [card.title for card in cards([briefing.pk])] == ["Frigates"]
    assert keep_missing() == 1 and Card.objects.get().format == card_format()
    assert keep_missing() == 0
    Card.objects.all().delete()
    keep_cards.defer()  # as it is every few minutes
    run_worker()
    assert "Frigates" in kept_html(briefing)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("tag", ["theme", "author", "series"])
def test_renaming_a_tag_shows_the_new_name_at_once_and_the_worker_keeps_it(client, tag):
    theme, author = make_theme("Sea power"), make_author("Aiko Tanaka")
    series = Series.objects.create(title="Baltic watch", slug="baltic-watch") if tag == "series" else None
    named = {"theme": theme, "author": author, "series": series}[tag]
    field = "title" if tag == "series" else "name"
    in_series = {"series": series, "part": 1} if series else {}
    briefing = make_briefing(title="Frigates", themes=[theme], authors=[author], publish=True, **in_series)
    other = make_briefing(title="Cables", themes=[make_theme("Cyber")], authors=[make_author("Ola Berg")], publish=True)
    setattr(named, "bio" if tag == "author" else "description", "Only this changes.")
    named.save()
    assert Card.objects.count() == 2  # nothing a card shows changed
    setattr(named, field, "Renamed")
    named.save()
    assert list(Card.objects.values_list("pk", flat=True)) == [other.pk]
    assert "Renamed" in client.get("/briefings/").text
    run_worker()
    assert "Renamed" in kept_html(briefing)


def rename_as_an_editor(theme: Theme) -> None:
    with transaction.atomic():  # as the admin saves
        theme.name = "Maritime power"
        theme.save()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("maker", ["publish", "keep_missing"])
@pytest.mark.parametrize("order", ["card first", "rename first"])
def test_a_card_made_while_its_theme_is_renamed_never_keeps_the_old_name(maker, order):
    theme = make_theme("Sea power")
    briefing = make_briefing(title="Frigates", themes=[theme], publish=maker == "keep_missing")
    Card.objects.all().delete()
    make = (lambda: publishing.publish(briefing, by=None)) if maker == "publish" else keep_missing
    actions = [make, lambda: rename_as_an_editor(theme)]
    meet_at_the_lock(
        briefing, *(actions if order == "card first" else actions[::-1]), hold=lambda: hold_cards(exclusive=True)
    )
    assert all("Maritime power" in card.html for card in Card.objects.all())
    assert "Maritime power" in cards([briefing.pk])[0].html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_making_missing_cards_passes_over_a_briefing_being_published():
    briefing = make_briefing(title="Frigates", publish=True)
    Card.objects.all().delete()
    made = []

    def make_missing():
        try:
            made.append(keep_missing())
        finally:
            connections.close_all()

    with transaction.atomic():
        Briefing.objects.select_for_update().get(pk=briefing.pk)  # its publication, under way
        worker = threading.Thread(target=make_missing)
        worker.start()
        worker.join(timeout=10)
    assert made == [0]  # it did not wait for the row, and left the card to the publication
    assert keep_missing() == 1
