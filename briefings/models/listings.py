"""What public lists read instead of the archive: a row per briefing and list it appears in, and the counts.

Both are kept by briefings.publishing.listings in the transaction of every state change, so a list or
a count is a short walk along an index whatever the size of the archive. A scheduled briefing has its
rows from the moment it is scheduled: lists compare their time with the clock, and counts take away
the rows still in the future, so each goes live at its time without anything running.
"""

from __future__ import annotations

from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, Now


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


class ListingQuerySet(models.QuerySet):
    def live(self) -> ListingQuerySet:
        return self.filter(published_at__lte=Now())

    def pending(self) -> ListingQuerySet:
        """Rows of scheduled briefings, which no list shows yet."""
        return self.filter(published_at__gt=Now())

    def of(self, kind: str, tag: int = NO_TAG) -> ListingQuerySet:
        return self.filter(kind=kind, tag=tag)

    def briefings_in(self, first: List, *others: List) -> models.QuerySet:
        """The ids of the listed briefings in every one of these lists, newest first: a walk along the
        first list's index, the others looked up by briefing."""
        rows = self.live().of(*first)
        for other in others:
            rows = rows.filter(briefing__in=Listing.objects.of(*other).values("briefing"))
        return rows.order_by("-published_at", "-briefing").values_list("briefing", flat=True)

    def newest_before(self, lists: list[List], moment, count: int) -> list[int]:
        """The ids of the `count` newest listed briefings first published before `moment` in any of these
        lists: a short walk back along each list's index from that moment."""
        walks = [
            self.live().of(*each).filter(published_at__lt=moment).order_by("-published_at", "-briefing")
            .values_list("published_at", "briefing")[:count]
            for each in lists
        ]  # fmt: skip
        if not walks:
            return []
        return [briefing for _, briefing in sorted(set(walks[0].union(*walks[1:])), reverse=True)[:count]]


class Listing(models.Model):
    """Briefing `briefing` is in the list (`kind`, `tag`): a theme's, a region's, a month's …"""

    pk = models.CompositePrimaryKey("kind", "tag", "briefing")
    kind = models.CharField(max_length=13, choices=Kind)
    tag = models.BigIntegerField()
    briefing = models.ForeignKey("Briefing", on_delete=models.CASCADE, related_name="listings")
    published_at = models.DateTimeField()

    objects = ListingQuerySet.as_manager()

    class Meta:
        indexes = [
            # Every list, newest first, and its pages: an index walk.
            models.Index(fields=["kind", "tag", "-published_at", "-briefing"], name="listing_newest_first"),
            models.Index(fields=["briefing"], name="listing_briefing"),
            # Scheduled briefings, which every count takes away until they go live.
            models.Index(fields=["published_at"], name="listing_published_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.tag}: briefing {self.briefing_id}"


class TallyQuerySet(models.QuerySet):
    def counts(self, kind: str, within: List | None = None) -> TallyQuerySet:
        """The tallies of a kind, in all or within one list, each with `counted_tag` (the tag counted)
        and `live`: its count now, scheduled briefings taken away."""
        if within is None:
            tallies = self.filter(kind=kind, facet_kind="").annotate(counted_tag=models.F("tag"))
            pending = Listing.objects.pending().filter(kind=kind)
        else:
            tallies = self.filter(kind=within[0], tag=within[1], facet_kind=kind)
            tallies = tallies.annotate(counted_tag=models.F("facet_tag"))
            pending = Listing.objects.pending().filter(
                kind=kind, briefing__listings__kind=within[0], briefing__listings__tag=within[1]
            )
        waiting = pending.filter(tag=OuterRef("counted_tag")).order_by().values("kind")
        waiting = waiting.annotate(number=models.Count("*")).values("number")
        return tallies.annotate(live=models.F("count") - Coalesce(Subquery(waiting), 0)).filter(live__gt=0)

    def count_of(self, kind: str, tag: int = NO_TAG, within: List | None = None) -> int:
        """How many briefings the list (`kind`, `tag`) holds now, or the part of it also in `within`."""
        return self.counts(kind, within).filter(counted_tag=tag).values_list("live", flat=True).first() or 0


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
