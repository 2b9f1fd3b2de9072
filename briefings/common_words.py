"""The best matches of the archive's most common words, kept in search order as briefings are published.

Ranking a search means reading every match of its words from the index; for a word in most of an archive
of 100,000 briefings that is the whole cost of the page. So for each common word (one at least
settings.SEARCH_COMMON_WORD_BRIEFINGS indexed briefings hold, counted by `count_common_words`) its first
KEPT matches are kept: whatever changes, no match left out is nearer (by the index's distance, the order
search gives) than one kept. A publish places the briefing among them when it comes before the last one
kept, newer first among equals (trimming back to KEPT); a list that removals leave shorter than
REFILL_BELOW is read again from the index. Each indexed briefing also keeps the list of common words it
holds (`BriefingWords`), so that whether it matches one is a small row's read.

A search for one common word lists its kept matches first, in order, then (when filters leave fewer
than a page of results among them) the word's other matches newest first.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Briefing, CommonWord
from .models.listings import HELD_IN_SQL, List
from .models.search import has_rank_ordered_index

KEPT = 300
REFILL_BELOW = 250
LOCK = 7_146_300  # advisory lock: publishes share it; counting holds it alone while it starts new lists


def as_query(word: str) -> str:
    """tsquery input for one word as the index holds it: quoted, its quotes and backslashes doubled."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


LOCK_WORDS_SQL = """
    SELECT id, word FROM briefings_commonword
    WHERE word = ANY(tsvector_to_array(
            coalesce((SELECT search_vector FROM briefings_briefing WHERE id = %(briefing)s), ''::tsvector)))
       OR id IN (SELECT word_id FROM briefings_topmatch WHERE briefing_id = %(briefing)s)
    ORDER BY id
    FOR UPDATE
"""
# The common words of each indexed briefing among these (hashed once: a lookup per word would not be).
WORDS_OF_SQL = """
    INSERT INTO briefings_briefingwords (briefing_id, common)
    SELECT briefing.id, array_agg(common.id ORDER BY common.id)
    FROM briefings_briefing briefing
    CROSS JOIN LATERAL unnest(tsvector_to_array(briefing.search_vector)) AS lexeme (word)
    JOIN briefings_commonword common ON common.word = lexeme.word
    WHERE briefing.id = ANY(%(briefings)s)
    GROUP BY briefing.id
    ON CONFLICT (briefing_id) DO UPDATE SET common = excluded.common
"""
# A briefing joins a word's kept matches only where it comes before the last one kept.
PLACE_SQL = """
    INSERT INTO briefings_topmatch (word_id, briefing_id, distance, published_at)
    SELECT common.id, briefing.id, briefing.distance, briefing.published_at
    FROM unnest(%(ids)s::int[], %(queries)s::tsquery[]) AS common (id, query)
    CROSS JOIN LATERAL (
        SELECT id, published_at, search_vector <=> common.query AS distance
        FROM briefings_briefing WHERE id = %(briefing)s AND search_vector @@ common.query
    ) briefing
    CROSS JOIN LATERAL (
        SELECT distance, published_at, briefing_id FROM briefings_topmatch
        WHERE word_id = common.id ORDER BY distance DESC, published_at, briefing_id LIMIT 1
    ) last
    WHERE (last.distance, briefing.published_at, briefing.id) > (briefing.distance, last.published_at, last.briefing_id)
    RETURNING word_id
"""
TRIM_SQL = """
    DELETE FROM briefings_topmatch kept USING (
        SELECT common.id, last.briefing_id
        FROM unnest(%(ids)s::int[]) AS common (id)
        CROSS JOIN LATERAL (
            SELECT briefing_id FROM briefings_topmatch
            WHERE word_id = common.id ORDER BY distance DESC, published_at, briefing_id LIMIT 1
        ) last
        WHERE (SELECT count(*) FROM briefings_topmatch WHERE word_id = common.id) > %(kept)s
    ) surplus
    WHERE kept.word_id = surplus.id AND kept.briefing_id = surplus.briefing_id
"""
SHORT_SQL = """
    SELECT common.id, common.word FROM briefings_commonword common
    WHERE common.id = ANY(%(ids)s)
      AND (SELECT count(*) FROM briefings_topmatch WHERE word_id = common.id) < %(refill_below)s
"""
# One word at a time, its query written out: the planner then sees how many briefings hold it and reads
# them from the index in order, rather than ranking every match from its stored vector.
REFILL_SQL = """
    INSERT INTO briefings_topmatch (word_id, briefing_id, distance, published_at)
    SELECT %(id)s, id, search_vector <=> %(query)s::tsquery, published_at FROM briefings_briefing
    WHERE search_vector @@ %(query)s::tsquery
    ORDER BY search_vector <=> %(query)s::tsquery
    LIMIT %(kept)s
"""
COUNT_SQL = """
    SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM briefings_briefing WHERE search_vector IS NOT NULL')
    WHERE ndoc >= %(least)s
"""
FORGET_SQL = """
    WITH forgotten AS (DELETE FROM briefings_commonword WHERE NOT word = ANY(%(words)s) RETURNING id)
    DELETE FROM briefings_topmatch WHERE word_id IN (SELECT id FROM forgotten)
"""
RECOUNT_SQL = """
    UPDATE briefings_commonword SET briefings = counted.briefings
    FROM unnest(%(words)s::text[], %(counts)s::int[]) AS counted (word, briefings)
    WHERE briefings_commonword.word = counted.word
"""
SOLE_WORD_SQL = """
    SELECT id FROM briefings_commonword
    WHERE is_ready AND numnode(websearch_to_tsquery(%(config)s, %(text)s)) = 1
      AND word = ANY(tsvector_to_array(to_tsvector(%(config)s, %(text)s)))
"""

# A common word's hits in the first of some kept lists (models.listings), live, each row looked up in the
# others and within a span of time ({within}: the conditions `within` writes); the year of each in the site's
# time zone. Its kept matches in search order, each looked up in the list (as a join, the planner would
# read a list of every briefing whole); or the briefings holding it newest first along the list's index.
KEPT_HITS_SQL = """
    SELECT row.briefing_id, EXTRACT(YEAR FROM row.published_at AT TIME ZONE %(zone)s)::int
    FROM briefings_topmatch kept
    CROSS JOIN LATERAL (
        SELECT briefing_id, published_at FROM briefings_listing
        WHERE (kind, tag, briefing_id) = (%(kind)s, %(tag)s, kept.briefing_id) LIMIT 1
    ) row
    WHERE kept.word_id = %(word)s AND row.published_at <= STATEMENT_TIMESTAMP() {within}
    ORDER BY kept.distance, kept.published_at DESC, kept.briefing_id DESC
    LIMIT %(count)s
"""
NEWEST_HITS_SQL = """
    SELECT row.briefing_id, EXTRACT(YEAR FROM row.published_at AT TIME ZONE %(zone)s)::int
    FROM briefings_listing row
    WHERE row.kind = %(kind)s AND row.tag = %(tag)s AND row.published_at <= STATEMENT_TIMESTAMP() {within}
        AND (SELECT words.common @> ARRAY[%(word)s]::integer[]
             FROM briefings_briefingwords words WHERE words.briefing_id = row.briefing_id)
        {unkept}
    ORDER BY row.published_at DESC, row.briefing_id DESC
    LIMIT %(count)s
"""
AFTER_SQL = " AND row.published_at >= %(after)s"
BEFORE_SQL = " AND row.published_at < %(before)s"
UNKEPT_SQL = """
        AND NOT EXISTS (SELECT FROM briefings_topmatch kept
                        WHERE (kept.word_id, kept.briefing_id) = (%(word)s, row.briefing_id))"""
Span = tuple[datetime | None, datetime | None]  # the first moment and the first moment after (None: open)


def keep_top_matches(briefing_id: int) -> None:
    """Place a briefing just indexed (or taken out of the index) among its common words' kept matches,
    and keep its list of them; call in the transaction that changed its search vector."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [LOCK])
        cursor.execute(LOCK_WORDS_SQL, {"briefing": briefing_id})
        words = dict(cursor.fetchall())
        cursor.execute("DELETE FROM briefings_briefingwords WHERE briefing_id = %s", [briefing_id])
        if not words:
            return
        cursor.execute(WORDS_OF_SQL, {"briefings": [briefing_id]})
        cursor.execute("DELETE FROM briefings_topmatch WHERE briefing_id = %s", [briefing_id])
        queries = [as_query(word) for word in words.values()]
        cursor.execute(PLACE_SQL, {"ids": list(words), "queries": queries, "briefing": briefing_id})
        placed = [word_id for (word_id,) in cursor.fetchall()]
        if placed:
            cursor.execute(TRIM_SQL, {"ids": placed, "kept": KEPT})
        cursor.execute(SHORT_SQL, {"ids": list(words), "refill_below": REFILL_BELOW})
        refill(dict(cursor.fetchall()))


def refill(words: dict[int, str]) -> None:
    """Read these words' first matches from the index again (their rows locked by the caller)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM briefings_topmatch WHERE word_id = ANY(%s)", [list(words)])
        for word_id, word in words.items():
            cursor.execute(REFILL_SQL, {"id": word_id, "query": as_query(word), "kept": KEPT})


def count_common_words(batch: int = 50, briefings_batch: int = 2000) -> tuple[int, int]:
    """Count how many briefings hold each word and keep the matches of those now common (dropping those
    no longer common); returns how many words are kept and how many are new. Each step is a short
    transaction: publishes wait for one at a time. Without the RUM index there is no distance to keep
    matches by, and nothing is counted."""
    if not has_rank_ordered_index():
        return 0, 0
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL, {"least": settings.SEARCH_COMMON_WORD_BRIEFINGS})
        counts = dict(cursor.fetchall())
    with transaction.atomic(), connection.cursor() as cursor:
        take_lock_alone()
        cursor.execute(FORGET_SQL, {"words": list(counts)})
        cursor.execute(RECOUNT_SQL, {"words": list(counts), "counts": list(counts.values())})
    new = sorted(set(counts) - set(CommonWord.objects.values_list("word", flat=True)))
    for start in range(0, len(new), batch):
        with transaction.atomic():
            take_lock_alone()
            made = CommonWord.objects.bulk_create(
                [CommonWord(word=word, briefings=counts[word]) for word in new[start : start + batch]]
            )
            refill({word.id: word.word for word in made})
    if CommonWord.objects.filter(is_ready=False).exists():
        list_every_briefings_words(briefings_batch)
        CommonWord.objects.filter(is_ready=False).update(is_ready=True)
    return len(counts), len(new)


def list_every_briefings_words(batch: int) -> None:
    """Write again each indexed briefing's list of its common words, which new ones may have joined."""
    indexed = Briefing.objects.filter(search_vector__isnull=False).order_by("pk").values_list("pk", flat=True)
    ids = list(indexed)
    for start in range(0, len(ids), batch):
        with transaction.atomic(), connection.cursor() as cursor:
            take_lock_alone()
            cursor.execute(WORDS_OF_SQL, {"briefings": ids[start : start + batch]})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE briefings_briefingwords")  # how common each word is: the planner walks or reads


def take_lock_alone() -> None:
    """Wait for publishes under way: what is written now must see every search vector they wrote."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])


def sole_common_word(text: str, config: str) -> int | None:
    """The id of the common word a query consists of, if it is one word and that word is common."""
    with connection.cursor() as cursor:
        cursor.execute(SOLE_WORD_SQL, {"config": config, "text": text})
        row = cursor.fetchone()
    return row[0] if row else None


def kept_hits(word_id: int, lists: list[List], span: Span, count: int) -> list[tuple[int, int]]:
    """(briefing, year) of the word's kept matches in every one of these kept lists and within the span, in
    search order: the first `count`."""
    return read_hits(KEPT_HITS_SQL, word_id, lists, span, count)


def newest_hits(word_id: int, lists: list[List], span: Span, count: int, *, unkept: bool = False):
    """(briefing, year) of the briefings holding the word (`unkept`: but not among its kept matches) in every
    one of these kept lists and within the span, newest first: the first `count`."""
    return read_hits(NEWEST_HITS_SQL.replace("{unkept}", UNKEPT_SQL if unkept else ""), word_id, lists, span, count)


def read_hits(sql: str, word_id: int, lists: list[List], span: Span, count: int) -> list[tuple[int, int]]:
    """Written out rather than composed by the ORM, which took longer to write these statements (about 5 ms
    for a filtered search) than PostgreSQL takes to answer them."""
    (kind, tag), others = lists[0], lists[1:]
    params = {"word": word_id, "kind": kind, "tag": tag, "count": count, "zone": timezone.get_current_timezone_name()}
    conditions, extra = within(others, span)
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{within}", conditions), params | extra)
        return cursor.fetchall()


def within(lists: list[List], span: Span) -> tuple[str, dict]:
    """Conditions on a kept list's `row`: its briefing in each of these lists, published within the span
    (only the bounds there are: each one more makes the planner expect fewer rows)."""
    after, before = span
    conditions = [
        " AND " + HELD_IN_SQL.format(held=f"row.briefing_id, %(kind{number})s, %(tag{number})s")
        for number in range(len(lists))
    ]
    conditions += [condition for condition, bound in ((AFTER_SQL, after), (BEFORE_SQL, before)) if bound]
    params = {"after": after, "before": before}
    for number, (kind, tag) in enumerate(lists):
        params |= {f"kind{number}": kind, f"tag{number}": tag}
    return "".join(conditions), params
