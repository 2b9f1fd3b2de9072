"""What public lists read instead of the archive: a row per briefing and list it appears in, and the counts.

Both are kept by briefings.publishing.listings in the transaction of every state change, so a list or
a count is a short walk along an index whatever the size of the archive. A scheduled briefing has its
rows from the moment it is scheduled: lists compare their time with the clock, and counts take away
the rows still in the future, so each goes live at its time without anything running.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import F, Value
from django.db.models.functions import Now
from django.utils.translation import get_language


class Kind(models.TextChoices):
    ALL = "all", "every listed briefing"
    MONTH = "month", "first published in a month (tag: year × 100 + month)"
    THEME = "theme", "carries a theme"
    REGION = "region", "carries a region or one inside it"
    TAGGED_REGION = "tagged-region", "carries the region itself"
    AUTHOR = "author", "in the byline"
    SERIES = "series", "part of a series"


# The facets public pages count within a list: (list kind, kind counted within it).
FACETS = [
    (Kind.THEME, Kind.REGION),
    (Kind.THEME, Kind.TAGGED_REGION),
    (Kind.REGION, Kind.THEME),
    (Kind.REGION, Kind.REGION),
    (Kind.REGION, Kind.TAGGED_REGION),
]
NO_TAG = 0  # the tag of the list of every briefing
List = tuple[str, int]  # (kind, tag)


# Whether a row is hidden from readers of a language: another of its work's briefings, in their language
# or the work's original, is listed and live (see Listing.hidden_in).
HIDDEN_SQL = """({hidden_in} <> '{{}}' AND EXISTS (
    SELECT FROM UNNEST({hidden_in}, {hidden_at}) AS hidden (language, at)
    WHERE hidden.language = {language} AND hidden.at <= STATEMENT_TIMESTAMP()))"""


def hidden_sql(row: str, language: str) -> str:
    return HIDDEN_SQL.format(hidden_in=f"{row}.hidden_in", hidden_at=f"{row}.hidden_at", language=language)


# Each list's newest rows before a moment (and before now: scheduled ones are not listed yet), a short
# walk back along each list's index, all lists in one statement, as readers of a language see them.
NEWEST_SQL = f"""
    SELECT list.kind, list.tag, walk.briefing_id, walk.published_at
    FROM UNNEST(%(kinds)s::varchar[], %(tags)s::bigint[]) AS list(kind, tag)
    CROSS JOIN LATERAL (
        SELECT row.briefing_id, row.published_at FROM briefings_listing row
        WHERE row.kind = list.kind AND row.tag = list.tag
            AND row.published_at < %(before)s AND row.published_at <= STATEMENT_TIMESTAMP()
            AND NOT {hidden_sql("row", "%(language)s")}
        ORDER BY row.published_at DESC, row.briefing_id DESC
        LIMIT %(count)s
    ) walk
"""


# How many of some briefings each list of some kinds holds, then each counted tag's slug and name: a
# SELECT per kind of tag (TAG_COUNT_SQL) follows COUNTED_SQL, joined by UNION ALL.
COUNTED_SQL = """
    WITH counted AS (
        SELECT kind, tag, COUNT(*) AS count FROM briefings_listing
        WHERE briefing_id = ANY(%(briefings)s) AND kind = ANY(%(kinds)s)
        GROUP BY kind, tag
    )
"""
TAG_COUNT_SQL = """
    SELECT counted.kind, tag.slug, {label}, counted.count
    FROM counted JOIN "{table}" tag ON tag.id = counted.tag
    WHERE counted.kind = %(kind{number})s {condition}
"""
# The languages of the briefings, counted beside their tags (their kind NULL, their "slug" the language).
LANGUAGE_COUNT_SQL = """
    SELECT NULL, language, language, COUNT(*) FROM briefings_briefing
    WHERE id = ANY(%(briefings)s) GROUP BY language
"""
# A region's list holds the regions inside it too: a region is counted where some briefing names it.
REGION_NAMED_SQL = f"""
    AND EXISTS (SELECT FROM counted named WHERE named.kind = '{Kind.TAGGED_REGION}' AND named.tag = counted.tag)
"""

# The newest go-live among each kind's lists: each list's newest row (along its index) for every list the
# tallies know, a few hundred lookups where a scan of the kinds' rows would read them all.
NEWEST_OF_KINDS_SQL = """
    SELECT tally.kind, MAX(newest.published_at)
    FROM briefings_tally tally
    CROSS JOIN LATERAL (
        SELECT row.published_at FROM briefings_listing row
        WHERE row.kind = tally.kind AND row.tag = tally.tag AND row.published_at <= STATEMENT_TIMESTAMP()
        ORDER BY row.published_at DESC LIMIT 1
    ) newest
    WHERE tally.kind = ANY(%(kinds)s) AND tally.facet_kind = ''
    GROUP BY tally.kind
"""


# Whether a kept list holds a briefing: `held` is "briefing, kind, tag", as columns or parameters.
HELD_IN_SQL = (
    "(SELECT true FROM briefings_listing held WHERE (held.briefing_id, held.kind, held.tag) = ({held}) LIMIT 1)"
)


class HeldIn(models.Func):
    """Whether the kept list of `kind` and `tag` holds the briefing of `briefing` (a column of the outer
    statement), as a condition PostgreSQL asks row by row: as a join it would read every row of a large
    list to intersect it with another, where a walk needs a few hundred lookups. Written as one
    expression: as a subquery of the ORM's it cost a search 1.5 ms of composing a list, more than the
    lookups."""

    template = HELD_IN_SQL.format(held="%(expressions)s")
    output_field = models.BooleanField()

    def __init__(self, briefing: str, kind: str, tag: int):
        super().__init__(F(briefing), Value(str(kind)), Value(tag))


class HiddenFrom(models.Func):
    """Whether the row is hidden now from readers of `language` (HIDDEN_SQL), in whatever statement reads it."""

    output_field = models.BooleanField()

    def __init__(self, language: str):
        super().__init__(F("hidden_in"), F("hidden_at"), Value(language))

    def as_sql(self, compiler, connection, **extra):
        (hidden_in, in_params), (hidden_at, at_params), (language, language_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        sql = HIDDEN_SQL.format(hidden_in=hidden_in, hidden_at=hidden_at, language=language)
        return sql, (*in_params, *in_params, *at_params, *language_params)


class ListingQuerySet(models.QuerySet):
    def live(self) -> ListingQuerySet:
        """The rows readers of the interface's language see now."""
        return self.filter(published_at__lte=Now()).exclude(HiddenFrom(get_language()))

    def of(self, kind: str, tag: int = NO_TAG) -> ListingQuerySet:
        return self.filter(kind=kind, tag=tag)

    def briefings_in(self, first: List, *others: List) -> models.QuerySet:
        """The ids of the listed briefings in every one of these lists, newest first."""
        return self.rows_in(first, *others).values_list("briefing", flat=True)

    def rows_in(self, first: List, *others: List) -> ListingQuerySet:
        """The first list's rows of the listed briefings in every one of these lists, newest first: a walk
        along the first list's index, each row's briefing looked up in the others."""
        rows = self.live().of(*first)
        for other in others:
            rows = rows.filter(HeldIn("briefing", *other))
        return rows.order_by("-published_at", "-briefing")

    def newest_in_each(self, lists: list[List], count: int) -> dict[List, list[int]]:
        """The ids of each list's `count` newest listed briefings."""
        newest: dict[List, list[int]] = {(Kind(kind), tag): [] for kind, tag in lists}
        for kind, tag, briefing, _ in self.walk_back(lists, count):
            newest[(Kind(kind), tag)].append(briefing)
        return newest

    def newest_before(self, lists: list[List], moment, count: int) -> list[int]:
        """The ids of the `count` newest listed briefings first published before `moment` in any of these lists."""
        rows = self.walk_back(lists, count, moment)
        found = sorted({(published_at, briefing) for _, _, briefing, published_at in rows}, reverse=True)
        return [briefing for _, briefing in found[:count]]

    def newest_of_kinds(self, kinds: list[Kind]) -> dict[Kind, datetime]:
        """When the newest listed briefing in any list of each kind (a theme's, a region's …) went live;
        kinds without one are left out."""
        with connection.cursor() as cursor:
            cursor.execute(NEWEST_OF_KINDS_SQL, {"kinds": list(kinds)})
            return {Kind(kind): newest for kind, newest in cursor.fetchall()}

    def tags_counted_among(self, briefings: list[int], tags: list[tuple[Kind, type[models.Model], str]]):
        """(kind, slug, name, count) of each tag whose list holds some of these briefings, for each (kind,
        tag model, name field) of `tags`, and (None, language, language, count) of each of their languages,
        in one statement; regions only where one of them names it; names in the interface's language."""
        selects, params = [], {"briefings": briefings, "kinds": [Kind.TAGGED_REGION], "language": get_language()}
        for number, (kind, model, label) in enumerate(tags):
            column, table = model._meta.get_field(label).column, model._meta.db_table
            label = f'tag."{column}"'
            if hasattr(model, "translated_names"):  # in the reader's language where editors named it so
                label = f"COALESCE(tag.translated_names ->> %(language)s, {label})"
            condition = REGION_NAMED_SQL if kind == Kind.REGION else ""
            selects.append(TAG_COUNT_SQL.format(label=label, table=table, number=number, condition=condition))
            params["kinds"].append(kind)
            params[f"kind{number}"] = kind
        selects.append(LANGUAGE_COUNT_SQL)
        with connection.cursor() as cursor:
            cursor.execute(COUNTED_SQL + " UNION ALL ".join(selects), params)
            return [(kind and Kind(kind), slug, name, count) for kind, slug, name, count in cursor.fetchall()]

    def walk_back(self, lists: list[List], count: int, before=None) -> list[tuple[str, int, int, object]]:
        """(kind, tag, briefing, published_at) of each list's `count` newest rows, newest first."""
        if not lists:
            return []
        kinds, tags = zip(*lists, strict=True)
        walk = {"kinds": list(kinds), "tags": list(tags), "count": count, "before": before or "infinity"}
        walk["language"] = get_language()
        with connection.cursor() as cursor:
            cursor.execute(NEWEST_SQL, walk)
            return cursor.fetchall()


class Listing(models.Model):
    """Briefing `briefing` is in the list (`kind`, `tag`): a theme's, a region's, a month's …"""

    pk = models.CompositePrimaryKey("kind", "tag", "briefing")
    kind = models.CharField(max_length=13, choices=Kind)
    tag = models.BigIntegerField()
    briefing = models.ForeignKey("Briefing", on_delete=models.CASCADE, related_name="listings")
    published_at = models.DateTimeField()
    # A briefing with translations is one card for each reader: its row is hidden from readers of each
    # language in `hidden_in` from the moment in `hidden_at` beside it, when a briefing of its work better
    # for them (in their language, else the original, else the first published) is live.
    hidden_in = ArrayField(models.CharField(max_length=8), default=list, blank=True)
    hidden_at = ArrayField(models.DateTimeField(), default=list, blank=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        indexes = [
            # Every list, newest first, and its pages: an index walk.
            models.Index(fields=["kind", "tag", "-published_at", "-briefing"], name="listing_newest_first"),
            # A briefing's lists, and the facet counts of search results, from the index alone.
            models.Index(fields=["briefing"], include=["kind", "tag"], name="listing_briefing_lists"),
            # Scheduled briefings, which every count takes away until they go live.
            models.Index(fields=["published_at"], name="listing_published_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.tag}: briefing {self.briefing_id}"


# Each count now, as readers of a language see it: the kept tally less the rows they do not see, those of
# briefings still scheduled and those hidden behind a translation (few, each read along an index of its
# own: the two conditions in one would read every row of the lists counted), in one constant statement,
# since these counts are read on most public pages.
UNSEEN_SQL = f"""
    SELECT kind, tag, briefing_id FROM briefings_listing WHERE published_at > STATEMENT_TIMESTAMP()
    UNION ALL
    SELECT kind, tag, briefing_id FROM briefings_listing hidden
    WHERE hidden.published_at <= STATEMENT_TIMESTAMP() AND {hidden_sql("hidden", "%(language)s")}
"""
LIVE_COUNTS_SQL = f"""
    SELECT tally.kind, tally.tag, tally.count - COALESCE(unseen.count, 0)
    FROM briefings_tally tally
    LEFT JOIN (
        SELECT unseen.kind, unseen.tag, COUNT(*) AS count FROM ({UNSEEN_SQL}) unseen
        WHERE unseen.kind = ANY(%(kinds)s)
        GROUP BY unseen.kind, unseen.tag
    ) unseen ON unseen.kind = tally.kind AND unseen.tag = tally.tag
    WHERE tally.kind = ANY(%(kinds)s) AND tally.facet_kind = '' AND (%(tag)s IS NULL OR tally.tag = %(tag)s)
        AND tally.count > COALESCE(unseen.count, 0)
"""
LIVE_COUNTS_WITHIN_SQL = f"""
    SELECT tally.facet_kind, tally.facet_tag, tally.count - COALESCE(unseen.count, 0)
    FROM briefings_tally tally
    LEFT JOIN (
        SELECT unseen.kind, unseen.tag, COUNT(*) AS count
        FROM ({UNSEEN_SQL}) unseen
        JOIN briefings_listing within
            ON within.briefing_id = unseen.briefing_id AND within.kind = %(kind)s AND within.tag = %(tag)s
        GROUP BY unseen.kind, unseen.tag
    ) unseen ON unseen.kind = tally.facet_kind AND unseen.tag = tally.facet_tag
    WHERE tally.kind = %(kind)s AND tally.tag = %(tag)s AND tally.facet_kind = ANY(%(kinds)s)
        AND (%(facet_tag)s IS NULL OR tally.facet_tag = %(facet_tag)s)
        AND tally.count > COALESCE(unseen.count, 0)
"""


class TallyQuerySet(models.QuerySet):
    def live_counts(self, *kinds: Kind, within: List | None = None, tag: int | None = None) -> dict[List, int]:
        """How many listed briefings each list of these kinds (or only the one with `tag`) holds now, or holds
        of the list `within`, by (Kind, tag), for readers of the interface's language; lists holding none are
        left out."""
        if within is None:
            sql, params = LIVE_COUNTS_SQL, {"kinds": list(kinds), "tag": tag}
        else:
            sql, params = LIVE_COUNTS_WITHIN_SQL, {"kinds": list(kinds), "kind": within[0], "tag": within[1]}
            params["facet_tag"] = tag
        params["language"] = get_language()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {(Kind(kind), tag): count for kind, tag, count in cursor.fetchall()}

    def counts(self, kind: Kind, within: List | None = None) -> dict[int, int]:
        """How many listed briefings each list of a kind holds now (or holds of `within`), by tag."""
        return {tag: count for (_, tag), count in self.live_counts(kind, within=within).items()}

    def count_of(self, kind: Kind, tag: int = NO_TAG, within: List | None = None) -> int:
        """How many briefings the list (`kind`, `tag`) holds now, or the part of it also in `within`."""
        return self.live_counts(kind, within=within, tag=tag).get((Kind(kind), tag), 0)


class Tally(models.Model):
    """How many briefings (live or scheduled) the list (`kind`, `tag`) holds, or, with a facet, how many
    of them are also in the list (`facet_kind`, `facet_tag`)."""

    pk = models.CompositePrimaryKey("kind", "tag", "facet_kind", "facet_tag")
    kind = models.CharField(max_length=13, choices=Kind)
    tag = models.BigIntegerField()
    facet_kind = models.CharField(max_length=13, blank=True)
    facet_tag = models.BigIntegerField(default=NO_TAG)
    count = models.IntegerField()

    objects = TallyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "tallies"

    def __str__(self) -> str:
        facet = f" × {self.facet_kind} {self.facet_tag}" if self.facet_kind else ""
        return f"{self.kind} {self.tag}{facet}: {self.count}"
