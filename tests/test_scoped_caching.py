"""A change throws away only the kept pages it can change: those of the briefing, of the lists it joins
or leaves, and the shared pages (home, search, indexes, sitemaps); every other page is kept."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from briefings import publishing
from briefings.models import Region
from briefings.scopes import Rendering, ScopeLog, earlier_than, of_listing
from tests.helpers import backdate, edit, make_briefing, make_theme, region, wait_until

pytestmark = pytest.mark.django_db

KEPT = 1  # a kept page costs one query after a change: the look at what changed


@pytest.fixture
def archive():
    space, sea = make_theme("Space"), make_theme("Sea power")
    old = make_briefing(title="Old frigates", themes=[sea], regions=[region("Kenya")], publish=True)
    backdate(old, old.published_at.replace(year=2021, month=3))
    orbits = make_briefing(title="Orbits", themes=[space], regions=[region("Japan")], publish=True)
    backdate(orbits, orbits.published_at.replace(year=2024, month=5))
    cables = make_briefing(title="Cables", themes=[sea], regions=[region("Kenya")], publish=True)
    backdate(cables, cables.published_at.replace(year=2024, month=6))
    return {"space": space, "sea": sea, "old": old, "orbits": orbits, "cables": cables}


def pages(archive) -> dict[str, str]:
    return {
        "space": reverse("briefings:theme-detail", args=["space"]),
        "sea": reverse("briefings:theme-detail", args=["sea-power"]),
        "asia": reverse("briefings:region-detail", args=["asia"]),
        "africa": reverse("briefings:region-detail", args=["africa"]),
        "march 2021": reverse("briefings:archive-month", args=[2021, 3]),
        "orbits": archive["orbits"].get_absolute_url(),
        "cables": archive["cables"].get_absolute_url(),
        "space feed": reverse("briefings:theme-feed", args=["space", "atom"]),
        "home": reverse("briefings:home"),
    }


def rendered_again(client, urls: dict[str, str]) -> set[str]:
    """The pages that were rendered again (more than a look at what changed) when asked now."""
    again = set()
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        if len(queries) > KEPT:
            again.add(name)
    return again


def test_a_new_briefing_renders_again_only_the_pages_it_appears_on(client, archive):
    urls = pages(archive)
    rendered_again(client, urls)
    assert rendered_again(client, urls) == set(), "every page kept"
    make_briefing(title="Launch sites", themes=[archive["space"]], regions=[region("India")], publish=True)
    assert rendered_again(client, urls) == {"space", "asia", "space feed", "home"}
    assert "Launch sites" in client.get(urls["space"]).text and "Launch sites" in client.get(urls["asia"]).text


def test_a_correction_renders_again_its_pages_and_the_lists_showing_it(client, archive):
    urls = pages(archive)
    rendered_again(client, urls)
    briefing = edit(archive["orbits"], title="Orbits, corrected")
    publishing.publish(briefing, by=None, change_kind="correction", note="The title was wrong.")
    assert rendered_again(client, urls) == {"orbits", "space", "asia", "space feed", "home"}
    assert "Orbits, corrected" in client.get(urls["space"]).text


def test_leaving_a_list_renders_that_list_again(client, archive):
    urls = pages(archive)
    rendered_again(client, urls)
    publishing.unpublish(archive["cables"], by=None)
    assert rendered_again(client, {k: v for k, v in urls.items() if k != "cables"}) == {"sea", "africa", "home"}
    assert client.get(urls["cables"]).status_code == 410
    assert "Cables" not in client.get(urls["sea"]).text


def test_a_scheduled_briefing_going_live_renders_again_only_its_lists(client, archive):
    urls = pages(archive)
    scheduled = make_briefing(title="Launch window", themes=[archive["space"]], regions=[region("Japan")])
    go_live = timezone.now() + timedelta(seconds=3)
    publishing.publish(scheduled, by=None, at=go_live)
    rendered_again(client, urls)
    assert "Launch window" not in client.get(urls["space"]).text
    wait_until(go_live)
    assert rendered_again(client, urls) == {"space", "asia", "space feed", "home"}
    assert "Launch window" in client.get(urls["space"]).text


def test_renaming_a_theme_renders_every_page_again(client, archive):
    urls = pages(archive)
    rendered_again(client, urls)
    archive["sea"].name = "Naval power"
    archive["sea"].save()
    assert rendered_again(client, urls) == set(urls)


def test_a_process_keeps_only_pages_it_can_judge():
    log = ScopeLog()
    log.learn(since=90, number=100, changed=[("briefing:1", 95)], latest_live_at=None, gone_live=[])
    assert not log.is_current(Rendering(80, None, frozenset({"theme:1"})), 100, None), "before what it knows"
    log.learn(since=100, number=90, changed=[], latest_live_at=None, gone_live=[])  # restored from a backup
    assert not log.is_current(Rendering(85, None, frozenset({"theme:1"})), 90, None)
    assert not log.is_current(Rendering(95, None, frozenset({"theme:1"})), 90, None), "rendered in lost changes"


def is_a_read_of_tags(sql: str) -> bool:
    return sql.startswith(('SELECT "briefings_region"."id"', 'SELECT "briefings_theme"."id"'))


def test_the_tags_are_read_once_and_again_after_an_editor_changes_one(client, archive):
    urls = pages(archive) | {"japan": reverse("briefings:region-detail", args=["japan"])}
    rendered_again(client, urls)
    make_briefing(title="Launch sites", themes=[archive["space"]], regions=[region("India")], publish=True)
    with CaptureQueriesContext(connection) as queries:
        assert rendered_again(client, urls)
    assert not [query["sql"] for query in queries if is_a_read_of_tags(query["sql"])]
    archive["sea"].name = "Naval power"
    archive["sea"].save()
    pacific = Region.objects.create(name="Pacific Rim", slug="pacific-rim", kind=Region.Kind.GROUPING)
    region("Japan").parents.add(pacific)
    with CaptureQueriesContext(connection) as queries:
        assert "Naval power" in client.get(urls["sea"]).text
        assert "Pacific Rim" in client.get(urls["japan"]).text
    assert len([query for query in queries if is_a_read_of_tags(query["sql"])]) == 2


def test_a_kept_read_lasts_until_everything_changes_and_never_across_a_restore():
    log = ScopeLog()
    log.learn(since=90, number=100, changed=[], latest_live_at=None, gone_live=[])
    log.keep("tree", 100, "tree read in 100")
    log.learn(since=100, number=101, changed=[("theme:1", 101), ("site", 101)], latest_live_at=None, gone_live=[])
    assert log.kept_value("tree", 101) == "tree read in 100"
    log.learn(since=101, number=102, changed=[("everything", 102)], latest_live_at=None, gone_live=[])
    assert log.kept_value("tree", 102) is None
    log.keep("tree", 102, "tree read in 102")
    assert log.kept_value("tree", 102) == "tree read in 102"
    log.learn(since=102, number=95, changed=[], latest_live_at=None, gone_live=[])  # restored from a backup
    assert log.kept_value("tree", 95) is None
    log.keep("tree", 97, "tree read in a change rolled back")
    assert log.kept_value("tree", 96) is None


@pytest.mark.parametrize(
    ("published", "reaches_a_page_of_may_2024"),
    [("2024-03-02", True), ("2023-07-01", True), ("1995-01-01", True), ("2024-06-01", False), ("2026-12-01", False)],
)
def test_related_depends_on_earlier_briefings_only(published, reaches_a_page_of_may_2024):
    moment = datetime.fromisoformat(f"{published}T09:00:00+00:00")
    changed = of_listing("theme", 3, 99, moment)
    read = earlier_than("theme", 3, datetime(2024, 5, 20, tzinfo=UTC))
    assert bool(changed & read) is reaches_a_page_of_may_2024
