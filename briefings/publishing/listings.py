"""Keeping the lists and counts readers see (briefings.models.listings) in step with the briefings.

`refresh` runs in the transaction of every state change of a briefing, on its locked row; `rebuild`
writes everything again from the briefings (after the region tree changes, and in the migration that
made the tables); `differences` compares what is kept with a recount.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import m2m_changed

from .. import languages, scopes
from ..models import Briefing, Region
from ..models.listings import FACETS, NO_TAG, Kind, Listing, Tally
from ..models.tags import INSIDE_CTE

Key = tuple[str, int]

# The lists each listed (or scheduled) briefing belongs to, from its live version's tags. A region's
# list holds the briefings tagged with it or with any region inside it, through any grouping.
LISTINGS_SQL = f"""
    WITH RECURSIVE {INSIDE_CTE}, chosen AS (
        SELECT id, live_revision_id, published_at FROM briefings_briefing
        WHERE status = 'published' AND withdrawn_at IS NULL AND {{where}}
    )
    SELECT '{Kind.ALL}', {NO_TAG}::bigint, id, published_at FROM chosen
    UNION ALL
    SELECT '{Kind.MONTH}', to_char(published_at AT TIME ZONE %(zone)s, 'YYYYMM')::bigint, id, published_at FROM chosen
    UNION ALL
    SELECT DISTINCT '{Kind.THEME}', tag.theme_id, chosen.id, published_at
    FROM chosen JOIN briefings_revisiontheme tag ON tag.revision_id = chosen.live_revision_id
    UNION ALL
    SELECT DISTINCT '{Kind.TAGGED_REGION}', tag.region_id, chosen.id, published_at
    FROM chosen JOIN briefings_revisionregion tag ON tag.revision_id = chosen.live_revision_id
    UNION ALL
    SELECT DISTINCT '{Kind.REGION}', inside.ancestor_id, chosen.id, published_at
    FROM chosen JOIN briefings_revisionregion tag ON tag.revision_id = chosen.live_revision_id
    JOIN inside ON inside.region_id = tag.region_id
    UNION ALL
    SELECT DISTINCT '{Kind.AUTHOR}', tag.author_id, chosen.id, published_at
    FROM chosen JOIN briefings_revisionauthor tag ON tag.revision_id = chosen.live_revision_id
    UNION ALL
    SELECT '{Kind.SERIES}', revision.series_id, chosen.id, published_at
    FROM chosen JOIN briefings_revision revision ON revision.id = chosen.live_revision_id
    WHERE revision.series_id IS NOT NULL
"""
FACET_PAIRS_SQL = " OR ".join(f"(list.kind = '{kind}' AND facet.kind = '{facet}')" for kind, facet in FACETS)
TALLIES_SQL = f"""
    INSERT INTO briefings_tally (kind, tag, facet_kind, facet_tag, count)
    SELECT kind, tag, '', {NO_TAG}, COUNT(*) FROM briefings_listing GROUP BY kind, tag
    UNION ALL
    SELECT list.kind, list.tag, facet.kind, facet.tag, COUNT(*)
    FROM briefings_listing list JOIN briefings_listing facet USING (briefing_id)
    WHERE {FACET_PAIRS_SQL}
    GROUP BY list.kind, list.tag, facet.kind, facet.tag
"""


# Which rows of works with translations each reading language does not see, and from when (Listing.hidden_in):
# for each language, a work's listed briefings ranked (in that language, the original, the first published),
# each hidden from the moment one ranked before it is live. Briefings without translations are left as they are.
HIDE_SQL = """
    WITH listed AS (
        SELECT id, COALESCE(translation_of_id, id) AS work, language, translation_of_id IS NULL AS is_original,
            published_at
        FROM briefings_briefing
        WHERE status = 'published' AND withdrawn_at IS NULL AND ({where})
    ), ranked AS (
        SELECT listed.id, reading.language AS reading, MIN(listed.published_at) OVER (
            PARTITION BY listed.work, reading.language
            ORDER BY listed.language = reading.language DESC, listed.is_original DESC, listed.published_at, listed.id
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS hidden_at
        FROM listed CROSS JOIN UNNEST(%(languages)s::varchar[]) AS reading (language)
    ), hidden AS (
        SELECT id,
            COALESCE(ARRAY_AGG(reading ORDER BY reading) FILTER (WHERE hidden_at IS NOT NULL), '{{}}') AS hidden_in,
            COALESCE(ARRAY_AGG(hidden_at ORDER BY reading) FILTER (WHERE hidden_at IS NOT NULL), '{{}}') AS hidden_at
        FROM ranked GROUP BY id
    )
    UPDATE briefings_listing row SET hidden_in = hidden.hidden_in, hidden_at = hidden.hidden_at
    FROM hidden
    WHERE row.briefing_id = hidden.id
        AND (row.hidden_in, row.hidden_at) IS DISTINCT FROM (hidden.hidden_in::varchar[], hidden.hidden_at)
    RETURNING row.kind, row.tag, row.briefing_id, row.published_at
"""
IN_WORK = "id = %(work)s OR translation_of_id = %(work)s"  # along the key and the translations' index
IN_ANY_WORK = "translation_of_id IS NOT NULL OR id IN (SELECT translation_of_id FROM briefings_briefing)"


def hide_behind_translations(where: str, params: dict) -> list[tuple[str, int, int, object]]:
    """Set which readers see which briefing of each chosen work; returns (kind, tag, briefing id,
    published_at) of each row changed."""
    with connection.cursor() as cursor:
        cursor.execute(HIDE_SQL.format(where=where), {"languages": languages.codes(), **params})
        return cursor.fetchall()


def listings_of(where: str, params: dict) -> list[tuple[str, int, int, object]]:
    """(kind, tag, briefing id, published_at) of every list the chosen briefings belong to now."""
    with connection.cursor() as cursor:
        cursor.execute(LISTINGS_SQL.format(where=where), {"zone": settings.TIME_ZONE, **params})
        return cursor.fetchall()


def refresh(briefing: Briefing) -> set[str]:
    """Put the briefing in the lists it now belongs to, and out of the others, with the counts to match;
    returns the scopes of public content this changes (briefings/scopes.py). Call in the transaction
    that changed it, holding its row."""
    with connection.cursor() as cursor:
        # Before reading anything: a rebuild (after a regrouping) either waits for this change or has
        # committed, so this reads the region tree the rebuild wrote.
        cursor.execute("LOCK TABLE briefings_listing IN ROW EXCLUSIVE MODE")
    work = briefing.translation_of_id or briefing.pk
    if work != briefing.pk:  # a work's briefings decide together who is shown: one change to them at a time
        list(Briefing.objects.select_for_update().filter(pk=work).values_list("pk"))
    rows = listings_of("id = %(id)s", {"id": briefing.pk})
    wanted = {(kind, tag): published_at for kind, tag, _, published_at in rows}
    kept = dict(((kind, tag), published_at) for kind, tag, published_at in
                Listing.objects.filter(briefing=briefing).values_list("kind", "tag", "published_at"))  # fmt: skip
    changed = {scopes.of_briefing(briefing.pk)}
    if wanted == kept:
        return changed
    changed.add(scopes.of_work(work))  # the others' pages link to it, or not
    for (kind, tag), published_at in (*wanted.items(), *kept.items()):
        changed |= scopes.of_listing(kind, tag, briefing.pk, published_at)
    Listing.objects.filter(briefing=briefing).delete()
    Listing.objects.bulk_create(
        Listing(kind=kind, tag=tag, briefing=briefing, published_at=published_at)
        for (kind, tag), published_at in wanted.items()
    )
    change = tallies_of(wanted)
    change.subtract(tallies_of(kept))
    add_to_tallies({key: number for key, number in change.items() if number})
    for kind, tag, shown, published_at in hide_behind_translations(IN_WORK, {"work": work}):
        changed |= scopes.of_listing(kind, tag, shown, published_at)
    return changed


def tallies_of(keys: Iterable[Key]) -> Counter:
    """The tallies one briefing in these lists adds to: each list's count and its facets' counts."""
    keys = list(keys)
    counted = Counter((kind, tag, "", NO_TAG) for kind, tag in keys)
    for kind, tag in keys:
        for facet_kind, facet_tag in keys:
            if (kind, facet_kind) in FACETS:
                counted[(kind, tag, facet_kind, facet_tag)] += 1
    return counted


def add_to_tallies(change: dict[tuple, int]) -> None:
    """Add to the counts in one statement, in one order, so that two publications never deadlock on them."""
    if not change:
        return
    rows = sorted(change.items())
    columns = list(zip(*[(*key, number) for key, number in rows], strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO briefings_tally AS tally (kind, tag, facet_kind, facet_tag, count) "
            "SELECT * FROM UNNEST(%s::varchar[], %s::bigint[], %s::varchar[], %s::bigint[], %s::integer[]) "
            "ON CONFLICT (kind, tag, facet_kind, facet_tag) DO UPDATE SET count = tally.count + EXCLUDED.count",
            [list(column) for column in columns],
        )
    Tally.objects.filter(count=0).delete()


@transaction.atomic
def rebuild() -> None:
    """Every list and count written again from the briefings, for instance after the region tree changed."""
    rewrite_lists_and_tallies()
    hide_behind_translations(IN_ANY_WORK, {})


def rewrite_lists_and_tallies() -> None:
    """The lists and counts, each work's briefings shown to every reader (as before translations)."""
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE briefings_listing, briefings_tally IN EXCLUSIVE MODE")
        cursor.execute("DELETE FROM briefings_listing")
        cursor.execute(
            "INSERT INTO briefings_listing (kind, tag, briefing_id, published_at) " + LISTINGS_SQL.format(where="TRUE"),
            {"zone": settings.TIME_ZONE},
        )
        cursor.execute("DELETE FROM briefings_tally")
        cursor.execute(TALLIES_SQL)
        cursor.execute("ANALYZE briefings_listing, briefings_tally")  # the planner's figures were of the old rows


def differences() -> list[str]:
    """What the kept lists and counts hold that a recount from the briefings does not, or lack; empty when exact."""
    wanted = {(kind, tag, briefing): published_at for kind, tag, briefing, published_at in listings_of("TRUE", {})}
    kept = {
        (kind, tag, briefing): published_at
        for kind, tag, briefing, published_at in Listing.objects.values_list("kind", "tag", "briefing", "published_at")
    }
    found = [f"listing {key}: kept {kept.get(key)}, recounted {wanted.get(key)}"
             for key in wanted.keys() | kept.keys() if kept.get(key) != wanted.get(key)]  # fmt: skip
    recount = Counter()
    by_briefing: dict[int, list[Key]] = {}
    for kind, tag, briefing in wanted:
        by_briefing.setdefault(briefing, []).append((kind, tag))
    for keys in by_briefing.values():
        recount.update(tallies_of(keys))
    tallies = {(t.kind, t.tag, t.facet_kind, t.facet_tag): t.count for t in Tally.objects.all()}
    found += [f"tally {key}: kept {tallies.get(key)}, recounted {recount.get(key)}"
              for key in recount.keys() | tallies.keys() if tallies.get(key) != recount.get(key)]  # fmt: skip
    return sorted(found)


def region_tree_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        rebuild()


def watch_region_tree() -> None:
    """A region moved into or out of a grouping changes the lists of every briefing under it."""
    m2m_changed.connect(region_tree_changed, sender=Region.parents.through, dispatch_uid="listings-regrouping")
