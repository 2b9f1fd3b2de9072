"""Briefing and version pages made ahead of readers: served while current, from any process, and never
once something they show has changed."""

import io
import threading

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from briefings import feeds, freshness, publishing
from briefings.models import Briefing, KeptPage, Series
from briefings.publishing import pages
from tests.helpers import edit, make_briefing, make_theme, publish_soon, run_worker, wait_until

MARK = b"<!-- made ahead -->"


def mark(path: str) -> None:
    """Change a kept page's text, so that a reader served it can be told from one served a rendering."""
    page = KeptPage.objects.get(path=path)
    page.body += MARK
    page.save(update_fields=["body"])


def served_ahead(client, path: str) -> bool:
    cache.clear()  # this process has kept nothing: as another app server, or after a restart
    response = client.get(path)
    assert response.status_code in (200, 410), path
    return MARK.decode() in response.text


def corrected(briefing: Briefing, **content) -> None:
    edit(briefing, **content)
    publishing.publish(briefing, by=None, change_kind="correction", note="The title was wrong.")


@pytest.fixture(autouse=True)
def site_address(settings):
    """Pages are made for the site's own address: here, the test client's."""
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def briefing(db):
    return make_briefing(title="Frigates for the Baltic", themes=[make_theme("Sea power")], publish=True)


@pytest.mark.django_db
def test_a_briefings_page_and_each_versions_page_are_made_and_served_to_readers(client, briefing):
    corrected(briefing, title="Frigates for the Baltic Sea")
    assert pages.make_briefings([briefing.pk]) == 3
    paths = {"/briefings/frigates-for-the-baltic/", "/briefings/frigates-for-the-baltic/v/1/",
             "/briefings/frigates-for-the-baltic/v/2/"}  # fmt: skip
    assert set(KeptPage.objects.values_list("path", flat=True)) == paths
    for path in paths:
        mark(path)
        assert served_ahead(client, path), path
    response = client.get("/briefings/frigates-for-the-baltic/")
    assert response["Content-Length"] == str(len(response.content))  # the marked body's
    assert response["ETag"] and "public" in response["Cache-Control"] and response["Content-Security-Policy"]
    assert response["Content-Type"] == "text/html; charset=utf-8" and response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_a_page_made_ahead_costs_a_query_and_answers_only_the_sites_own_address_unqueried(client, settings, briefing):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.org"]
    pages.make_briefings([briefing.pk])
    mark(briefing.get_absolute_url())
    freshness.WATCHER.forget()
    with CaptureQueriesContext(connection) as queries:
        assert served_ahead(client, briefing.get_absolute_url())
    assert len(queries) == 2  # what changed, and the page
    for queries_then in (1, 0):  # kept by this process on a second ask, not the first: a crawler asks once
        with CaptureQueriesContext(connection) as queries:
            assert MARK.decode() in client.get(briefing.get_absolute_url()).text
        assert len(queries) == queries_then
    mirrored = client.get(briefing.get_absolute_url(), HTTP_HOST="mirror.example.org").text
    assert MARK.decode() not in mirrored and '"http://mirror.example.org/briefings/frigates' in mirrored
    cache.clear()
    assert MARK.decode() not in client.get(briefing.get_absolute_url() + "?utm_source=feed").text


@pytest.fixture
def watching_from_now(monkeypatch):
    """This process learns of no change made before it starts watching, as after a long-running site's
    restart: a page made earlier is checked by a query."""
    monkeypatch.setattr(freshness, "FIRST_LOOK_BACK", 0)
    freshness.state_query.cache_clear()
    yield lambda: freshness.WATCHER.start_afresh()
    freshness.state_query.cache_clear()


@pytest.mark.django_db
def test_a_page_made_before_this_process_watched_is_checked_by_the_database(client, briefing, watching_from_now):
    pages.make_briefings([briefing.pk])
    mark(briefing.get_absolute_url())
    make_briefing(title="Cables in the Pacific", publish=True)  # not shown on its page
    watching_from_now()
    with CaptureQueriesContext(connection) as queries:
        assert served_ahead(client, briefing.get_absolute_url())
    assert len(queries) == 3  # what changed, the page, and whether what it read changed since it was made
    corrected(briefing, title="Frigates for the Baltic Sea")
    watching_from_now()
    assert not served_ahead(client, briefing.get_absolute_url())
    assert "Frigates for the Baltic Sea" in client.get(briefing.get_absolute_url()).text


@pytest.mark.django_db
def test_pages_are_made_for_a_site_behind_a_tls_proxy(client, settings, briefing):
    settings.SITE_URL, settings.SECURE_SSL_REDIRECT = "https://testserver", True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert pages.make_briefings([briefing.pk]) == 2
    page = KeptPage.objects.get(path=briefing.get_absolute_url())
    assert b'<link rel="canonical" href="https://testserver/briefings/frigates-for-the-baltic/">' in page.body
    mark(briefing.get_absolute_url())
    cache.clear()
    response = client.get(briefing.get_absolute_url(), HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="testserver")
    assert MARK.decode() in response.text
    assert client.get(briefing.get_absolute_url()).status_code == 301  # plain HTTP still goes to HTTPS


@pytest.mark.django_db
def test_list_pages_are_made_and_only_those_a_publication_joins_are_outdated(client, briefing):
    cables = make_briefing(title="Cables", themes=[make_theme("Cyber")], publish=True)
    assert pages.make(pages.of_lists()) == len(pages.of_lists())
    month = cables.published_at
    lists = ["/themes/sea-power/", "/themes/cyber/", "/feeds/themes/cyber.atom", "/feeds/themes/sea-power.rss",
             "/authors/jane-doe/", f"/archive/{month.year}/{month.month}/"]  # fmt: skip
    for path in lists:
        mark(path)
        assert served_ahead(client, path), path
    make_briefing(title="Submarine cables", themes=[cables.live_revision.themes.get()], publish=True)
    assert served_ahead(client, "/themes/sea-power/") and served_ahead(client, "/feeds/themes/sea-power.rss")
    for path in ["/themes/cyber/", "/feeds/themes/cyber.atom", "/authors/jane-doe/", lists[-1]]:
        assert not served_ahead(client, path), path
        assert "Submarine cables" in client.get(path).text
    assert not served_ahead(client, "/themes/sea-power/?page=1")
    assert [page.path for page in pages.missing_lists()] == []  # kept, if outdated: forgetting is the worker's


SITE_WIDE = ["/", "/sitemap.xml", "/feeds/corrections.atom", "/feeds/corrections.rss"]


@pytest.mark.django_db
def test_the_pages_showing_the_whole_site_are_made_and_outdated_by_any_change(client, briefing, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_LENGTH", 1)
    cables = make_briefing(title="Cables", publish=True)
    assert pages.make(pages.of_lists()) == len(pages.of_lists())
    for path in [*SITE_WIDE, "/feeds/all.atom", "/feeds/all.rss"]:
        mark(path)
        assert served_ahead(client, path), path
    corrected(briefing, title="Frigates for the Baltic Sea")
    for path in SITE_WIDE:
        assert not served_ahead(client, path), path
    assert "The title was wrong." in client.get("/feeds/corrections.atom").text
    assert served_ahead(client, "/feeds/all.atom")  # the feed of everything shows only the newest, untouched
    corrected(cables, title="Undersea cables")
    assert not served_ahead(client, "/feeds/all.atom") and "Undersea cables" in client.get("/feeds/all.atom").text
    assert not served_ahead(client, "/?page=1")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_home_page_and_sitemap_made_before_a_briefing_went_live_are_not_served(client, briefing):
    scheduled = make_briefing(title="Mines in the Gulf", slug="mines")
    go_live = publish_soon(scheduled)
    assert pages.make([pages.Page("/"), pages.Page("/sitemap.xml")]) == 2
    for path in ("/", "/sitemap.xml"):
        mark(path)
        assert served_ahead(client, path), path
    wait_until(go_live)
    for path in ("/", "/sitemap.xml"):
        assert not served_ahead(client, path), path
    assert "Mines in the Gulf" in client.get("/").text
    assert pages.forget_gone_live(go_live.replace(second=0, microsecond=0)) >= 2
    assert not KeptPage.objects.filter(path__in=["/", "/sitemap.xml"]).exists()


@pytest.mark.django_db
def test_a_correction_is_never_hidden_by_a_page_made_before_it(client, briefing):
    pages.make_briefings([briefing.pk])
    for path in ("/briefings/frigates-for-the-baltic/", "/briefings/frigates-for-the-baltic/v/1/"):
        mark(path)
    corrected(briefing, title="Frigates for the Baltic Sea")
    for path in ("/briefings/frigates-for-the-baltic/", "/briefings/frigates-for-the-baltic/v/1/"):
        assert not served_ahead(client, path), path
    assert "The title was wrong." in client.get("/briefings/frigates-for-the-baltic/v/1/").text


@pytest.mark.django_db
def test_a_page_is_not_served_once_a_related_briefing_it_shows_changes(client, briefing):
    later = make_briefing(title="Cables under the Baltic", themes=briefing.live_revision.themes.all(), publish=True)
    pages.make_briefings([later.pk])
    mark(later.get_absolute_url())
    assert served_ahead(client, later.get_absolute_url())
    corrected(briefing, title="Frigates and mines")
    assert not served_ahead(client, later.get_absolute_url())
    assert "Frigates and mines" in client.get(later.get_absolute_url()).text


@pytest.mark.django_db
def test_an_unpublished_briefings_page_is_gone_whatever_was_made(client, briefing):
    pages.make_briefings([briefing.pk])
    mark(briefing.get_absolute_url())
    publishing.unpublish(briefing, by=None)
    cache.clear()
    assert client.get(briefing.get_absolute_url()).status_code == 410
    assert client.get("/briefings/frigates-for-the-baltic/v/1/").status_code == 410
    assert pages.make_briefings([briefing.pk]) == 0 and pages.missing() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_made_before_a_scheduled_part_of_its_series_went_live_is_not_served(client):
    series = Series.objects.create(title="Baltic watch", slug="baltic-watch")
    first = make_briefing(title="Frigates", series=series, part=1, publish=True)
    second = make_briefing(title="Mines", slug="mines", series=series, part=2)
    go_live = publish_soon(second)
    pages.make_briefings([first.pk])
    mark(first.get_absolute_url())
    assert served_ahead(client, first.get_absolute_url())
    wait_until(go_live)
    assert not served_ahead(client, first.get_absolute_url())
    assert 'href="/briefings/mines/"' in client.get(first.get_absolute_url()).text
    assert pages.forget_gone_live(go_live.replace(second=0, microsecond=0)) >= 1
    assert not KeptPage.objects.filter(path=first.get_absolute_url()).exists()


@pytest.mark.django_db
def test_renaming_a_tag_outdates_every_page_and_they_are_made_again(client, briefing):
    pages.make_briefings([briefing.pk])
    mark(briefing.get_absolute_url())
    theme = briefing.live_revision.themes.get()
    theme.name = "Maritime power"
    theme.save()
    assert not served_ahead(client, briefing.get_absolute_url())
    assert pages.missing() == [briefing.pk]
    assert not pages.keep(seconds=60) and pages.missing() == [] and pages.missing_lists() == []
    assert b"Maritime power" in KeptPage.objects.get(path=briefing.get_absolute_url()).body
    assert b"Maritime power" in KeptPage.objects.get(path="/themes/sea-power/").body


@pytest.mark.django_db
def test_pages_of_another_release_are_not_served_and_are_forgotten(client, briefing):
    pages.make_briefings([briefing.pk])
    mark(briefing.get_absolute_url())
    KeptPage.objects.update(release="an-older-release")
    assert not served_ahead(client, briefing.get_absolute_url())
    assert pages.forget_other_releases() == 2 and pages.missing() == [briefing.pk]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_makes_pages_after_each_publication_and_correction(client, briefing):
    run_worker()
    kept = KeptPage.objects.get(path=briefing.get_absolute_url())
    assert kept.made_in == freshness.public_state().number and b"Frigates for the Baltic" in kept.body
    corrected(briefing, title="Frigates for the Baltic Sea")
    run_worker()
    kept = KeptPage.objects.get(path=briefing.get_absolute_url())
    assert b"Frigates for the Baltic Sea" in kept.body and KeptPage.objects.filter(briefing=briefing).count() == 3
    mark(briefing.get_absolute_url())
    assert served_ahead(client, briefing.get_absolute_url())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_made_while_a_correction_commits_is_not_served_after_it(client, briefing, monkeypatch):
    """The maker renders the old text; the correction commits on another connection before the page is
    stored. The page stored is the old one, and readers must not get it."""
    render = pages.render

    def render_then_correct(path: str):
        made = render(path)
        thread = threading.Thread(target=lambda: (corrected(briefing, title="Mines"), connections.close_all()))
        thread.start()
        thread.join()
        return made

    monkeypatch.setattr(pages, "render", render_then_correct)
    pages.make_briefings([briefing.pk])
    assert b"Frigates for the Baltic" in KeptPage.objects.get(path=briefing.get_absolute_url()).body
    mark(briefing.get_absolute_url())
    assert not served_ahead(client, briefing.get_absolute_url())
    assert "Mines" in client.get(briefing.get_absolute_url()).text


@pytest.mark.django_db
def test_the_command_makes_every_missing_page(briefing):
    make_briefing(title="Cables", publish=True)
    output = io.StringIO()
    call_command("make_pages", stdout=output)
    assert f"{4 + len(pages.of_lists())} page(s) made, of lists and of 2 briefing(s)." in output.getvalue()
    assert KeptPage.objects.filter(briefing__isnull=False).count() == 4 and pages.missing() == []
    assert pages.missing_lists() == [] and KeptPage.objects.filter(path="/themes/sea-power/").exists()
