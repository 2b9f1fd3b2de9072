"""The public site over HTTP: pages, versions in the open, browsing, addresses, feeds and metadata."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from briefings import freshness, publishing
from briefings.models import Author, Briefing, Listing, Region, Series, Theme, VersionPdf
from briefings.models.listings import Kind
from tests.helpers import (
    backdate,
    edit,
    make_author,
    make_briefing,
    make_theme,
    make_user,
    publish_soon,
    region,
    sitemap_of,
    wait_until,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def make_series(title="Japan and Ukraine in space") -> Series:
    return Series.objects.get_or_create(title=title, slug="japan-ukraine")[0]


def corrected(briefing: Briefing, *, body: str, note: str = "Fixed the budget figure.") -> Briefing:
    edit(briefing, body=body)
    publishing.publish(briefing, by=None, change_kind="correction", note=note)
    briefing.refresh_from_db()
    return briefing


@pytest.fixture
def hidden_briefings():
    """One briefing in every state the public must never see, each with its own tell-tale tags."""
    hidden = {}
    for state in ("draft", "review", "scheduled", "unpublished"):
        theme = make_theme(f"Secret {state} theme")
        author = make_author(f"Secret {state} author")
        briefing = make_briefing(
            title=f"Secret {state} briefing", themes=[theme], regions=[region("Japan")], authors=[author]
        )
        if state == "review":
            publishing.submit_for_review(briefing, by=None)
        elif state == "scheduled":
            publishing.publish(briefing, by=None, at=timezone.now() + timedelta(hours=3))
        elif state == "unpublished":
            publishing.publish(briefing, by=None)
            publishing.unpublish(briefing, by=None, note="Legal request")
        hidden[state] = briefing
    return hidden


@pytest.fixture
def visible_briefing():
    return make_briefing(
        title="Visible briefing",
        themes=[make_theme("Space")],
        regions=[region("Japan")],
        authors=[make_author("Jane Doe")],
        publish=True,
    )


PUBLIC_URLS = [
    "/",
    "/briefings/",
    "/themes/",
    "/themes/space/",
    "/regions/",
    "/regions/japan/",
    "/regions/asia/",
    "/regions/world/",
    "/themes/space/?region=japan",
    "/regions/asia/?theme=space",
    "/authors/",
    "/authors/jane-doe/",
    "/series/",
    "/archive/",
    "/feeds/all.rss",
    "/feeds/all.atom",
    "/feeds/corrections.atom",
    "/feeds/themes/space.atom",
    "/feeds/regions/asia.rss",
    "/feeds/authors/jane-doe.atom",
    "/feeds/themes/space/regions/japan.atom",
    "/sitemap.xml",
    "/sitemap-themes.xml",
    "/sitemap-regions.xml",
    "/sitemap-authors.xml",
    "/sitemap-series.xml",
]


def test_nothing_unpublished_leaks_into_any_page_list_count_feed_or_sitemap(client, hidden_briefings, visible_briefing):
    indexes = ("/themes/", "/regions/", "/authors/", "/series/", "/archive/", "/feeds/corrections.atom")
    indexes += tuple(f"/sitemap{section}.xml" for section in ("", "-themes", "-regions", "-authors", "-series"))
    for url in PUBLIC_URLS + [f"/archive/{timezone.now():%Y/%m}/", sitemap_of(visible_briefing)]:
        content = page(client, url).lower()
        assert "secret" not in content, url
        assert "visible" in content or url in indexes, url
    for state, briefing in hidden_briefings.items():
        expected = 410 if state == "unpublished" else 404
        page(client, briefing.get_absolute_url(), expected)
        page(client, reverse("briefings:briefing-version", args=[briefing.slug, 1]), expected)
        page(client, reverse("briefings:briefing-citation", args=[briefing.slug, 1]), expected)
        page(client, reverse("briefings:briefing-changes", args=[briefing.slug]), expected)
    for theme in Theme.objects.filter(name__startswith="Secret"):
        page(client, theme.get_absolute_url(), 404)
        page(client, reverse("briefings:theme-feed", args=[theme.slug, "atom"]), 404)
    for author in Author.objects.filter(name__startswith="Secret"):
        page(client, author.get_absolute_url(), 404)


def test_counts_only_count_published_briefings(client, hidden_briefings, visible_briefing):
    theme_index = page(client, "/themes/")
    assert re.search(r">Space</a> <span class=\"count\">1 briefing</span>", theme_index)
    region_index = page(client, "/regions/")
    assert re.search(r">Japan</a> <span class=\"count\">1</span>", region_index)
    assert re.search(r">Asia</a> <span class=\"count\">1</span>", region_index)
    assert ">Europe</a>" not in region_index


def test_a_scheduled_briefing_appears_exactly_at_its_time(client):
    briefing = make_briefing(title="Embargoed briefing", themes=[make_theme("Space")])
    go_live = publish_soon(briefing)
    for url in ("/", "/feeds/all.atom", "/sitemap.xml"):
        assert "embargoed-briefing" not in page(client, url)
    page(client, sitemap_of(briefing), 404)
    page(client, "/themes/space/", 404)
    page(client, briefing.get_absolute_url(), 404)
    wait_until(go_live)
    for url in ("/", "/themes/space/", "/feeds/all.atom", sitemap_of(briefing)):
        assert "embargoed-briefing" in page(client, url), url
    page(client, briefing.get_absolute_url(), 200)


def test_the_briefing_page_has_everything_a_reader_needs(client):
    series = make_series()
    first = make_briefing(title="Part one", series=series, part=1, publish=True)
    body = (
        "\n\n".join(f"## Section {n}\n\n" + "Words of analysis. " * 80 for n in range(4))
        + "\n\nEnd.[^1]\n\n[^1]: A source."
    )
    briefing = make_briefing(
        title="Part two",
        standfirst="How it changed.",
        body=body,
        series=series,
        part=2,
        update_note="Corrected a date.",
        themes=[make_theme("Space")],
        regions=[region("Japan")],
        authors=[make_author("Jane Doe"), make_author("Kenji Sato")],
        publish=True,
    )
    content = page(client, briefing.get_absolute_url())
    assert '<a href="/authors/jane-doe/">Jane Doe</a> and <a href="/authors/kenji-sato/">Kenji Sato</a>' in content
    assert "min read" in content and 'class="toc"' in content and 'href="#section-2"' in content
    assert 'href="#fn:1"' in content and 'href="#fnref:1"' in content
    assert '<a href="/themes/space/">Space</a>' in content and '<a href="/regions/japan/">Japan</a>' in content
    assert "Part 2 of 2" in content and f'rel="prev" href="{first.get_absolute_url()}"' in content
    assert "Corrected a date." in content
    assert "Cite this briefing" in content and f"/briefings/{briefing.slug}/v/1/" in content
    assert 'media="print"' in content


def test_short_briefings_have_no_table_of_contents(client, visible_briefing):
    assert 'class="toc"' not in page(client, visible_briefing.get_absolute_url())


def test_related_briefings_share_a_theme_or_region_newest_first(client):
    space = make_theme("Space")
    older = make_briefing(title="Older related", themes=[space], publish=True)
    make_briefing(title="Newer related", regions=[region("Japan")], publish=True)
    make_briefing(title="Unrelated one", regions=[region("France")], publish=True)
    backdate(older, timezone.now() - timedelta(days=3))
    briefing = make_briefing(title="Main", themes=[space], regions=[region("Japan")], publish=True)
    related = page(client, briefing.get_absolute_url()).split('id="related-heading"')[1]
    assert related.index("Newer related") < related.index("Older related")
    assert "Unrelated one" not in related


def test_every_published_version_keeps_its_permalink_and_drafts_do_not_get_one(client):
    briefing = make_briefing(body="The budget rose 9.4%.", publish=True)
    edit(briefing, body="A draft that was never published.")
    briefing = corrected(briefing, body="The budget rose 9.5%.")
    assert briefing.live_revision.number == 3
    old = page(client, reverse("briefings:briefing-version", args=[briefing.slug, 1]))
    assert "9.4%" in old and "Read the current version" in old
    assert f'as published on <time datetime="{briefing.published_at:%Y-%m-%d}' in old
    assert "9.5%" in page(client, reverse("briefings:briefing-version", args=[briefing.slug, 3]))
    page(client, reverse("briefings:briefing-version", args=[briefing.slug, 2]), 404)
    page(client, reverse("briefings:briefing-version", args=[briefing.slug, 99]), 404)


def test_the_change_log_lists_substantive_changes_with_their_notes(client):
    briefing = corrected(make_briefing(publish=True), body="New text", note="Fixed the budget figure.")
    edit(briefing, body="Typo fixed")
    publishing.publish(briefing, by=None, change_kind="minor", note="internal: typo")
    content = page(client, briefing.get_absolute_url())
    log = content.split('id="changes-heading"')[1]
    assert "First publication" in log and "Correction" in log and "Fixed the budget figure." in log
    assert "Minor edit" in log and "internal: typo" not in log


def test_readers_can_compare_published_versions_only(client):
    briefing = make_briefing(body="The budget rose 9.4% last year.", publish=True)
    edit(briefing, body="Secret draft wording.")
    briefing = corrected(briefing, body="The budget rose 9.5% last year.")
    url = reverse("briefings:briefing-changes", args=[briefing.slug])
    content = page(client, url)
    assert '<del><span class="diff-label">[removed: </span>4<span class="diff-label">]</span></del>' in content
    assert '<ins><span class="diff-label">[added: </span>5<span class="diff-label">]</span></ins>' in content
    assert "Secret draft" not in content
    page(client, f"{url}?from=2&to=3", 404)
    page(client, f"{url}?from=abc&to=3", 404)
    page(client, reverse("briefings:briefing-changes", args=[make_briefing(title="Once", publish=True).slug]), 404)


def test_the_readers_diff_compares_the_text_as_read_not_the_markdown(client):
    source = (
        "## Fleet\n\nThe fleet has **12** ships.[^1]\n\n| Class | Ships |\n|---|--:|\n| Frigate | 12 |\n\n[^1]: Navy."
    )
    briefing = make_briefing(body=source, publish=True)
    corrected(briefing, body=source.replace("12", "21").replace("Navy.", "Navy list, 2025."))
    content = page(client, reverse("briefings:briefing-changes", args=[briefing.slug]))
    text = content[content.index('<dd class="diff-text">') :]
    assert '<p class="diff-block diff-h2">Fleet</p>' in text
    assert "**" not in text and "[^1]" not in text and "|" not in text and "##" not in text
    assert "The fleet has" in text and "ships.[1]" in text and 'class="diff-kind">Note: </span>' in text
    assert "Frigate · " in text


def test_withdrawn_briefings_keep_their_page_and_leave_lists_but_not_the_corrections_feed(client):
    briefing = make_briefing(title="Retracted analysis", themes=[make_theme("Space")], publish=True)
    publishing.withdraw(briefing, by=make_user(), note="The central source proved unreliable.")
    content = page(client, briefing.get_absolute_url())
    assert "This briefing has been withdrawn" in content and "The central source proved unreliable." in content
    page(client, reverse("briefings:briefing-version", args=[briefing.slug, 1]))
    for url in ("/", "/briefings/", "/feeds/all.atom"):
        assert "Retracted analysis" not in page(client, url), url
    page(client, "/themes/space/", 404)  # its only briefing left the lists
    page(client, "/feeds/themes/space.rss", 404)
    corrections = page(client, "/feeds/corrections.atom")
    assert "Withdrawn: Retracted analysis" in corrections and "proved unreliable" in corrections
    with pytest.raises(publishing.WorkflowError):
        publishing.withdraw(briefing, by=None, note="again")


def test_the_corrections_feed_lists_corrections_across_the_site(client):
    briefing = corrected(make_briefing(title="Corrected one", publish=True), body="x", note="Wrong year.")
    feed = ET.fromstring(client.get("/feeds/corrections.atom").content)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Correction: Corrected one"]
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"/briefings/{briefing.slug}/v/2/")
    assert entries[0].find(f"{ATOM}summary").text == "Wrong year."


def test_browsing_by_theme_region_author_series_and_month(client):
    space, defence = make_theme("Space"), make_theme("Defence policy")
    author = make_author("Jane Doe")
    series = make_series()
    japan = make_briefing(title="On Japan", themes=[space], regions=[region("Japan")], authors=[author], publish=True)
    make_briefing(title="On France", themes=[defence], regions=[region("France")], series=series, part=1, publish=True)
    asia = page(client, "/regions/asia/")
    assert "On Japan" in asia and "On France" not in asia
    assert "On Japan" in page(client, "/themes/space/") and "On France" not in page(client, "/themes/space/")
    assert "On Japan" in page(client, "/authors/jane-doe/")
    assert "On France" in page(client, f"/series/{series.slug}/")
    month = page(client, f"/archive/{japan.published_at:%Y/%m}/")
    assert "On Japan" in month and "On France" in month
    page(client, "/archive/2025/13/", 404)


def test_narrowing_by_the_other_facet_counts_each_option(client):
    space = make_theme("Space")
    make_briefing(title="Space Japan", themes=[space], regions=[region("Japan")], publish=True)
    make_briefing(title="Space India", themes=[space], regions=[region("India")], publish=True)
    make_briefing(title="Space Japan two", themes=[space], regions=[region("Japan")], publish=True)
    theme_page = page(client, "/themes/space/")
    assert re.search(r'href="\?region=japan">Japan</a> <span class="count">2</span>', theme_page)
    assert re.search(r'href="\?region=india">India</a> <span class="count">1</span>', theme_page)
    narrowed = page(client, "/themes/space/?region=japan")
    assert "Space Japan two" in narrowed and "Space India" not in narrowed
    region_page = page(client, "/regions/asia/?theme=space")
    assert "Space India" in region_page
    page(client, "/themes/space/?region=atlantis", 404)
    page(client, "/regions/asia/?theme=nope", 404)


def test_a_region_page_leads_down_into_its_sub_regions_and_up_through_its_groupings(client):
    indo_pacific = Region.objects.create(name="Indo-Pacific", slug="indo-pacific", kind=Region.Kind.GROUPING)
    region("Japan").parents.add(indo_pacific)
    make_briefing(title="Tokyo", regions=[region("Japan")], publish=True)
    make_briefing(title="Delhi", regions=[region("India")], publish=True)
    asia = page(client, "/regions/asia/")
    chips = asia[asia.index('id="inside-heading"') : asia.index("</nav>", asia.index('id="inside-heading"'))]
    assert ">Eastern Asia <span" in chips and ">Southern Asia <span" in chips and ">Japan <span" not in chips
    assert "Policy briefings on Asia and the places within it: 2 so far." in asia
    japan = page(client, "/regions/japan/")
    crumbs = japan[japan.index('aria-label="Breadcrumbs"') : japan.index("</nav>", japan.index("Breadcrumbs"))]
    assert crumbs.index(">World<") < crumbs.index(">Asia<") < crumbs.index(">Eastern Asia<")
    assert 'Also in <a href="/regions/indo-pacific/">Indo-Pacific</a>' in japan
    index = page(client, "/regions/")
    assert index.count(">Japan</a>") == 1 and ">Indo-Pacific <span" in index  # a country once; groupings as chips


@pytest.mark.parametrize("parameter", ["page=0", "page=abc", "page=99", "page=-1"])
def test_bad_page_numbers_answer_404(client, parameter):
    make_briefing(publish=True)
    page(client, f"/briefings/?{parameter}", 404)


def test_lists_are_paginated_with_a_canonical_link_per_page(client):
    for number in range(25):
        make_briefing(title=f"Briefing {number:02}", publish=True)
    first = page(client, "/briefings/")
    assert first.count('class="summary"') == 20 and 'rel="next" href="?page=2"' in first
    second = page(client, "/briefings/?page=2&utm_source=x")
    assert second.count('class="summary"') == 5
    assert '<link rel="canonical" href="http://testserver/briefings/?page=2">' in second


@pytest.mark.parametrize(
    "url",
    [
        "/briefings/nope/",
        "/briefings/nope/v/1/",
        "/themes/nope/",
        "/regions/nope/",
        "/authors/nope/",
        "/series/nope/",
        "/feeds/themes/nope.rss",
        "/feeds/themes/nope/regions/japan.atom",
        "/feeds/all.json",
    ],
)
def test_unknown_addresses_answer_404(client, url):
    page(client, url, 404)


def test_changed_slugs_keep_old_addresses_with_permanent_redirects(client):
    briefing = make_briefing(title="Old title", themes=[make_theme("Space")], authors=[make_author("Jane Doe")])
    publishing.publish(briefing, by=None)
    briefing.slug = "new-title"
    briefing.save()
    for model, old, new in [(Theme, "space", "space-policy"), (Author, "jane-doe", "jane-doe-smith")]:
        tag = model.objects.get(slug=old)
        tag.slug = new
        tag.save()
    redirects = {
        "/briefings/old-title/": "/briefings/new-title/",
        "/briefings/old-title/v/1/": "/briefings/new-title/v/1/",
        "/themes/space/?page=1": "/themes/space-policy/?page=1",
        "/authors/jane-doe/": "/authors/jane-doe-smith/",
        "/feeds/themes/space.atom": "/feeds/themes/space-policy.atom",
        "/feeds/themes/space/regions/japan.rss": "/feeds/themes/space-policy/regions/japan.rss",
    }
    for old, new in redirects.items():
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == new, old
    region_record = Region.objects.get(name="Japan")
    region_record.slug = "nippon"
    region_record.save()
    assert client.get("/regions/japan/")["Location"] == "/regions/nippon/"


def test_every_page_has_a_canonical_link(client, visible_briefing):
    for url in PUBLIC_URLS[:13] + [visible_briefing.get_absolute_url()]:
        if url.startswith(("/feeds", "/sitemap")):
            continue
        assert '<link rel="canonical" href="http://testserver/' in page(client, url), url


def test_feeds_parse_and_carry_the_full_sanitised_text(client):
    make_briefing(
        title="Feed item",
        body="## Heading\n\nText <script>alert(1)</script>[^1]\n\n[^1]: Source.",
        themes=[make_theme("Space")],
        regions=[region("Kenya"), region("Japan")],
        authors=[make_author("Zed Writer"), make_author("Ann Analyst")],
        publish=True,
    )
    for title, days in (("Earlier item", 2), ("Yesterday's item", 1)):
        backdate(make_briefing(title=title, publish=True), timezone.now() - timedelta(days=days))
    atom = ET.fromstring(client.get("/feeds/themes/space/regions/asia.atom").content)
    entry = atom.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Feed item"
    content = entry.find(f"{ATOM}content").text
    assert "<h2" in content and 'id="fn:1"' in content and "<script" not in content
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Space", "Japan", "Kenya"]
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Zed Writer, Ann Analyst"  # in the byline's order
    rss = ET.fromstring(client.get("/feeds/all.rss").content)
    titles = [item.find("title").text for item in rss.findall("channel/item")]
    assert titles == ["Feed item", "Yesterday's item", "Earlier item"]
    item = rss.find("channel/item")
    assert "<h2" in item.find("{http://purl.org/rss/1.0/modules/content/}encoded").text


def test_json_ld_opengraph_and_highwire_metadata(client):
    series = make_series()
    briefing = make_briefing(
        title="Structured",
        standfirst="About structure.",
        series=series,
        part=1,
        themes=[make_theme("Space")],
        regions=[region("Japan")],
        authors=[make_author("Jane Doe")],
        publish=True,
    )
    briefing = corrected(briefing, body="Fixed.")
    content = page(client, briefing.get_absolute_url())
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S).group(1))
    assert data["@type"] == "Report" and data["headline"] == "Structured"
    assert data["author"] == [{"@type": "Person", "name": "Jane Doe", "url": "http://testserver/authors/jane-doe/"}]
    assert data["datePublished"] and data["dateModified"] > data["datePublished"]
    assert data["about"] == [{"@type": "Thing", "name": "Space"}]
    assert data["spatialCoverage"] == [{"@type": "Place", "name": "Japan"}]
    assert data["isPartOf"]["name"] == series.title and data["url"].endswith("/v/2/")
    assert '<meta property="og:title" content="Structured">' in content
    assert '<meta name="twitter:card" content="summary">' in content
    assert '<meta name="citation_title" content="Structured">' in content
    assert '<meta name="citation_author" content="Jane Doe">' in content
    assert re.search(r'<meta name="citation_publication_date" content="\d{4}/\d{2}/\d{2}">', content)


def test_json_ld_cannot_be_broken_out_of(client):
    briefing = make_briefing(title="</script><script>alert(1)</script>", publish=True)
    content = page(client, briefing.get_absolute_url())
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S).group(1)
    assert json.loads(block)["headline"] == "</script><script>alert(1)</script>"


def test_citations_name_the_version_and_bibtex_downloads(client):
    briefing = make_briefing(
        title="Cited work", authors=[make_author("Jane Doe"), make_author("Kenji Sato")], publish=True
    )
    content = page(client, briefing.get_absolute_url())
    year = briefing.published_at.year
    assert "Doe, Jane, and Kenji Sato. “Cited work.” Briefings," in content
    assert f"Doe, J., &amp; Sato, K. ({year}," in content and "Cited work (Version 1). Briefings." in content
    response = client.get(reverse("briefings:briefing-citation", args=[briefing.slug, 1]))
    assert response["Content-Type"].startswith("application/x-bibtex")
    bibtex = response.content.decode()
    assert bibtex.startswith(f"@misc{{{briefing.slug}-v1,") and "author = {Doe, Jane and Sato, Kenji}" in bibtex
    assert f"url = {{http://testserver/briefings/{briefing.slug}/v/1/}}" in bibtex


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_entries(client, url: str) -> dict[str, str | None]:
    """Each address a sitemap or sitemap index lists, with its lastmod."""
    listed = ET.fromstring(page(client, url))
    return {entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod") for entry in listed}


def test_the_sitemap_index_leads_to_every_page_with_lastmod_and_robots_points_to_it(client, visible_briefing):
    sections = sitemap_entries(client, "/sitemap.xml")
    published = f"{timezone.localtime(visible_briefing.published_at):%Y-%m-%d}"
    assert sections[f"http://testserver{sitemap_of(visible_briefing)}"].startswith(published)
    entries = {}
    for section in sections:
        entries |= sitemap_entries(client, section.removeprefix("http://testserver"))
    assert entries["http://testserver/briefings/visible-briefing/"] == published
    assert "http://testserver/themes/space/" in entries and "http://testserver/regions/japan/" in entries
    robots = page(client, "/robots.txt")
    assert "Sitemap: http://testserver/sitemap.xml" in robots and "Disallow: /admin/" in robots


def test_the_sitemap_index_dates_each_kind_of_tag_by_its_newest_briefing_gone_live(client):
    space, sea = make_theme("Space"), make_theme("Sea power")
    older = make_briefing(title="Older", themes=[sea], regions=[region("Kenya")], publish=True)
    backdate(older, timezone.now() - timedelta(days=40))
    newer = make_briefing(title="Newer", themes=[space], publish=True)
    backdate(newer, timezone.now() - timedelta(days=3))
    later = make_briefing(title="Later", themes=[sea], regions=[region("Kenya")])
    publishing.publish(later, by=None, at=timezone.now() + timedelta(days=1))
    index = sitemap_entries(client, "/sitemap.xml")
    day = {}
    for briefing in (older, newer):
        briefing.refresh_from_db()
        day[briefing] = f"{timezone.localtime(briefing.published_at):%Y-%m-%d}"
    assert index["http://testserver/sitemap-themes.xml"].startswith(day[newer])
    assert index["http://testserver/sitemap-regions.xml"].startswith(day[older])
    assert index["http://testserver/sitemap-series.xml"] is None, "no series: no date"
    themes = sitemap_entries(client, "/sitemap-themes.xml")
    assert max(themes.values()) == day[newer] and themes["http://testserver/themes/sea-power/"] == day[older]


def test_the_sitemap_has_a_page_a_month_each_dated_by_its_own_newest_change(client):
    now = timezone.now()
    months_ago = {0: now, 2: now - timedelta(days=62), 14: now - timedelta(days=430)}
    briefings = {}
    for age, moment in months_ago.items():
        briefings[age] = make_briefing(title=f"Published {age} months ago", publish=True)
        backdate(briefings[age], moment)
        briefings[age].refresh_from_db()
    index = sitemap_entries(client, "/sitemap.xml")
    pages = {age: f"http://testserver{sitemap_of(briefing)}" for age, briefing in briefings.items()}
    assert [url for url in index if "/sitemap-briefings-" in url] == [pages[14], pages[2], pages[0]]
    assert len([url for url in index if "/sitemap-pdfs-" in url]) == 3
    for age, briefing in briefings.items():
        assert index[pages[age]].startswith(f"{timezone.localtime(briefing.published_at):%Y-%m-%d}")
        assert set(sitemap_entries(client, sitemap_of(briefing))) == {f"http://testserver/briefings/{briefing.slug}/"}

    corrected(briefings[14], body="A corrected figure.")
    index = sitemap_entries(client, "/sitemap.xml")
    assert index[pages[14]].startswith(f"{timezone.localdate():%Y-%m-%d}")  # read it again
    assert index[pages[2]].startswith(f"{timezone.localtime(months_ago[2]):%Y-%m-%d}")  # no need
    publishing.unpublish(briefings[2], by=None)
    assert pages[2] not in sitemap_entries(client, "/sitemap.xml")
    page(client, sitemap_of(briefings[2]), 404)


def test_a_sitemap_section_or_page_that_is_not_there_answers_404(client, visible_briefing):
    assert client.get(sitemap_of(visible_briefing)).status_code == 200
    for url in (
        "/sitemap-nothing.xml",
        "/sitemap-briefings.xml",
        "/sitemap-nothing-2024-01.xml",
        "/sitemap-briefings-1999-01.xml",
        "/sitemap-pdfs-1999-01.xml",
        "/sitemap-briefings-2024-13.xml",
    ):
        assert client.get(url).status_code == 404, url


def test_the_home_page_leads_with_the_featured_briefing_once_then_ways_in_by_theme_and_region(client):
    make_briefing(title="Ordinary", themes=[make_theme("Space")], publish=True)
    featured = make_briefing(title="Editors' pick", regions=[region("Japan")], publish=True)
    publishing.feature(Briefing.objects.filter(pk=featured.pk), by=None)
    content = page(client, "/")
    lead, rest = content.split('id="lead-heading"')[1].split("</section>", 1)
    assert "Editors’ pick" in lead and "Editors’ pick" not in rest and "Ordinary" in rest
    assert '<p class="kicker">Space</p>' in rest  # a card without a series names its theme
    assert re.search(r'>Space</a> <span class="count">1</span>', content)
    assert re.search(r'>Asia</a> <span class="count">1</span>', content)  # continents and groupings lead
    assert ">World</a>" not in content and ">Japan</a>" not in content
    by_theme = content.split('id="by-theme-heading"')[1].split("</section>\n    </div>")[0]
    assert '<a href="/themes/space/">Space</a>' in by_theme and "Ordinary" in by_theme


def build_archive(size: int, *, prefix: str) -> None:
    """Briefings sharing tags, authors, a series and several published versions; `size` scales all of them."""
    series = make_series()
    themes = [make_theme(f"Theme {n}") for n in range(size)]
    authors = [make_author(f"Author {n}") for n in range(size)]
    regions = list(Region.objects.filter(kind="country").order_by("name")[: size * 2])
    for number in range(size * 3):
        briefing = make_briefing(
            title=f"{prefix} {number}",
            themes=themes,
            regions=regions + [region("Japan")],
            authors=authors,
            series=series,
            part=number + 1,
            publish=True,
        )
        for version in range(size):
            corrected(briefing, body=f"Version {version}")
    for version in range(size):
        corrected(Briefing.objects.get(slug="briefing-0"), body=f"{prefix} version {version}")


THIS_MONTH = timezone.now()  # when build_archive's briefings are published

# Queries per page, whatever the number of briefings, tags, authors or versions; the first reads the
# public content state. The themes and the region tree are kept from an earlier page (briefings/taxonomy.py).
# A repeat of the page, served from the cache, costs none.
QUERY_COUNTS = {
    "/": 7,  # with the busiest themes' newest briefings (2: the walk, and their cards with the lead's)
    "/briefings/": 4,
    "/briefings/briefing-0/": 5,  # with its other languages
    "/briefings/briefing-0/v/2/": 6,
    "/briefings/briefing-0/v/2/cite.bib": 3,
    "/briefings/briefing-0/changes/?from=1&to=2": 4,
    "/themes/": 2,
    "/themes/theme-0/": 5,
    "/themes/theme-0/?region=japan": 5,
    "/regions/": 2,
    "/regions/asia/": 6,  # with the counts of its regions and of its themes
    "/regions/asia/?theme=theme-0": 6,
    "/authors/": 3,
    "/authors/author-0/": 5,
    "/series/": 3,
    "/series/japan-ukraine/": 6,
    "/archive/": 2,
    f"/archive/{THIS_MONTH.year}/": 4,
    f"/archive/{THIS_MONTH.year}/{THIS_MONTH.month}/": 4,
    "/feeds/all.atom": 3,
    "/feeds/themes/theme-0.atom": 3,
    "/feeds/regions/asia.atom": 3,
    "/feeds/authors/author-0.atom": 4,
    "/feeds/themes/theme-0/regions/asia.rss": 3,
    "/feeds/corrections.atom": 2,
    "/sitemap.xml": 3,  # the months and their newest changes, then each kind of tag's newest briefing
    f"/sitemap-briefings-{timezone.localtime(THIS_MONTH):%Y-%m}.xml": 4,  # and the works in several languages
    f"/sitemap-pdfs-{timezone.localtime(THIS_MONTH):%Y-%m}.xml": 3,
    "/sitemap-regions.xml": 3,
    "/sitemap-themes.xml": 3,
    "/sitemap-authors.xml": 3,
    "/sitemap-series.xml": 3,
    "/robots.txt": 1,
    "/search/?q=briefing": 6,  # the ranked ids, their facet counts, the page's snippets and cards …
    '/search/?q="briefing+0"': 7,  # … and a phrase's words, loosened to find the briefings holding them all
    "/search/?q=briefing&theme=theme-0&region=asia": 6,
}


def test_each_public_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    for size, prefix in ((1, "Briefing"), (3, "More")):
        build_archive(size, prefix=prefix)
        VersionPdf.objects.update(status="ready", file="pdfs/made.pdf", size=1000, pages=2, made_at=timezone.now())
        for url in QUERY_COUNTS:  # the themes and the region tree are read once, until an editor changes a tag
            client.get(url)
        cache.clear()
        for url, expected in QUERY_COUNTS.items():
            freshness.WATCHER.forget()
            with django_assert_num_queries(expected, info=url):
                assert client.get(url).status_code == 200, url
            with django_assert_num_queries(0, info=f"{url} again"):
                assert client.get(url).status_code == 200, url


def test_an_old_address_never_redirects_to_one_the_public_cannot_see(client):
    """Reproduces the report that a draft's new, secret slug leaked through its old address's redirect."""
    draft = make_briefing(title="Old title")
    draft.slug = "secret-merger-plans"
    draft.save()
    response = client.get("/briefings/old-title/")
    assert response.status_code == 404 and "secret" not in response.text
    briefing = make_briefing(title="Published then pulled", publish=True)
    briefing.slug = "pulled-under-a-new-name"
    briefing.save()
    assert client.get("/briefings/published-then-pulled/").status_code == 301
    publishing.unpublish(briefing, by=None)
    assert client.get("/briefings/published-then-pulled/").status_code == 404


def test_the_home_page_lists_each_busy_themes_three_newest_briefings(client):
    space, sea = make_theme("Space"), make_theme("Sea power")
    for day in range(5):
        briefing = make_briefing(title=f"Orbit {day}", themes=[space], publish=True)
        backdate(briefing, timezone.now() - timedelta(days=10 - day))
    make_briefing(title="Frigates", themes=[sea, space], publish=True)
    newest = Listing.objects.newest_in_each([(Kind.THEME, space.pk), (Kind.THEME, sea.pk)], 3)
    titles = {pk: title for pk, title in Briefing.objects.values_list("pk", "title")}
    assert [titles[pk] for pk in newest[(Kind.THEME, space.pk)]] == ["Frigates", "Orbit 4", "Orbit 3"]
    assert [titles[pk] for pk in newest[(Kind.THEME, sea.pk)]] == ["Frigates"]
