"""Cached public work is kept only while public content is unchanged: no reader sees a stale answer."""

import re
import time

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from briefings import beacon, freshness, publishing
from briefings.models import Briefing, Region, Series
from tests.helpers import edit, make_author, make_briefing, make_theme, publish_soon, region, wait_until

pytestmark = pytest.mark.django_db


def titles(client, **params) -> list[str]:
    """The titles a reader is shown for a search."""
    response = client.get("/search/", params)
    assert response.status_code == 200
    return sorted(re.findall(r'<h2 class="summary-title"><a href="[^"]+">([^<]+)</a>', response.content.decode()))


def test_a_repeated_search_is_answered_from_the_cache(client):
    make_briefing(title="Frigates in the Baltic", publish=True)
    with CaptureQueriesContext(connection) as first:
        assert titles(client, q="frigates") == ["Frigates in the Baltic"]
    with CaptureQueriesContext(connection) as repeated:
        assert titles(client, q="frigates") == ["Frigates in the Baltic"]
    searched = [query["sql"] for query in repeated.captured_queries if "search_vector" in query["sql"]]
    assert searched == [], "the ranked hits come from the cache"
    assert len(repeated) < len(first)


def test_a_value_kept_by_another_release_of_the_code_is_computed_again(monkeypatch):
    assert freshness.remember(("answer",), lambda: ("id", "time", "revision")) == ("id", "time", "revision")
    assert freshness.remember(("answer",), lambda: ("id", "time")) == ("id", "time", "revision")  # kept
    monkeypatch.setattr(freshness, "RELEASE", "the next release")
    assert freshness.remember(("answer",), lambda: ("id", "time")) == ("id", "time")


def test_publishing_shows_at_once_in_a_search_already_answered(client):
    make_briefing(title="Frigates in the Baltic", publish=True)
    assert titles(client, q="frigates") == ["Frigates in the Baltic"]
    make_briefing(title="Frigates in the Pacific", publish=True)
    assert titles(client, q="frigates") == ["Frigates in the Baltic", "Frigates in the Pacific"]


def test_a_published_update_shows_at_once(client):
    briefing = make_briefing(title="Frigates in the Baltic", publish=True)
    assert titles(client, q="corvettes") == []
    edit(briefing, body="Corvettes too.")
    assert titles(client, q="corvettes") == [], "an unpublished edit stays private"
    publishing.publish(briefing, by=None)
    assert titles(client, q="corvettes") == ["Frigates in the Baltic"]


@pytest.mark.parametrize("takedown", ["unpublish", "withdraw"])
def test_taking_a_briefing_down_removes_it_at_once(client, takedown):
    briefing = make_briefing(title="Frigates in the Baltic", publish=True)
    assert titles(client, q="frigates") == ["Frigates in the Baltic"]
    if takedown == "unpublish":
        publishing.unpublish(briefing, by=None)
    else:
        publishing.withdraw(briefing, by=None, note="Its sources did not hold.")
    assert titles(client, q="frigates") == []


def test_a_scheduled_briefing_appears_when_its_time_comes(client):
    make_briefing(title="Frigates in the Baltic", publish=True)
    go_live = publish_soon(make_briefing(title="Frigates in the Pacific"))
    assert titles(client, q="frigates") == ["Frigates in the Baltic"]
    wait_until(go_live)
    assert titles(client, q="frigates") == ["Frigates in the Baltic", "Frigates in the Pacific"]


def test_regrouping_regions_changes_a_region_filter_at_once(client):
    make_briefing(title="Frigates off Kenya", regions=[region("Kenya")], publish=True)
    indo_pacific = Region.objects.create(name="Indo-Pacific", slug="indo-pacific")
    assert titles(client, q="frigates", region="indo-pacific") == []
    region("Kenya").parents.add(indo_pacific)
    assert titles(client, q="frigates", region="indo-pacific") == ["Frigates off Kenya"]


def test_featuring_changes_the_token():
    briefing = make_briefing(title="Frigates in the Baltic", publish=True)
    before = freshness.public_state().token
    publishing.feature(Briefing.objects.filter(pk=briefing.pk), by=None)
    featured = freshness.public_state().token
    publishing.stop_featuring(Briefing.objects.filter(pk=briefing.pk), by=None)
    assert len({before, featured, freshness.public_state().token}) == 3


def rename_theme():
    theme = make_theme("Space")
    theme.name = "Space policy"
    theme.save()


def add_series():
    Series.objects.create(title="Eyes in orbit", slug="eyes-in-orbit")


def delete_region():
    region("Kenya").delete()


@pytest.mark.parametrize("change", [rename_theme, lambda: make_author("Olena Kovalenko"), add_series, delete_region])
def test_editing_tags_changes_the_token(change):
    make_theme("Space")
    before = freshness.public_state().token
    change()
    assert freshness.public_state().token != before


def test_saving_a_draft_leaves_the_token_alone():
    briefing = make_briefing(title="Frigates in the Baltic", publish=True)
    before = freshness.public_state().token
    edit(briefing, body="A private rewrite.")
    make_briefing(title="A new draft")
    assert freshness.public_state().token == before


def test_a_change_committed_elsewhere_makes_this_process_read_the_state_again(django_assert_num_queries):
    freshness.public_state()  # listening from here on
    with django_assert_num_queries(0):
        freshness.public_state()
    parameters = {k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"}
    with psycopg.connect(**parameters, autocommit=True) as other_worker:
        other_worker.execute(f"NOTIFY {freshness.CHANNEL}")
    time.sleep(0.2)
    with django_assert_num_queries(1):
        freshness.public_state()
    with django_assert_num_queries(0):
        freshness.public_state()


def test_without_a_listening_connection_every_request_asks_the_database(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(freshness.Watcher, "listen", lambda watcher: None)
    freshness.WATCHER.close()
    for _ in range(3):
        with django_assert_num_queries(1):
            freshness.public_state()


def test_a_change_whose_notice_has_not_arrived_is_seen_at_the_next_request():
    """Reproduces the report of stale pages 7-29 ms after a publish answered: the other worker had not
    heard the NOTIFY yet. The change's number on the beacon is enough, notice or not."""
    before = freshness.public_state().token  # listening, and the state known
    parameters = {k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"}
    with psycopg.connect(**parameters, autocommit=True) as other_worker:  # a change whose notice is late
        number = other_worker.execute(
            f"INSERT INTO {freshness.VERSION_TABLE} (id, number) VALUES (1, 1) "
            f"ON CONFLICT (id) DO UPDATE SET number = {freshness.VERSION_TABLE}.number + 1 RETURNING number"
        ).fetchone()[0]
    beacon.signal()
    assert freshness.public_state().token != before
    assert freshness.public_state().token.split(":")[1] == str(number)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_beacon_signals_on_commit_and_never_for_a_rollback():
    committed = beacon.read()
    with pytest.raises(RuntimeError), transaction.atomic():
        freshness.public_content_changed()
        raise RuntimeError("the publish fails")
    assert beacon.read() == committed
    with transaction.atomic():
        freshness.public_content_changed()
        assert beacon.read() == committed  # not before the commit
    assert beacon.read() != committed
