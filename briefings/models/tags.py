"""Themes, regions (a tree of any number of groupings), authors and series, and the addresses they used to have."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import get_language

from ..addresses import address
from .listings import Kind as ListKind
from .listings import List, Listing, Tally


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
    """Tags with how many listed briefings carry them, in all or within one list, from the kept tallies
    (briefings.models.listings); tags that no listed briefing carries are left out."""

    def counted(self, within: List | None = None) -> list:
        """These tags, in this queryset's order, each with `briefing_count`: those some listed briefing
        carries (or some of the list `within`)."""
        counts = Tally.objects.counts(self.model.list_kind, within)
        tags = list(self.filter(pk__in=counts))
        for tag in tags:
            tag.briefing_count = counts[tag.pk]
        return tags

    def with_latest_publication(self) -> models.QuerySet:
        """Each tag's newest listed briefing's publication time, as `latest`."""
        newest = Listing.objects.live().of(self.model.list_kind, OuterRef("pk")).order_by("-published_at")
        return self.annotate(latest=Subquery(newest.values("published_at")[:1]))


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


class NamedInLanguages(models.Model):
    """A tag readers see by name: its name in the site's language, and in each other one editors gave."""

    translated_names = models.JSONField(
        default=dict, blank=True, help_text="The name in each other language of the site, by ISO 639-1 code."
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.local_name

    def name_in(self, language: str) -> str:
        return self.translated_names.get(language) or self.name

    @property
    def local_name(self) -> str:
        """The name in the interface's language, or the site's own where none was given."""
        return self.name_in(get_language())


class Theme(NamedInLanguages, KeepsOldSlugs):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    objects = CountsBriefingsQuerySet.as_manager()
    list_kind = ListKind.THEME

    class Meta:
        ordering = ["name"]

    def get_absolute_url(self) -> str:
        return address("briefings:theme-detail", slug=self.slug)


class RegionQuerySet(CountsBriefingsQuerySet):
    def with_parent_ids(self) -> RegionQuerySet:
        """Each region with `parent_ids`, the regions it lies directly inside, by name: for walks up the tree
        among regions already read."""
        inside = ArrayAgg("parents", order_by="parents__name", filter=Q(parents__isnull=False), default=[])
        return self.annotate(parent_ids=inside)

    def with_descendants_of(self, region: Region) -> RegionQuerySet:
        """The region and every region nested below it, through any of its groupings."""
        return self.filter(pk__in=models.expressions.RawSQL(DESCENDANTS_SQL, [region.pk]))


# Every region with each region it lies inside (itself included), through any grouping: a CTE named
# `inside(region_id, ancestor_id)`, to start a WITH RECURSIVE clause.
INSIDE_CTE = """
    inside(region_id, ancestor_id) AS (
        SELECT id, id FROM briefings_region
        UNION
        SELECT inside.region_id, link.to_region_id
        FROM inside JOIN briefings_region_parents link ON link.from_region_id = inside.ancestor_id
    )"""
# UNION (not UNION ALL) makes the walk terminate even if a cycle slipped into the data.
DESCENDANTS_SQL = """
    WITH RECURSIVE tree(id) AS (
        SELECT %s::bigint
        UNION
        SELECT link.from_region_id FROM briefings_region_parents link JOIN tree ON link.to_region_id = tree.id
    ) SELECT id FROM tree
"""


class Region(NamedInLanguages, KeepsOldSlugs):
    """A country, a UN M49 region, or an editor-made grouping; regions nest in any number of parents."""

    class Kind(models.TextChoices):
        WORLD = "world", "World"
        CONTINENT = "continent", "UN region"
        SUBREGION = "subregion", "UN sub-region"
        COUNTRY = "country", "Country or territory"
        GROUPING = "grouping", "Grouping"

    # What readers look for first: continents and the editors' groupings (Indo-Pacific, NATO…).
    WAYS_IN = (Kind.CONTINENT, Kind.GROUPING)

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
    list_kind = ListKind.REGION  # a region's list holds the briefings of the regions inside it too

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["code"]), models.Index(fields=["alpha3"])]

    def get_absolute_url(self) -> str:
        return address("briefings:region-detail", slug=self.slug)


class Author(KeepsOldSlugs):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    role = models.CharField(max_length=160, blank=True, help_text="As readers see it: Senior Fellow, Space.")
    bio = models.TextField("short bio", blank=True, help_text="Two or three sentences, shown on the author's page.")
    photo = models.ImageField(upload_to="authors/", max_length=300, blank=True, help_text="A square portrait.")
    orcid = models.CharField(
        "ORCID iD",
        max_length=19,
        blank=True,
        validators=[RegexValidator(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$", "An ORCID iD reads 0000-0002-1825-0097.")],
    )
    website = models.URLField(blank=True, help_text="The author's own page, if they have one.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="The staff account of this author, if they write in the admin.",
    )

    objects = CountsBriefingsQuerySet.as_manager()
    list_kind = ListKind.AUTHOR

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return address("briefings:author-detail", slug=self.slug)

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""


class Series(KeepsOldSlugs):
    title = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    objects = CountsBriefingsQuerySet.as_manager()
    list_kind = ListKind.SERIES

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return address("briefings:series-detail", slug=self.slug)
