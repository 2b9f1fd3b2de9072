"""HTTP caching of public pages: validators, 304s, headers for a CDN, and nothing shared for staff."""

import threading
import time

import pytest
from django.db import connections
from django.http import HttpResponse
from django.utils.cache import get_max_age

from briefings import publishing
from briefings.caching import PublicPageCacheMiddleware, public_page
from tests.helpers import edit, make_briefing, make_user

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/briefings/frigates/", "/themes/", "/feeds/all.atom", "/sitemap.xml", "/search/?q=frigates"]


@pytest.fixture
def briefing():
    return make_briefing(title="Frigates", slug="frigates", body="Corvettes.", publish=True)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_carry_validators_and_cdn_headers(client, briefing, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["ETag"].startswith('W/"') and response["Last-Modified"].endswith("GMT")
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=30", "s-maxage=60", "stale-while-revalidate=60", "stale-if-error=86400"}
    assert "Cookie" not in response.get("Vary", ""), "a CDN must be able to share the page"
    assert not response.cookies


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_reader_who_has_the_page_gets_304_until_something_changes(client, briefing, url):
    etag = client.get(url)["ETag"]
    not_modified = client.get(url, headers={"if-none-match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag and "s-maxage=60" in not_modified["Cache-Control"]
    edit(briefing, body="Corvettes and submarines.")
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304, "a draft changes nothing"
    publishing.publish(briefing, by=None, change_kind="correction")
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_if_modified_since_is_answered(client, briefing):
    last_modified = client.get("/briefings/frigates/")["Last-Modified"]
    assert client.get("/briefings/frigates/", headers={"if-modified-since": last_modified}).status_code == 304
    stale = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get("/briefings/frigates/", headers={"if-modified-since": stale}).status_code == 200


def test_a_page_is_rendered_once_until_public_content_changes(client, briefing, django_assert_num_queries):
    client.get("/briefings/frigates/")
    with django_assert_num_queries(0):
        repeat = client.get("/briefings/frigates/")
    assert "Corvettes." in repeat.content.decode()
    edit(briefing, body="Submarines.")
    publishing.publish(briefing, by=None, change_kind="correction")
    assert "Submarines." in client.get("/briefings/frigates/").content.decode()


def test_staff_pages_are_never_cached_or_shared(client, briefing):
    client.get("/briefings/frigates/")  # cached for readers
    client.force_login(make_user())
    response = client.get("/briefings/frigates/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert get_max_age(response) == 0 and "ETag" not in response
    admin = client.get("/admin/briefings/briefing/")
    assert admin.status_code == 200 and "no-store" in admin["Cache-Control"] and "private" in admin["Cache-Control"]


def test_preview_links_are_never_cached(client, briefing):
    edit(briefing, body="Unpublished words.")
    token = publishing.share_preview(briefing, by=make_user()).token
    response = client.get(f"/preview/{token}/")
    assert response.status_code == 200 and "Unpublished words." in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_readers_arriving_while_a_page_renders_wait_for_that_rendering(rf, briefing):
    renderings = []

    def slow_view(request):
        renderings.append(request)
        time.sleep(0.3)
        return public_page(lambda request: HttpResponse("The page"))(request)

    middleware = PublicPageCacheMiddleware(slow_view)

    def read(results: list) -> None:
        results.append(middleware(rf.get("/briefings/frigates/")).content)
        connections.close_all()

    results = []
    readers = [threading.Thread(target=read, args=(results,)) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert results == [b"The page"] * 4
    assert len(renderings) == 1
