"""The content model: briefings, their immutable revisions, and the tags they carry."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now, Upper
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField


class RetiredSlug(models.Model):
    """An address a theme, region, author, series or briefing used to have; it redirects to the current one."""

    kind = models.CharField(max_length=20)
    slug = models.SlugField(max_length=250)
    object_id = models.BigIntegerField()
    retired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="unique_retired_slug")]

    def __str__(self) -> str:
        return f"{self.kind} {self.slug}"


class CountsBriefingsQuerySet(models.QuerySet):
    """Tags annotated with how many of the given briefings' live versions carry them; unused tags left out."""

    revisions_path = "revisions"
    repeats_in_a_revision = False  # whether one revision can carry the tag twice

    def carried_by(self, briefings) -> models.QuerySet:
        """The tags these briefings' live versions carry. Annotations added after this one see only the
        live versions' tag rows."""
        return self.filter(**{f"{self.revisions_path}__in": briefings.values("live_revision")})

    def with_briefing_counts(self, briefings) -> models.QuerySet:
        count = models.Count(self.revisions_path, distinct=self.repeats_in_a_revision)
        return self.carried_by(briefings).annotate(briefing_count=count)


class AuthorQuerySet(CountsBriefingsQuerySet):
    revisions_path = "bylines__revision"
    repeats_in_a_revision = True  # nothing stops a byline naming an author twice


class KeepsOldSlugs(models.Model):
    """Records the old slug whenever a slug changes, so old addresses keep working."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk and (update_fields is None or "slug" in update_fields):
            old_slug = type(self).objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if old_slug and old_slug != self.slug:
                RetiredSlug.objects.update_or_create(
                    kind=self._meta.model_name, slug=old_slug, defaults={"object_id": self.pk}
                )
        super().save(*args, **kwargs)

    @classmethod
    def find_by_retired_slug(cls, slug: str):
        """What now answers at the address `slug` used to be, if the public may see it."""
        retired = RetiredSlug.objects.filter(kind=cls._meta.model_name, slug=slug).first()
        return cls.public_objects().filter(pk=retired.object_id).first() if retired else None

    @classmethod
    def public_objects(cls) -> models.QuerySet:
        return cls.objects.all()


class Theme(KeepsOldSlugs):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    objects = CountsBriefingsQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("briefings:theme-detail", kwargs={"slug": self.slug})


class RegionQuerySet(CountsBriefingsQuerySet):
    def with_descendants_of(self, region: Region) -> RegionQuerySet:
        """The region and every region nested below it, through any of its groupings."""
        return self.filter(pk__in=models.expressions.RawSQL(DESCENDANTS_SQL, [region.pk]))

    def with_ancestors_of(self, region: Region) -> RegionQuerySet:
        return self.filter(pk__in=models.expressions.RawSQL(ANCESTORS_SQL, [region.pk]))


# UNION (not UNION ALL) makes the walk terminate even if a cycle slipped into the data.
DESCENDANTS_SQL = """
    WITH RECURSIVE tree(id) AS (
        SELECT %s::bigint
        UNION
        SELECT link.from_region_id FROM briefings_region_parents link JOIN tree ON link.to_region_id = tree.id
    ) SELECT id FROM tree
"""
ANCESTORS_SQL = """
    WITH RECURSIVE tree(id) AS (
        SELECT %s::bigint
        UNION
        SELECT link.to_region_id FROM briefings_region_parents link JOIN tree ON link.from_region_id = tree.id
    ) SELECT id FROM tree
"""


class Region(KeepsOldSlugs):
    """A country, a UN M49 region, or an editor-made grouping; regions nest in any number of parents."""

    class Kind(models.TextChoices):
        WORLD = "world", "World"
        CONTINENT = "continent", "UN region"
        SUBREGION = "subregion", "UN sub-region"
        COUNTRY = "country", "Country or territory"
        GROUPING = "grouping", "Grouping"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.GROUPING)
    code = models.CharField(
        max_length=3, blank=True, help_text="ISO 3166 alpha-2 code for countries, UN M49 code for UN regions."
    )
    alpha3 = models.CharField("ISO alpha-3", max_length=3, blank=True)
    description = models.TextField(blank=True)
    parents = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="children",
        blank=True,
        help_text="Every grouping this region belongs to, for example Eastern Asia and Indo-Pacific.",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["code"]), models.Index(fields=["alpha3"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("briefings:region-detail", kwargs={"slug": self.slug})


class Author(KeepsOldSlugs):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField("short bio", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="The staff account of this author, if they write in the admin.",
    )

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("briefings:author-detail", kwargs={"slug": self.slug})


class Series(KeepsOldSlugs):
    title = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    objects = CountsBriefingsQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("briefings:series-detail", kwargs={"slug": self.slug})


class BriefingContent(models.Model):
    """The fields an editor writes; shared by the working copy and every revision."""

    title = models.CharField(max_length=250)
    standfirst = models.TextField(blank=True, help_text="One or two sentences shown under the title.")
    body = MarkdownxField(blank=True, help_text="Markdown. Headings start at ##; footnotes as [^1].")
    hero_image = models.ImageField(upload_to="heroes/%Y/", max_length=300, blank=True)
    hero_alt = models.CharField("hero image alt text", max_length=300, blank=True)
    hero_credit = models.CharField("hero image credit", max_length=300, blank=True)
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.PROTECT, related_name="%(class)ss")
    part = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Part number within the series.")
    language = models.CharField(
        max_length=35,
        default="en",
        validators=[
            RegexValidator(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", "Use a BCP 47 tag such as en, fr or pt-BR.")
        ],
        help_text="BCP 47 tag, for example en or fr.",
    )
    update_note = models.TextField(blank=True, help_text="Shown to readers, for example a correction.")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(part__isnull=True) | (Q(series__isnull=False) & Q(part__gte=1)),
                name="%(class)s_part_needs_series",
                violation_error_message="A part number needs a series, and starts at 1.",
            ),
            models.CheckConstraint(
                condition=Q(hero_image="") | ~Q(hero_alt=""),
                name="%(class)s_hero_image_needs_alt",
                violation_error_message="Describe the hero image in its alt text, for readers who cannot see it.",
            ),
        ]


CONTENT_FIELDS = [
    "title",
    "standfirst",
    "body",
    "hero_image",
    "hero_alt",
    "hero_credit",
    "series",
    "part",
    "language",
    "update_note",
]
LIVE_BODY_FIELDS = ["live_revision__body", "live_revision__body_html", "live_revision__toc_html"]


class IsAnyOf(models.Func):
    """`value = ANY(array)`: true when the array holds the value."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = models.BooleanField()


class BriefingQuerySet(models.QuerySet):
    def published(self) -> BriefingQuerySet:
        """What the public may see: published, and past its publication time."""
        return self.filter(status=Briefing.Status.PUBLISHED, published_at__lte=Now())

    def listed(self) -> BriefingQuerySet:
        """Published briefings that appear in lists, feeds and search: withdrawn ones keep their page only."""
        return self.published().filter(withdrawn_at__isnull=True)

    def gone(self) -> BriefingQuerySet:
        return self.filter(status=Briefing.Status.UNPUBLISHED)

    def for_theme(self, theme: Theme) -> BriefingQuerySet:
        return self.filter(live_revision__in=RevisionTheme.objects.filter(theme=theme).values("revision"))

    def for_region(self, region: Region) -> BriefingQuerySet:
        """Briefings tagged with the region or any region inside it."""
        inside = Region.objects.with_descendants_of(region)
        return self.filter(live_revision__in=RevisionRegion.objects.filter(region__in=inside).values("revision"))

    def for_author(self, author: Author) -> BriefingQuerySet:
        return self.filter(live_revision__in=RevisionAuthor.objects.filter(author=author).values("revision"))

    def in_series(self, series: Series) -> BriefingQuerySet:
        return self.filter(live_revision__series=series).order_by("live_revision__part", "published_at")

    def sharing_tags_with(self, briefing: Briefing) -> BriefingQuerySet:
        """Other briefings that share a theme or a region with this one's live version, newest first."""
        revision = briefing.live_revision
        shared = RevisionTheme.objects.filter(
            theme__in=RevisionTheme.objects.filter(revision=revision).values("theme")
        ).values("revision")
        shared_regions = RevisionRegion.objects.filter(
            region__in=RevisionRegion.objects.filter(revision=revision).values("region")
        ).values("revision")
        return (
            self.exclude(pk=briefing.pk)
            .filter(Q(live_revision__in=shared) | Q(live_revision__in=shared_regions))
            .order_by("-published_at")
        )

    def for_listing(self) -> BriefingQuerySet:
        """The live revision with its series, tags and byline, in a fixed number of queries.

        Bodies are left behind: lists show titles and standfirsts.
        """
        return self.with_live_revision().defer(*LIVE_BODY_FIELDS)

    def with_live_revision(self) -> BriefingQuerySet:
        byline = models.Prefetch("live_revision__byline", RevisionAuthor.objects.select_related("author"))
        return (
            self.select_related("live_revision", "live_revision__series")
            .prefetch_related("live_revision__themes", "live_revision__regions", byline)
            .defer("body", "search_vector", "search_excerpt")
        )

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

    objects = BriefingQuerySet.as_manager()

    class Meta(BriefingContent.Meta):
        ordering = ["-published_at", "-created_at"]
        permissions = [
            ("change_any_briefing", "Can edit any briefing, not only their own"),
            ("publish_briefing", "Can publish and unpublish briefings"),
        ]
        indexes = [
            # Holds what every public list asks of the archive: which briefings are live, and their live versions.
            models.Index(
                fields=["status", "published_at"], include=["live_revision", "withdrawn_at"], name="briefing_listed"
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
        return reverse("briefings:briefing-detail", kwargs={"slug": self.slug})

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


WORDS_READ_PER_MINUTE = 230
LONG_BRIEFING_WORDS = 500


class Revision(BriefingContent):
    """An immutable snapshot of a briefing, written on every save. The database refuses changes."""

    briefing = models.ForeignKey(Briefing, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    slug = models.SlugField(max_length=250)
    body_html = models.TextField(editable=False)
    toc_html = models.TextField(blank=True, editable=False)
    heading_count = models.PositiveSmallIntegerField(default=0, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    themes = models.ManyToManyField(Theme, through="RevisionTheme", related_name="revisions")
    regions = models.ManyToManyField(Region, through="RevisionRegion", related_name="revisions")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    change_note = models.CharField(max_length=500, blank=True)
    is_refused_edit = models.BooleanField(
        default=False, help_text="A concurrent edit that was refused; kept so the text is never lost."
    )

    class Meta(BriefingContent.Meta):
        ordering = ["briefing", "-number"]
        get_latest_by = "number"
        constraints = [
            *BriefingContent.Meta.constraints,
            models.UniqueConstraint(fields=["briefing", "number"], name="unique_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.briefing.slug} revision {self.number}"

    def get_absolute_url(self) -> str:
        """The permanent address of this version, once published."""
        return reverse("briefings:briefing-version", kwargs={"slug": self.briefing.slug, "number": self.number})

    @property
    def authors(self) -> list[Author]:
        return [line.author for line in self.byline.all()]

    def fetch_authors(self) -> list[Author]:
        """The byline in one query, for code that has not prefetched it."""
        return [line.author for line in self.byline.select_related("author")]

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / WORDS_READ_PER_MINUTE))

    @property
    def has_table_of_contents(self) -> bool:
        return self.heading_count >= 3 and self.word_count >= LONG_BRIEFING_WORDS


class RevisionTheme(models.Model):
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["revision", "theme"], name="unique_revision_theme")]

    def __str__(self) -> str:
        return str(self.theme_id)


class RevisionRegion(models.Model):
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT)
    region = models.ForeignKey(Region, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["revision", "region"], name="unique_revision_region")]

    def __str__(self) -> str:
        return str(self.region_id)


class RevisionAuthor(models.Model):
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="byline")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["revision", "position"], name="unique_revision_byline_position")]

    def __str__(self) -> str:
        return str(self.author_id)


class StateChange(models.Model):
    """The audit trail: every change of state, who made it and when. Publications carry their kind."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned to draft"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        UNPUBLISHED = "unpublished", "Unpublished"
        RESTORED = "restored", "Restored an earlier revision"
        PREVIEW_SHARED = "preview_shared", "Shared a preview link"
        PREVIEW_REVOKED = "preview_revoked", "Revoked a preview link"
        WITHDRAWN = "withdrawn", "Withdrawn"
        MOVED = "moved", "Moved to a new address"

    class ChangeKind(models.TextChoices):
        FIRST = "first", "First publication"
        MINOR = "minor", "Minor edit"
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        UPDATE = "update", "Update"

    briefing = models.ForeignKey(Briefing, on_delete=models.PROTECT, related_name="state_changes")
    revision = models.ForeignKey(Revision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    change_kind = models.CharField(max_length=15, choices=ChangeKind.choices, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    effective_at = models.DateTimeField(
        default=timezone.now, help_text="When readers saw the change: a scheduled or imported publication's own date."
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="state_change_newest_first"),
            models.Index(fields=["briefing", "-at"]),
            models.Index(
                fields=["-effective_at"],
                condition=Q(change_kind="correction") | Q(action="withdrawn"),
                name="corrections_feed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.briefing.slug}"

    @property
    def is_substantive(self) -> bool:
        return self.change_kind in {
            self.ChangeKind.CORRECTION,
            self.ChangeKind.CLARIFICATION,
            self.ChangeKind.UPDATE,
        }


class PreviewLink(models.Model):
    """A signed link that shows a briefing's latest draft to a reviewer without an account."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="preview_links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="Who the link is for.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Preview of {self.briefing.slug} for {self.note or 'a reviewer'}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class SearchTerm(models.Model):
    """A word found in published briefings, for "did you mean" suggestions (matched by trigrams)."""

    word = models.CharField(max_length=40, primary_key=True)

    class Meta:
        indexes = [GinIndex(name="search_term_trigrams", fields=["word"], opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.word


class PublicContentVersion(models.Model):
    """One row whose number rises with every change readers can see (see briefings/freshness.py)."""

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Public content version {self.number}"
