"""The best matches of common words, kept as briefings are published: always the true first ones, and
what a search for one such word reads.

Scaled down: a word is common in three briefings, four matches are kept (read again under three), and a
search lists two results (so reads three from the kept matches: one more says there are more).
"""

import io
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefings import common_words, publishing, search
from briefings.models import BriefingWords, CommonWord, TopMatch
from briefings.models.search import has_rank_ordered_index
from tests.concurrency import meet_at_the_lock
from tests.helpers import backdate, edit, make_briefing, make_theme, publish_soon, run_worker, wait_until

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def scaled_down(settings, monkeypatch):
    settings.SEARCH_COMMON_WORD_BRIEFINGS = 3
    monkeypatch.setattr(common_words, "KEPT", 4)
    monkeypatch.setattr(common_words, "REFILL_BELOW", 3)
    monkeypatch.setattr(search, "RESULT_LIMIT", 2)


def drones(times: int, title: str, **content):
    """A briefing saying "drones" `times` times in its body: the more often, the nearer it ranks."""
    body = " ".join(["Drones matter."] * times + ["Other text about frigates and corvettes."] * (8 - times))
    return make_briefing(title=title, body=body, publish=True, **content)


def distances(word: str) -> dict[int, float]:
    """Every indexed briefing holding the word, with the index's own distance for it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, (search_vector <=> %(query)s::tsquery)::float8 FROM briefings_briefing "
            "WHERE search_vector @@ %(query)s::tsquery",
            {"query": common_words.as_query(word)},
        )
        return dict(cursor.fetchall())


def kept(word: str) -> dict[int, float]:
    return dict(TopMatch.objects.filter(word__word=word).values_list("briefing_id", "distance"))


def assert_truly_first(word: str) -> dict[int, float]:
    """The recount: the kept matches carry the index's distances and none left out is nearer."""
    every, first = distances(word), kept(word)
    assert first and all(every[pk] == distance for pk, distance in first.items())
    left_out = [distance for pk, distance in every.items() if pk not in first]
    assert not left_out or max(first.values()) <= min(left_out)
    assert len(first) <= common_words.KEPT
    assert len(first) >= min(common_words.REFILL_BELOW, len(every))
    return first


def assert_words_listed() -> None:
    """The recount of each indexed briefing's list of its common words, from its search vector."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT briefing.id, array(SELECT common.id FROM briefings_commonword common "
            "  WHERE common.word = ANY(tsvector_to_array(briefing.search_vector)) ORDER BY common.id) "
            "FROM briefings_briefing briefing WHERE briefing.search_vector IS NOT NULL"
        )
        expected = {pk: words for pk, words in cursor.fetchall() if words}
    assert dict(BriefingWords.objects.values_list("briefing_id", "common")) == expected


def count() -> str:
    output = io.StringIO()
    call_command("count_common_words", stdout=output)
    return output.getvalue()


def titles(client, **params) -> list[str]:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return [card.title for card, _ in response.context["results"] or []]


@pytest.fixture
def archive():
    """Six briefings on drones, each nearer than the next (three of them on space), and two on submarines."""
    space = make_theme("Space")
    briefings = [
        drones(times, f"Briefing {times}", themes=[space] if times in (6, 3, 2) else []) for times in range(7, 1, -1)
    ]
    for number in range(2):
        make_briefing(title=f"Submarines {number}", body="Submarines.", publish=True)
    return briefings


def test_counting_keeps_the_first_matches_of_each_common_word(archive):
    assert "common word(s) kept" in count()
    drone = CommonWord.objects.get(word="drone")
    assert drone.briefings == 6
    assert not CommonWord.objects.filter(word="submarin").exists()  # in two briefings only
    assert set(assert_truly_first("drone")) == {briefing.pk for briefing in archive[:4]}
    assert_words_listed()


def test_without_the_rum_index_counting_keeps_nothing_and_says_why(archive):
    """Where the migration could only make a GIN index there is no distance to keep matches by."""
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX briefing_search_rum")  # undone with the test's transaction
    has_rank_ordered_index.cache_clear()
    try:
        assert "no word is kept" in count()
        assert common_words.count_common_words() == (0, 0)  # as the nightly task calls it
    finally:
        has_rank_ordered_index.cache_clear()
    assert not CommonWord.objects.exists() and not TopMatch.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_nightly_task_counts_them_on_the_worker(archive):
    from briefings.tasks import count_common_words

    count_common_words.defer(timestamp=0)
    run_worker()
    assert set(assert_truly_first("drone")) == {briefing.pk for briefing in archive[:4]}


def test_a_publish_places_the_briefing_among_the_first_matches_and_trims_them(archive):
    count()
    nearest = drones(8, "Drones, drones, drones")
    assert nearest.pk in assert_truly_first("drone") and len(kept("drone")) == 4
    publishing.withdraw(nearest, by=None, note="Withdrawn for the test.")
    assert len(assert_truly_first("drone")) == 3  # short, not yet read again: room for one more
    farthest = drones(1, "One mention")
    assert farthest.pk not in assert_truly_first("drone")  # nearer matches were left out: it may not jump them
    assert_words_listed()


def test_a_correction_or_withdrawal_takes_a_briefing_out_and_a_short_list_is_read_again(archive):
    count()
    first = archive[0]
    publishing.publish(edit(first, body="Nothing about them now."), by=None, change_kind="correction")
    assert first.pk not in assert_truly_first("drone")
    publishing.withdraw(archive[1], by=None, note="Withdrawn for the test.")
    first_now = assert_truly_first("drone")  # two of four went: read again from the index
    assert archive[1].pk not in first_now and set(first_now) == {briefing.pk for briefing in archive[2:]}
    assert_words_listed()  # the corrected one no longer holds the word; the withdrawn one holds none


def test_a_search_for_a_common_word_reads_its_kept_matches_in_the_indexs_order(client, archive):
    from_index = titles(client, q="drones")
    count()
    cache.clear()  # the results asked before are kept: counting changes no public content
    with CaptureQueriesContext(connection) as queries:
        from_kept = titles(client, q="drones")
    ranking = [query["sql"] for query in queries.captured_queries if "briefings_topmatch" in query["sql"]]
    assert len(ranking) == 1 and "<=>" not in ranking[0]  # no distance computed on the request
    assert from_kept == from_index == ["Briefing 7", "Briefing 6"]
    assert titles(client, q="drones", sort="date") == ["Briefing 2", "Briefing 3"]


def test_a_filtered_search_lists_the_kept_matches_it_passes_then_the_others_newest_first(client, archive):
    count()
    cache.clear()
    response = client.get("/search/", {"q": "drones", "theme": "space"})
    assert [card.title for card, _ in response.context["results"]] == ["Briefing 6", "Briefing 2"]  # 3 is older
    assert response.context["count"].is_capped  # "more than 2": Briefing 3 too
    assert titles(client, q="drones", theme="space", sort="date") == ["Briefing 2", "Briefing 3"]
    this_year = archive[0].published_at.year
    assert titles(client, q="drones", year=this_year) == ["Briefing 7", "Briefing 6"]
    assert titles(client, q="drones", year=this_year - 1) == []
    today = archive[0].published_at.date().isoformat()
    assert titles(client, q="drones", theme="space", sort="date", **{"from": today}) == ["Briefing 2", "Briefing 3"]
    assert titles(client, q="drones", theme="space", to="2000-01-01") == []


def test_a_filtered_search_reads_years_and_dates_in_the_sites_time_zone(client, archive, settings):
    """Kept matches and the others alike: New Year's Eve in New York is still the old year there."""
    settings.TIME_ZONE = "America/New_York"
    backdate(archive[1], datetime(2025, 1, 1, 3, 0, tzinfo=UTC))  # Briefing 6, at 22:00 on 31 December there
    backdate(archive[4], datetime(2025, 1, 1, 6, 0, tzinfo=UTC))  # Briefing 3, at 01:00 on 1 January
    count()
    cache.clear()
    assert titles(client, q="drones", year=2024) == ["Briefing 6"]
    assert titles(client, q="drones", year=2025) == ["Briefing 3"]
    assert titles(client, q="drones", theme="space", to="2024-12-31") == ["Briefing 6"]
    new_years_day = {"from": "2025-01-01", "to": "2025-01-01"}
    assert titles(client, q="drones", theme="space", sort="date", **new_years_day) == ["Briefing 3"]
    assert titles(client, q="drones", theme="space", year=2024, **{"from": "2025-01-01"}) == []
    assert titles(client, q="drones", to="9999-12-31", year=9999) == []


def test_a_search_of_several_words_or_a_word_not_yet_ready_ranks_with_the_index(client, archive):
    count()
    CommonWord.objects.filter(word="matter").update(is_ready=False)  # as while counting lists every briefing
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert titles(client, q="drones matter") == ["Briefing 7", "Briefing 6"]
        assert titles(client, q="matter") == ["Briefing 7", "Briefing 6"]
    assert not any("briefings_topmatch" in query["sql"] for query in queries.captured_queries)


def test_a_scheduled_briefing_among_the_kept_matches_is_found_only_from_its_time(client, archive):
    count()
    scheduled = make_briefing(title="Scheduled", body="Drones matter. " * 9)
    go_live = publish_soon(scheduled)
    assert scheduled.pk in kept("drone")
    assert titles(client, q="drones") == ["Briefing 7", "Briefing 6"]
    wait_until(go_live)
    assert titles(client, q="drones") == ["Scheduled", "Briefing 7"]


def test_counting_again_forgets_a_word_no_longer_common(archive):
    make_briefing(title="Submarines 2", body="Submarines.", publish=True)
    count()
    for briefing in archive[:4]:
        publishing.unpublish(briefing, by=None)
    count()
    assert not CommonWord.objects.filter(word="drone").exists()
    assert (
        not TopMatch.objects.filter(word__word="drone").exists()
        and TopMatch.objects.filter(word__word="submarin").exists()
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("order", ["nearer first", "farther first"])
def test_two_publishes_meeting_at_a_common_words_lock_both_find_their_place(order):
    for times in range(6, 2, -1):
        drones(times, f"Briefing {times}")
    count()
    nearer, farther = drones_draft(8, "Nearer"), drones_draft(7, "Farther")
    first, second = (nearer, farther) if order == "nearer first" else (farther, nearer)
    results = meet_at_the_lock(
        first,
        lambda: publishing.publish(first, by=None),
        lambda: publishing.publish(second, by=None),
        row=CommonWord.objects.filter(word="drone"),
    )
    assert not any(isinstance(result, BaseException) for result in results), results
    assert {nearer.pk, farther.pk} <= set(assert_truly_first("drone"))
    assert_words_listed()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("order", ["publish first", "count first"])
def test_a_list_started_while_a_briefing_is_published_includes_it(order):
    for times in range(6, 2, -1):
        drones(times, f"Briefing {times}")
    nearest = drones_draft(8, "Nearest")
    actions = [lambda: publishing.publish(nearest, by=None), count]
    results = meet_at_the_lock(
        nearest,
        *(actions if order == "publish first" else actions[::-1]),
        hold=lambda: connection.cursor().execute("SELECT pg_advisory_xact_lock(%s)", [common_words.LOCK]),
    )
    assert not any(isinstance(result, BaseException) for result in results), results
    assert nearest.pk in assert_truly_first("drone")
    assert_words_listed()


def drones_draft(times: int, title: str):
    body = " ".join(["Drones matter."] * times)
    return make_briefing(title=title, body=body)
