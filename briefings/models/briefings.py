"""Briefings: the working copy, its place in the workflow, and the queries readers and editors ask of them."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Now, Upper
from django.utils import timezone
from django.utils.formats import date_format

from ..addresses import address
from .content import CONTENT_FIELDS, LIVE_BODY_FIELDS, BriefingContent
from .listings import HeldIn, List, Listing
from .live_tags import WithLiveTags, public_history, tags_of_live_revision
from .revisions import RevisionAuthor, RevisionRegion
from .tags import Author, KeepsOldSlugs, Region, Series, Theme
from .workflow import State, Step, refusal
from .works import WorkQueries

# The working copy's text and the search document: no public page shows them.
BRIEFING_TEXT_FIELDS = ["body", "search_vector", "search_excerpt"]


class IsAnyOf(models.Func):
    """`value = ANY(array)`: true when the array holds the value."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = models.BooleanField()


# Each month of the site's calendar in which a published briefing first went live, with the newest first
# publication or update among its briefings: two probes of an index a month, not a walk of the archive.
MONTHS_SQL = """
    SELECT EXTRACT(YEAR FROM month)::int, EXTRACT(MONTH FROM month)::int, GREATEST(newest.at, updated.at)
    FROM generate_series(
        date_trunc('month', (SELECT min(published_at) FROM briefings_briefing WHERE status = 'published')
            AT TIME ZONE %(zone)s),
        date_trunc('month', STATEMENT_TIMESTAMP() AT TIME ZONE %(zone)s),
        interval '1 month'
    ) AS month
    CROSS JOIN LATERAL (
        SELECT max(published_at) AS at FROM briefings_briefing
        WHERE status = 'published' AND published_at <= STATEMENT_TIMESTAMP()
            AND published_at >= month AT TIME ZONE %(zone)s
            AND published_at < (month + interval '1 month') AT TIME ZONE %(zone)s
    ) newest
    CROSS JOIN LATERAL (
        SELECT max(updated_at) AS at FROM briefings_briefing
        WHERE status = 'published' AND updated_at IS NOT NULL AND published_at <= STATEMENT_TIMESTAMP()
            AND published_at >= month AT TIME ZONE %(zone)s
            AND published_at < (month + interval '1 month') AT TIME ZONE %(zone)s
    ) updated
    WHERE newest.at IS NOT NULL
    ORDER BY month
"""


class BriefingQuerySet(WorkQueries, models.QuerySet):
    def published(self) -> BriefingQuerySet:
        """What the public may see: published, and past its publication time."""
        return self.filter(status=Briefing.Status.PUBLISHED, published_at__lte=Now())

    def listed(self) -> BriefingQuerySet:
        """Published briefings that appear in lists, feeds and search: withdrawn ones keep their page only."""
        return self.published().filter(withdrawn_at__isnull=True)

    def first_published_in(self, month: date) -> BriefingQuerySet:
        """First published in the month of `month` in the site's calendar: a range of an index."""
        start, end = self.month_bounds(month)
        return self.filter(published_at__gte=start, published_at__lt=end)

    @staticmethod
    def month_bounds(month: date) -> tuple[datetime, datetime]:
        """The month's first moment and the next month's, in the site's time zone."""
        start = timezone.make_aware(datetime(month.year, month.month, 1))
        return start, timezone.make_aware(datetime(month.year + month.month // 12, month.month % 12 + 1, 1))

    def months_published(self) -> list[tuple[date, datetime]]:
        """(first day, newest first publication or update) of each month in which a published briefing
        first went live, oldest first."""
        with connection.cursor() as cursor:
            cursor.execute(MONTHS_SQL, {"zone": settings.TIME_ZONE})
            return [(date(year, month, 1), latest) for year, month, latest in cursor.fetchall()]

    def gone(self) -> BriefingQuerySet:
        return self.filter(status=Briefing.Status.UNPUBLISHED)

    def scheduled(self) -> BriefingQuerySet:
        return self.filter(status=Briefing.Status.PUBLISHED, published_at__gt=Now())

    def in_state(self, state: State) -> BriefingQuerySet:
        """The briefings that `Briefing.state` would call `state`."""
        live = self.published().filter(withdrawn_at__isnull=True)
        return {
            State.DRAFT: self.filter(status=Briefing.Status.DRAFT),
            State.REVIEW: self.filter(status=Briefing.Status.REVIEW),
            State.SCHEDULED: self.scheduled(),
            State.LIVE: live.filter(live_revision=models.F("latest_revision")),
            State.CHANGED: live.exclude(live_revision=models.F("latest_revision")),
            State.WITHDRAWN: self.published().filter(withdrawn_at__isnull=False),
            State.UNPUBLISHED: self.gone(),
        }[state]

    def published_without_review(self) -> BriefingQuerySet:
        """Briefings whose live version was published by the one who wrote it, without a second editor."""
        return self.filter(
            state_changes__revision=models.F("live_revision"), state_changes__without_review_reason__gt=""
        ).distinct()

    def in_lists(self, *lists: List) -> BriefingQuerySet:
        """These briefings where each of these kept lists holds them, looked up briefing by briefing, as an
        ordered walk through a search's matches goes (a region's list holds the regions inside it too)."""
        held = self
        for kind, tag in lists:
            held = held.filter(HeldIn("pk", kind, tag))
        return held

    def for_region(self, region: Region) -> BriefingQuerySet:
        """Briefings tagged with the region or any region inside it."""
        inside = Region.objects.with_descendants_of(region)
        return self.filter(live_revision__in=RevisionRegion.objects.filter(region__in=inside).values("revision"))

    def in_series(self, series: Series) -> BriefingQuerySet:
        return self.filter(live_revision__series=series).order_by("live_revision__part", "published_at")

    def earlier_sharing_tags_with(self, briefing: Briefing, count: int) -> list[int]:
        """The ids of the newest listed briefings published before this one that share a theme or a region
        with its live version. Only earlier ones: publishing a briefing changes no other page's."""
        return Listing.objects.newest_before(briefing.live_revision.tag_lists(), briefing.published_at, count)

    def for_listing_in_order(self, ids: list[int]) -> list[Briefing]:
        """These briefings, ready for a list (`for_listing`), in the order of `ids`."""
        found = self.filter(pk__in=ids).for_listing().in_bulk()
        return [found[pk] for pk in ids if pk in found]

    def for_listing(self) -> BriefingQuerySet:
        """What a briefing's card in a list shows: the live revision's title and standfirst, series, themes
        (the first is its kicker) and byline, in a fixed number of queries; bodies, regions and PDFs left behind."""
        return (
            self.select_related("live_revision", "live_revision__series")
            .prefetch_related("live_revision__themes", self.byline())
            .defer(*BRIEFING_TEXT_FIELDS, *LIVE_BODY_FIELDS)
        )

    def with_live_revision(self) -> BriefingQuerySet:
        """Briefings with their live version, its series, PDF, themes, regions and byline, in one statement."""
        queryset = (
            self.select_related("live_revision", "live_revision__series", "live_revision__pdf")
            .annotate(live_tags=tags_of_live_revision())
            .defer(*BRIEFING_TEXT_FIELDS, "live_revision__body")  # a reader is shown the version's HTML
        )
        queryset._iterable_class = WithLiveTags
        return queryset

    def for_reading(self) -> BriefingQuerySet:
        """`with_live_revision`, and in the same statement what readers are shown of each briefing's history:
        its publications and withdrawal, oldest first, as `public_history`."""
        return self.with_live_revision().annotate(public_history=public_history())

    @staticmethod
    def byline() -> models.Prefetch:
        return models.Prefetch("live_revision__byline", RevisionAuthor.objects.select_related("author"))

    def editable_by(self, user) -> BriefingQuerySet:
        if user.has_perm("briefings.change_any_briefing"):
            return self
        return self.filter(owner=user)

    def mentioning(self, words: list[str]) -> BriefingQuerySet:
        """Briefings whose title, standfirst, slug or an author's name contains every word, in any case.

        Each word is one OR that the trigram indexes answer together: the authors' briefings come as an
        array, as a join or an IN subquery inside the OR would make PostgreSQL read every briefing.
        """
        found = self
        for word in words:
            by_author = BriefingAuthor.objects.filter(author__name__icontains=word).order_by().values("briefing_id")
            found = found.filter(
                Q(title__icontains=word)
                | Q(standfirst__icontains=word)
                | Q(slug__icontains=word)
                | Q(IsAnyOf(models.F("pk"), ArraySubquery(by_author)))
            )
        return found


class Briefing(KeepsOldSlugs, BriefingContent):
    """A briefing: its working copy (the latest revision) and its place in the publishing workflow.

    The public never reads the working copy: it reads `live_revision`, so edits stay private until
    they are published.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    slug = models.SlugField(max_length=250, unique=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="briefings")
    regions = models.ManyToManyField(Region, blank=True, related_name="briefings")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(
        "first published",
        null=True,
        blank=True,
        help_text="When the briefing first went, or goes, live. A future time schedules it.",
    )
    updated_at = models.DateTimeField("last updated", null=True, blank=True)
    is_featured = models.BooleanField(
        "featured", default=False, help_text="Shown at the top of the home page (the latest featured one)."
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawal_note = models.TextField(blank=True, editable=False)
    live_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # The live version's search document, kept by briefings.search; empty while not public.
    search_vector = SearchVectorField(null=True, editable=False)
    search_excerpt = models.TextField(blank=True, editable=False)
    latest_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # A translation is a briefing of its own, linked to the original of the work it translates.
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="translations", editable=False,
        db_index=False, help_text="The original this briefing translates; empty for an original.",
    )  # fmt: skip

    objects = BriefingQuerySet.as_manager()

    class Meta(BriefingContent.Meta):
        ordering = ["-published_at", "-created_at"]
        permissions = [
            ("change_any_briefing", "Can edit any briefing, not only their own"),
            ("publish_briefing", "Can publish and unpublish briefings"),
        ]
        indexes = [
            # Which briefings are live, with what the sitemap lists of each: its pages are walks along it.
            models.Index(
                fields=["status", "published_at"],
                include=["live_revision", "withdrawn_at", "slug", "updated_at"],
                name="briefing_published",
            ),
            # The few withdrawn briefings, for the admin's filter.
            models.Index(fields=["withdrawn_at"], condition=Q(withdrawn_at__isnull=False), name="briefing_withdrawn"),
            # Each month's newest update, for the sitemap's index.
            models.Index(
                fields=["status", "published_at"],
                include=["updated_at"],
                condition=Q(updated_at__isnull=False),
                name="briefing_updated_by_month",
            ),
            # The home page's lead: the newest featured briefing, found without walking the archive.
            models.Index(
                fields=["-published_at"], condition=Q(is_featured=True), name="briefing_featured_newest_first"
            ),
            # The admin's list walks this index for its first page instead of sorting the archive.
            models.Index(fields=["-published_at", "-created_at", "-id"], name="briefing_newest_first"),
            # The admin's search: `icontains` is UPPER(column) LIKE '%word%', which only trigrams can index.
            *(
                GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=f"briefing_{field}_trigrams")
                for field in ["title", "standfirst", "slug"]
            ),
        ]
        constraints = [
            *BriefingContent.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(status="published") | (Q(live_revision__isnull=False) & Q(published_at__isnull=False)),
                name="published_briefing_has_live_revision",
            ),
            # Also the index of the few translations by original (a month's sitemap probes it for each briefing).
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                condition=Q(translation_of__isnull=False),
                name="one_translation_per_language",
                violation_error_message="The work already has a translation in that language.",
            ),
            models.CheckConstraint(condition=~Q(translation_of=models.F("pk")), name="translation_of_another"),
        ]

    def __str__(self) -> str:
        return self.title

    # What an edit writes. The state columns (status, dates, live and latest revision, featuring,
    # withdrawal, search document) belong to the functions in briefings.publishing, which write them
    # from the locked row: an instance loaded before another action committed must not write them back.
    EDITED_FIELDS = ["slug", *CONTENT_FIELDS]

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = self.EDITED_FIELDS
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return address("briefings:briefing-detail", slug=self.slug)

    @classmethod
    def public_objects(cls) -> BriefingQuerySet:
        return cls.objects.published()

    @property
    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_published

    @property
    def has_unpublished_changes(self) -> bool:
        return self.live_revision_id is not None and self.live_revision_id != self.latest_revision_id

    @property
    def authors(self) -> list[Author]:
        return [line.author for line in self.byline.all()]

    def work(self) -> list[Briefing]:
        """The original and translations of this briefing's work, with their publication times; a published
        translation whose original changed (other than by a minor edit) after it last went public is
        `is_out_of_date`."""
        briefings = list(Briefing.objects.of_work(self).with_publication_times())
        original_changed_at = briefings[0].last_changed_at  # the original comes first
        for briefing in briefings:
            briefing.original_changed_at = original_changed_at
            briefing.is_out_of_date = bool(
                briefing.translation_of_id
                and briefing.last_published_at
                and original_changed_at
                and original_changed_at > briefing.last_published_at
            )
        return briefings

    def published_revisions(self) -> models.QuerySet:
        """The versions readers have seen: each revision that was once made the public one."""
        return self.revisions.filter(pk__in=self.state_changes.publications().values("revision"))

    @property
    def state(self) -> State:
        if self.status != self.Status.PUBLISHED:
            return State(self.status)
        if not self.is_published:
            return State.SCHEDULED
        if self.is_withdrawn:
            return State.WITHDRAWN
        return State.CHANGED if self.has_unpublished_changes else State.LIVE

    @property
    def status_label(self) -> str:
        if self.state is State.SCHEDULED:
            return f"Scheduled for {date_format(timezone.localtime(self.published_at), 'DATETIME_FORMAT')}"
        return self.state.label

    def can(self, step: Step | str, user) -> bool:
        """Whether `user` may take `step` now, by the workflow table (briefings/models/workflow.py)."""
        return not refusal(self, Step(step), user)

    def allowed_steps(self, user) -> dict[str, bool]:
        """Each step's name → whether `user` may take it now: what templates ask instead of comparing states."""
        return {step.value: self.can(step, user) for step in Step}


class BriefingAuthor(models.Model):
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="byline")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["briefing", "author"], name="unique_briefing_author")]
        verbose_name = "author"

    def __str__(self) -> str:
        return str(self.author)
