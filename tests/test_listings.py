"""The kept lists and counts (briefings.models.listings) stay exact: after every state change they equal
a recount from the briefings, and what readers see of them matches."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from briefings import publishing
from briefings.models import Briefing, Region, Tally
from briefings.models.listings import Kind
from briefings.publishing import BriefingTags, listings
from tests.concurrency import meet_at_the_lock
from tests.helpers import backdate, make_author, make_briefing, make_theme, publish_soon, region, wait_until


def exact() -> bool:
    found = listings.differences()
    assert found == [], found[:10]
    return True


def retag(briefing: Briefing, *, themes=(), regions=()) -> Briefing:
    """Save new tags and publish them as a correction."""
    tags = BriefingTags(themes=list(themes), regions=list(regions), authors=[make_author()])
    publishing.save_draft(briefing, content={}, tags=tags, by=None, base_revision=briefing.latest_revision_id)
    publishing.publish(briefing, by=None, change_kind="correction", note="Tags corrected.")
    briefing.refresh_from_db()
    return briefing


def shown_count(client, url: str, name: str) -> int | None:
    """The count an index page shows beside a name, or None when the name is not listed."""
    html = client.get(url).text
    match = re.search(rf">{re.escape(name)}</a>\s*<span class=\"count\">(\d+) briefing", html)
    return int(match.group(1)) if match else None


@pytest.mark.django_db
def test_every_state_change_keeps_lists_and_counts_equal_to_a_recount(client):
    space, sea = make_theme("Space"), make_theme("Sea power")
    first = make_briefing(title="Orbits", themes=[space], regions=[region("Japan")], publish=True)
    assert exact()
    second = make_briefing(
        title="Frigates", themes=[space, sea], regions=[region("Kenya"), region("Japan")], publish=True
    )
    assert exact() and Tally.objects.count_of(Kind.THEME, space.pk) == 2
    assert Tally.objects.count_of(Kind.REGION, region("Asia").pk) == 2  # Japan is inside Asia
    assert Tally.objects.count_of(Kind.REGION, region("Africa").pk, within=(Kind.THEME, sea.pk)) == 1

    second = retag(second, themes=[sea], regions=[region("Kenya")])
    assert exact() and Tally.objects.count_of(Kind.THEME, space.pk) == 1
    assert Tally.objects.count_of(Kind.REGION, region("Asia").pk) == 1

    publishing.withdraw(second, by=None, note="Sources retracted.")
    assert exact() and Tally.objects.count_of(Kind.THEME, sea.pk) == 0
    publishing.unpublish(first, by=None)
    assert exact() and not Tally.objects.exists()
    publishing.publish(first, by=None)
    assert exact() and Tally.objects.count_of(Kind.ALL) == 1
    assert shown_count(client, reverse("briefings:theme-index"), "Space") == 1
    assert shown_count(client, reverse("briefings:theme-index"), "Sea power") is None


@pytest.mark.django_db
def test_a_scheduled_briefing_is_listed_and_counted_only_from_its_time(client):
    space = make_theme("Space")
    make_briefing(title="Orbits", themes=[space], publish=True)
    scheduled = make_briefing(title="Launch window", themes=[space])
    go_live = publish_soon(scheduled)
    assert exact() and Tally.objects.count_of(Kind.THEME, space.pk) == 1
    theme_page = reverse("briefings:theme-detail", args=[space.slug])
    assert "Launch window" not in client.get(theme_page).text
    assert shown_count(client, reverse("briefings:theme-index"), "Space") == 1
    wait_until(go_live)
    assert Tally.objects.count_of(Kind.THEME, space.pk) == 2
    assert "Launch window" in client.get(theme_page).text
    assert shown_count(client, reverse("briefings:theme-index"), "Space") == 2


@pytest.mark.django_db
def test_moving_a_region_into_a_grouping_rebuilds_its_lists(client):
    make_briefing(title="Frigates off Kenya", regions=[region("Kenya")], publish=True)
    indo_pacific = Region.objects.create(name="Indo-Pacific", slug="indo-pacific")
    assert Tally.objects.count_of(Kind.REGION, indo_pacific.pk) == 0
    region("Kenya").parents.add(indo_pacific)
    assert exact() and Tally.objects.count_of(Kind.REGION, indo_pacific.pk) == 1
    assert "Frigates off Kenya" in client.get(indo_pacific.get_absolute_url()).text
    region("Kenya").parents.remove(indo_pacific)
    assert exact() and client.get(indo_pacific.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_the_archive_counts_months_in_the_site_time_zone(client, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    briefing = make_briefing(title="New year", publish=True)
    backdate(briefing, datetime(2024, 12, 31, 20, 0, tzinfo=UTC))
    assert exact()
    assert Tally.objects.count_of(Kind.MONTH, 202501) == 1  # already January in Tokyo
    assert "New year" in client.get(reverse("briefings:archive-month", args=[2025, 1])).text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("order", ["first, second", "second, first"])
def test_two_publications_meeting_at_the_shared_counts_keep_them_exact(order):
    space, sea = make_theme("Space"), make_theme("Sea power")
    make_briefing(title="Orbits", themes=[space, sea], regions=[region("Japan")], publish=True)
    first = make_briefing(title="Frigates", themes=[sea, space], regions=[region("Japan"), region("Kenya")])
    second = make_briefing(title="Cables", themes=[space, sea], regions=[region("Kenya"), region("Japan")])
    actions = [lambda: publishing.publish(first, by=None), lambda: publishing.publish(second, by=None)]
    every_briefing = Tally.objects.filter(kind=Kind.ALL, facet_kind="")
    meet_at_the_lock(first, *(actions if order == "first, second" else actions[::-1]), row=every_briefing)
    assert exact() and Tally.objects.count_of(Kind.THEME, space.pk) == 3
    assert Tally.objects.count_of(Kind.REGION, region("Asia").pk, within=(Kind.THEME, sea.pk)) == 3
