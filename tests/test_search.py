"""Full-text search over HTTP: ranking, syntax, filters, visibility and hostile input."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefings import publishing, search
from briefings.models import Briefing
from tests.helpers import backdate, edit, make_author, make_briefing, make_theme, publish_soon, region, wait_until

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["rank-ordered index", "ts_rank_cd"], autouse=True)
def ranking(request, monkeypatch):
    """Every search test runs with the RUM index ordering results and with the GIN fallback."""
    if request.param == "ts_rank_cd":
        monkeypatch.setattr(search, "has_rank_ordered_index", lambda: False)
    else:
        search.has_rank_ordered_index()  # asked once per process: asked here, it is not counted in any test
    return request.param


def results(client, **params) -> list[str]:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return [card.title for card, _ in response.context["results"] or []]


def first_snippet(client, query: str) -> str:
    """The HTML of the first result's quoted passage."""
    page = client.get("/search/", {"q": query}).content.decode()
    return re.search(r'<p class="snippet">(.*?)</p>', page).group(1)


def test_title_outranks_standfirst_which_outranks_body(client):
    make_briefing(title="Notes", body="A long discussion of drones.", publish=True)
    make_briefing(title="Drones over the Black Sea", body="Text.", publish=True)
    make_briefing(title="Ukraine", standfirst="What drones changed.", body="Text.", publish=True)
    assert results(client, q="drones") == ["Drones over the Black Sea", "Ukraine", "Notes"]


def test_authors_themes_and_regions_are_findable(client):
    make_briefing(
        title="Untitled analysis",
        body="Nothing here.",
        themes=[make_theme("Maritime security")],
        regions=[region("Kenya")],
        authors=[make_author("Olena Kovalenko")],
        publish=True,
    )
    for query in ("Kovalenko", "maritime", "Kenya"):
        assert results(client, q=query) == ["Untitled analysis"], query


def test_web_search_syntax_phrases_exclusions_and_or(client):
    make_briefing(title="Space policy in Japan", body="Japan launched a new satellite.", publish=True)
    make_briefing(title="Satellite trade", body="A new policy on space exports.", publish=True)
    make_briefing(title="Naval matters", body="Frigates and corvettes.", publish=True)
    assert results(client, q='"space policy"') == ["Space policy in Japan"]
    assert results(client, q="satellite -japan") == ["Satellite trade"]
    assert sorted(results(client, q="frigates OR exports")) == ["Naval matters", "Satellite trade"]


def phrase_orderings(client, query: str) -> int:
    """How many statements the search page runs that order matches by their distance to the query."""
    with CaptureQueriesContext(connection) as queries:
        client.get("/search/", {"q": query})
    return sum("<=>" in query["sql"] for query in queries.captured_queries)


def test_a_phrase_is_found_where_its_words_stand_together_and_asked_in_full_only_when_needed(
    client, monkeypatch, ranking
):
    monkeypatch.setattr(search, "RESULT_LIMIT", 2)
    rank_ordered = ranking == "rank-ordered index"
    make_briefing(title="Together", body="Maritime domain awareness grew.", publish=True)
    make_briefing(title="Apart 0 grew", body="Awareness of the maritime domain grew.", publish=True)
    assert results(client, q='"maritime domain awareness"') == ["Together"]
    if rank_ordered:
        assert phrase_orderings(client, '"domain awareness"') == 1  # all that hold the words were read

    for number in range(1, 3):
        make_briefing(title=f"Apart {number} grew", body="Awareness of the maritime domain grew.", publish=True)
        make_briefing(title=f"Plain {number}", body="Trade grew.", publish=True)
    assert results(client, q='"maritime domain awareness"') == ["Together"]
    if rank_ordered:
        # The best three holding the words are not all the phrase's: it is asked again, in full.
        assert phrase_orderings(client, '"domain awareness"') == 2
    apart = results(client, q='grew -"maritime domain awareness"')  # not "without one of the words"
    assert len(apart) == 2 and set(apart) < {"Apart 0 grew", "Apart 1 grew", "Apart 2 grew"}

    for number in range(2):
        make_briefing(title=f"Together {number}", body="Their maritime domain awareness grew.", publish=True)
    found = results(client, q='"maritime domain awareness"')
    assert len(found) == 2 and set(found) < {"Together", "Together 0", "Together 1"}
    if rank_ordered:
        assert phrase_orderings(client, '"maritime domain"') == 1  # the three best holding the words have it


def test_only_a_query_holding_a_phrase_and_leaving_nothing_out_is_loosened():
    assert search.loosened('"maritime domain awareness" OR anti-ship', search.Reading(("briefings_english",))) == (
        "'maritim' & 'domain' & 'awar' | 'anti-ship' & 'anti' & 'ship'"
    )
    assert search.loosened("maritime domain", search.Reading(("briefings_english",))) is None  # no phrase
    assert (
        search.loosened('drones -"maritime domain"', search.Reading(("briefings_english",))) is None
    )  # "not this phrase"
    assert search.loosened('"maritime domain" -drones', search.Reading(("briefings_english",))) is None


def test_stemming_accents_and_case_are_ignored(client):
    make_briefing(title="Défense européenne", body="Sanctions were imposed.", publish=True)
    assert results(client, q="defense EUROPEENNE") == ["Défense européenne"]
    assert results(client, q="sanction") == ["Défense européenne"]


def test_results_can_be_sorted_by_date(client):
    old = make_briefing(title="Older drones", publish=True)
    backdate(old, timezone.now() - timedelta(days=30))
    make_briefing(title="Newer note", body="drones drones drones", publish=True)
    assert results(client, q="drones") == ["Older drones", "Newer note"]
    assert results(client, q="drones", sort="date") == ["Newer note", "Older drones"]


def test_snippets_highlight_the_matched_words_and_escape_the_text(client):
    make_briefing(title="T", body="Before <b>bold</b> & the word frigate appears here.", publish=True)
    page = client.get("/search/", {"q": "frigate"}).content.decode()
    assert "<mark>frigate</mark>" in page
    assert "&amp; the word" in page and "<b>bold" not in page


def test_snippets_quote_plain_text_without_note_numbers_and_with_headings_as_sentences(client):
    filler = "Many paragraphs of careful analysis come first in this long briefing. " * 12
    body = (
        f"{filler}\n\n## Why it matters\n\nThe protest movement grew.[^1] Intelligence services watched "
        "the frigates closely and reported to ministers every week.\n\n[^1]: A source, https://example.org."
    )
    make_briefing(title="T", standfirst="A standfirst", body=body, publish=True)
    text = first_snippet(client, "protest frigate")
    assert (
        "matters. The <mark>protest</mark> movement grew. Intelligence services watched the <mark>frigates</mark>"
        in text
    )
    assert text.startswith("…in this long briefing. Why it") and text.endswith("every week.")
    assert "example.org" not in text


def test_snippets_find_inflections_and_accented_words_and_quote_the_two_best_passages(client):
    filler = "Careful analysis of other matters fills this part of the briefing. " * 6
    body = (
        f"Drones were seen near Mińsk. {filler}The drone programme grew. {filler}"
        "Minsk bought drones, and the drone makers in Minsk hired more staff."
    )
    make_briefing(title="T", standfirst="A standfirst.", body=body, publish=True)
    text = first_snippet(client, "drones minsk")
    assert text.startswith("A standfirst. <mark>Drones</mark> were seen near <mark>Mińsk</mark>.")
    assert "<mark>Minsk</mark> bought <mark>drones</mark>, and the <mark>drone</mark> makers" in text
    assert "programme" not in text  # a passage matching one of the two words is left out
    assert text.count(" … ") == 1 and text.endswith("staff.")


def test_passages_that_meet_are_quoted_as_one_without_an_ellipsis(client):
    words = " ".join(f"word{number}" for number in range(36))
    make_briefing(title="T", standfirst="Drones first.", body=f"{words} drones again. The end.", publish=True)
    text = first_snippet(client, "drones")
    assert text.startswith("<mark>Drones</mark> first. word0") and "word35 <mark>drones</mark> again." in text
    assert "…" not in text


def test_a_snippet_without_a_match_in_the_text_quotes_its_first_words(client):
    make_briefing(title="Frigates", standfirst="Navies at sea.", body="One two three. " * 20, publish=True)
    text = first_snippet(client, "frigates")
    assert text == "Navies at sea. One two three. One two three. One two three. One two three."  # fifteen words


def test_only_the_live_version_of_listed_briefings_is_found(client):
    live = make_briefing(title="Live one", body="alpha", publish=True)
    edit(live, body="bravo")  # an unpublished edit
    make_briefing(title="Draft one", body="alpha")
    scheduled = make_briefing(title="Scheduled one", body="alpha")
    withdrawn = make_briefing(title="Withdrawn one", body="alpha", publish=True)
    publishing.withdraw(withdrawn, by=None, note="Retracted.")
    gone = make_briefing(title="Gone one", body="alpha", publish=True)
    publishing.unpublish(gone, by=None)
    assert results(client, q="alpha") == ["Live one"]
    assert results(client, q="bravo") == []
    publishing.publish(live, by=None, change_kind="minor")
    assert results(client, q="bravo") == ["Live one"] and results(client, q="alpha") == []
    go_live = publish_soon(scheduled)  # scheduled last: the looks before its time take a moment on a busy machine
    assert results(client, q="alpha") == []
    wait_until(go_live)
    assert results(client, q="alpha") == ["Scheduled one"]


def test_filters_narrow_results_with_counts_per_option(client):
    space = make_theme("Space")
    make_briefing(title="Drones in Japan", themes=[space], regions=[region("Japan")], publish=True)
    make_briefing(title="Drones in France", regions=[region("France")], authors=[make_author("Ann Lee")], publish=True)
    page = client.get("/search/", {"q": "drones"}).content.decode()
    assert re.search(r'href="\?q=drones&amp;theme=space">Space</a> <span class="count">1</span>', page)
    assert re.search(r'href="\?q=drones&amp;region=japan">Japan</a> <span class="count">1</span>', page)
    assert re.search(r'href="\?q=drones&amp;author=ann-lee">Ann Lee</a> <span class="count">1</span>', page)
    assert "region=asia" not in page  # Japan's briefing is in Asia's list, but only regions named are offered
    assert results(client, q="drones", theme="space") == ["Drones in Japan"]
    assert results(client, q="drones", region="asia") == ["Drones in Japan"]  # regions inside Asia count
    assert results(client, q="drones", author="ann-lee") == ["Drones in France"]
    assert sorted(results(client, q="drones", year=timezone.now().year)) == ["Drones in France", "Drones in Japan"]
    assert results(client, q="drones", year=1999) == []
    assert client.get("/search/", {"q": "drones", "theme": "atlantis"}).status_code == 404


def test_the_year_facet_counts_years_as_the_year_filter_reads_them(client, settings):
    """In the site's time zone: a briefing published on New Year's Eve there is in the old year's count."""
    settings.TIME_ZONE = "America/New_York"
    eve = make_briefing(title="Drones at midnight", publish=True)
    backdate(eve, datetime(2025, 1, 1, 3, 0, tzinfo=UTC))  # 22:00 on 31 December in New York
    make_briefing(title="Drones in the new year", publish=True)
    backdate(Briefing.objects.get(slug="drones-in-the-new-year"), datetime(2025, 1, 1, 6, 0, tzinfo=UTC))
    page = client.get("/search/", {"q": "drones"}).content.decode()
    for year in (2024, 2025):
        assert re.search(rf'href="\?q=drones&amp;year={year}">{year}</a> <span class="count">1</span>', page), year
    assert results(client, q="drones", year=2024) == ["Drones at midnight"]
    assert results(client, q="drones", year=2025) == ["Drones in the new year"]


def test_a_misspelt_query_offers_a_correction_from_the_archive(client):
    make_briefing(title="Satellite intelligence", body="Reconnaissance satellites.", publish=True)
    draft = make_briefing(title="Secret", body="Zeppelinite programme.")
    search.remember_words(draft.body)  # a word that only a draft uses is never suggested
    page = client.get("/search/", {"q": "satelite"}).content.decode()
    assert "Did you mean" in page and 'href="?q=satellite"' in page
    assert "Did you mean" not in client.get("/search/", {"q": "zeppelinit"}).content.decode()


def test_the_result_count_is_exact_for_narrow_queries_and_bounded_for_broad_ones(client, monkeypatch):
    for number in range(5):
        make_briefing(title=f"Drones {number}", publish=True)
    page = client.get("/search/", {"q": "drones"})
    assert page.context["count"] == search.BoundedCount(5, False)
    assert "5 results" in page.content.decode()
    monkeypatch.setattr(search, "RESULT_LIMIT", 3)
    cache.clear()  # as a deploy of the new limit would
    page = client.get("/search/", {"q": "drones"})
    assert page.context["count"] == search.BoundedCount(3, True)
    assert "More than 3 results" in page.content.decode()


def test_results_are_paginated(client):
    for number in range(23):
        make_briefing(title=f"Drones {number:02}", publish=True)
    assert len(results(client, q="drones")) == 20 and len(results(client, q="drones", page=2)) == 3
    assert client.get("/search/", {"q": "drones", "page": 3}).status_code == 404
    first = client.get("/search/?q=drones&sort=date").content.decode()
    assert 'rel="next" href="?q=drones&amp;sort=date&amp;page=2"' in first
    second = client.get("/search/?page=2&q=drones&sort=date").content.decode()
    assert 'rel="prev" href="?q=drones&amp;sort=date"' in second
    assert '<a href="?q=drones">relevance</a>' in second  # another order starts on page one
    assert 'href="?q=drones&amp;sort=date&amp;year=' in second and "page=2&amp;q" not in second
    assert client.get("/search/", {"q": "drones", "page": "x"}).status_code == 404


HOSTILE = [
    "a" * 10_000,
    "drones " * 2000,
    "!!! & | <-> :* ( ) ' \"",
    '"unbalanced quote',
    "OR OR OR - - -",
    "drones\x00\x00 frigates",
    "\x00",
    "日本の宇宙政策 🚀 Ωμέγα عربى",
    "'; DROP TABLE briefings_briefing; --",
    "\\",
    "\ue000 marker \ue001",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_get_a_normal_page(client, query):
    """A NUL byte no keyboard types is refused at the door (400, see middleware.py); the rest is searched."""
    make_briefing(title="Drones", publish=True)
    expected = 400 if "\x00" in query else 200
    response = client.get("/search/", {"q": query, "sort": "date"})
    assert response.status_code == expected
    assert client.get("/search/", {"q": query}).status_code == expected
    assert Briefing.objects.count() == 1


def test_every_page_has_a_search_box(client):
    make_briefing(title="Drones", publish=True)
    for url in ("/", "/briefings/drones/", "/themes/"):
        page = client.get(url).content.decode()
        assert (
            '<form class="search-box" role="search" aria-label="Search the site" method="get" action="/search/">'
            in page
        )
        assert 'name="q"' in page


@pytest.mark.parametrize("briefings", [3, 9])
def test_the_search_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, briefings, ranking):
    """The first ask finds and counts (with the rank-ordered index, asking first whether the query is one
    common word); another page of the same results reads only its own rows."""
    theme = make_theme("Space")
    for number in range(briefings):
        make_briefing(
            title=f"Drones {number}", themes=[theme], regions=[region("Japan")], authors=[make_author()], publish=True
        )
    with django_assert_num_queries(6 if ranking == "rank-ordered index" else 5):
        client.get("/search/", {"q": "drones"})
    with django_assert_num_queries(2):  # the page's cards, and its passages
        client.get("/search/", {"q": "drones", "sort": "relevance"})
    with django_assert_num_queries(0):
        client.get("/search/", {"q": "drones"})


def test_results_can_be_limited_to_a_date_range(client):
    old = make_briefing(title="Drones of 2020", publish=True)
    backdate(old, datetime(2020, 5, 1, tzinfo=UTC))
    make_briefing(title="Drones of today", publish=True)
    assert results(client, q="drones", to="2020-12-31") == ["Drones of 2020"]
    assert results(client, q="drones", **{"from": "2021-01-01"}) == ["Drones of today"]
    assert sorted(results(client, q="drones", **{"from": "2020-05-01", "to": timezone.localdate().isoformat()})) == [
        "Drones of 2020",
        "Drones of today",
    ]
    assert client.get("/search/", {"q": "drones", "from": "yesterday"}).status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the index is rebuilt concurrently
def test_reindex_rebuilds_every_listed_briefings_search_document(client):
    make_briefing(title="Frigates", body="Frigates patrol.", publish=True)
    Briefing.objects.update(search_vector=None, search_excerpt="")
    assert results(client, q="frigates") == []
    out = io.StringIO()
    call_command("reindex", stdout=out)
    cache.clear()
    assert "1 briefing(s) indexed." in out.getvalue() and results(client, q="frigates") == ["Frigates"]
