"""The best matches of the archive's most common words, kept in search order as briefings are published.

Ranking a search means reading every match of its words from the index; for a word in most of an archive
of 100,000 briefings that is the whole cost of the page. So for each common word (one at least
settings.SEARCH_COMMON_WORD_BRIEFINGS indexed briefings hold, counted by `count_common_words`) its first
KEPT matches are kept: whatever changes, no match left out is nearer (by the index's distance, the order
search gives) than one kept. A publish places the briefing among them when it comes before the last one
kept, newer first among equals (trimming back to KEPT); a list that removals leave shorter than
REFILL_BELOW is read again from the index. A search for one common word reads
its first results from here; one that needs more than a list holds (a filter few of its matches pass)
ranks with the index.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet

from .models import Briefing, CommonWord

KEPT = 300
REFILL_BELOW = 250
LOCK = 7_146_300  # advisory lock: publishes share it; counting holds it alone while it starts new lists


def lexeme_query(column: str) -> str:
    """SQL for a query of the one (already stemmed) word in `column`, quoted as tsquery input wants."""
    return rf"('''' || replace(replace({column}, '\', '\\'), '''', '''''') || '''')::tsquery"


LOCK_WORDS_SQL = """
    SELECT word FROM briefings_commonword
    WHERE word = ANY(tsvector_to_array(
            coalesce((SELECT search_vector FROM briefings_briefing WHERE id = %(briefing)s), ''::tsvector)))
       OR word IN (SELECT word FROM briefings_topmatch WHERE briefing_id = %(briefing)s)
    ORDER BY word
    FOR UPDATE
"""
# A briefing joins a word's kept matches only where it comes before the last one kept.
PLACE_SQL = f"""
    INSERT INTO briefings_topmatch (word, briefing_id, distance, published_at)
    SELECT common.word, briefing.id, briefing.distance, briefing.published_at
    FROM unnest(%(words)s::text[]) AS common (word)
    CROSS JOIN LATERAL (
        SELECT id, published_at, search_vector <=> {lexeme_query("common.word")} AS distance
        FROM briefings_briefing WHERE id = %(briefing)s AND search_vector @@ {lexeme_query("common.word")}
    ) briefing
    CROSS JOIN LATERAL (
        SELECT distance, published_at, briefing_id FROM briefings_topmatch
        WHERE word = common.word ORDER BY distance DESC, published_at, briefing_id LIMIT 1
    ) last
    WHERE (last.distance, briefing.published_at, briefing.id) > (briefing.distance, last.published_at, last.briefing_id)
    RETURNING word
"""
TRIM_SQL = """
    DELETE FROM briefings_topmatch kept USING (
        SELECT common.word, last.briefing_id
        FROM unnest(%(words)s::text[]) AS common (word)
        CROSS JOIN LATERAL (
            SELECT briefing_id FROM briefings_topmatch
            WHERE word = common.word ORDER BY distance DESC, published_at, briefing_id LIMIT 1
        ) last
        WHERE (SELECT count(*) FROM briefings_topmatch WHERE word = common.word) > %(kept)s
    ) surplus
    WHERE kept.word = surplus.word AND kept.briefing_id = surplus.briefing_id
"""
SHORT_SQL = """
    SELECT common.word FROM unnest(%(words)s::text[]) AS common (word)
    WHERE (SELECT count(*) FROM briefings_topmatch WHERE word = common.word) < %(refill_below)s
"""
# One word at a time, its query written out: the planner then sees how many briefings hold it and reads
# them from the index in order, rather than ranking every match from its stored vector.
REFILL_SQL = """
    INSERT INTO briefings_topmatch (word, briefing_id, distance, published_at)
    SELECT %(word)s, id, search_vector <=> %(query)s::tsquery, published_at FROM briefings_briefing
    WHERE search_vector @@ %(query)s::tsquery
    ORDER BY search_vector <=> %(query)s::tsquery
    LIMIT %(kept)s
"""
COUNT_SQL = """
    SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM briefings_briefing WHERE search_vector IS NOT NULL')
    WHERE ndoc >= %(least)s
"""
FORGET_SQL = """
    WITH forgotten AS (DELETE FROM briefings_commonword WHERE NOT word = ANY(%(words)s) RETURNING word)
    DELETE FROM briefings_topmatch WHERE word IN (SELECT word FROM forgotten)
"""
RECOUNT_SQL = """
    UPDATE briefings_commonword SET briefings = counted.briefings
    FROM unnest(%(words)s::text[], %(counts)s::int[]) AS counted (word, briefings)
    WHERE briefings_commonword.word = counted.word
"""
SOLE_WORD_SQL = """
    SELECT word FROM briefings_commonword
    WHERE numnode(websearch_to_tsquery(%(config)s, %(text)s)) = 1
      AND word = ANY(tsvector_to_array(to_tsvector(%(config)s, %(text)s)))
"""


def keep_top_matches(briefing_id: int) -> None:
    """Place a briefing just indexed (or taken out of the index) among its common words' kept matches;
    call in the transaction that changed its search vector."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [LOCK])
        cursor.execute(LOCK_WORDS_SQL, {"briefing": briefing_id})
        words = [word for (word,) in cursor.fetchall()]
        if not words:
            return
        cursor.execute("DELETE FROM briefings_topmatch WHERE briefing_id = %s", [briefing_id])
        cursor.execute(PLACE_SQL, {"words": words, "briefing": briefing_id})
        placed = [word for (word,) in cursor.fetchall()]
        if placed:
            cursor.execute(TRIM_SQL, {"words": placed, "kept": KEPT})
        cursor.execute(SHORT_SQL, {"words": words, "refill_below": REFILL_BELOW})
        refill([word for (word,) in cursor.fetchall()])


def refill(words: list[str]) -> None:
    """Read these words' first matches from the index again (their rows locked by the caller)."""
    if words:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM briefings_topmatch WHERE word = ANY(%s)", [words])
            for word in words:
                cursor.execute(REFILL_SQL, {"word": word, "query": as_query(word), "kept": KEPT})


def as_query(word: str) -> str:
    """tsquery input for one word as the index holds it: quoted, its quotes and backslashes doubled."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def count_common_words(batch: int = 50) -> tuple[int, int]:
    """Count how many briefings hold each word and keep the matches of those now common (dropping those
    no longer common); returns how many words are kept and how many lists were started."""
    least = settings.SEARCH_COMMON_WORD_BRIEFINGS
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL, {"least": least})
        counts = dict(cursor.fetchall())
    known = set(CommonWord.objects.values_list("word", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        take_lock_alone()
        cursor.execute(FORGET_SQL, {"words": list(counts)})
        cursor.execute(RECOUNT_SQL, {"words": list(counts), "counts": list(counts.values())})
    new = sorted(set(counts) - known)
    for start in range(0, len(new), batch):  # each batch a short transaction: publishes wait only for one
        words = new[start : start + batch]
        with transaction.atomic():
            take_lock_alone()
            CommonWord.objects.bulk_create([CommonWord(word=word, briefings=counts[word]) for word in words])
            refill(words)
    return len(counts), len(new)


def take_lock_alone() -> None:
    """Wait for publishes under way: a list started now must see every search vector they wrote."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])


def sole_common_word(text: str, config: str) -> str | None:
    """The common word a query consists of, if it is one word and that word is common."""
    with connection.cursor() as cursor:
        cursor.execute(SOLE_WORD_SQL, {"config": config, "text": text})
        row = cursor.fetchone()
    return row[0] if row else None


def in_kept_order(briefings: QuerySet[Briefing], word: str) -> QuerySet[Briefing]:
    """These briefings among the word's kept matches, in search order."""
    return briefings.filter(top_matches__word=word).order_by(
        "top_matches__distance", "-top_matches__published_at", "-top_matches__briefing"
    )
