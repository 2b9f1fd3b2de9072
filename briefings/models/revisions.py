"""Immutable revisions and the tags and byline each carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import timezone

from ..addresses import address
from .content import BriefingContent
from .listings import Kind
from .tags import Author, Region, Theme

if TYPE_CHECKING:
    from .pdfs import VersionPdf

WORDS_READ_PER_MINUTE = 230
LONG_BRIEFING_WORDS = 500


class RevisionQuerySet(models.QuerySet):
    def published_versions(self) -> RevisionQuerySet:
        """The versions readers can reach: each one made public, of a briefing that is live."""
        from .audit import StateChange
        from .briefings import Briefing

        return self.filter(
            pk__in=StateChange.objects.publications().values("revision"),
            briefing__in=Briefing.objects.published(),
        )

    def with_tags(self) -> RevisionQuerySet:
        """Versions with their themes, regions and byline read in the same statement (models.live_tags)."""
        from .live_tags import WithTags, tags_of_revision  # which imports this module

        queryset = self.annotate(tags=tags_of_revision())
        queryset._iterable_class = WithTags
        return queryset

    def without_pdf(self) -> RevisionQuerySet:
        """Versions with no file for readers: never asked for, or every try failed."""
        return self.filter(models.Q(pdf__isnull=True) | models.Q(pdf__status="failed"))


class Revision(BriefingContent):
    """An immutable snapshot of a briefing, written on every save. The database refuses changes."""

    briefing = models.ForeignKey("Briefing", on_delete=models.PROTECT, related_name="revisions")
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

    objects = RevisionQuerySet.as_manager()

    def tag_lists(self) -> list[tuple[str, int]]:
        """The lists of briefings.models.listings this version's own themes and regions name."""
        themes = [(Kind.THEME, theme.pk) for theme in self.themes.all()]
        return themes + [(Kind.TAGGED_REGION, region.pk) for region in self.regions.all()]

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
        return address("briefings:briefing-version", slug=self.briefing.slug, number=self.number)

    @property
    def authors(self) -> list[Author]:
        return [line.author for line in self.byline.all()]

    def asked_pdf(self) -> VersionPdf | None:
        """The version's PDF record, made or not, if one was asked for (select_related("pdf") saves the query)."""
        try:
            return self.pdf
        except ObjectDoesNotExist:
            return None

    def pdf_for_readers(self, briefing) -> VersionPdf | None:
        """The version's file when readers may have it."""
        pdf = self.asked_pdf()
        return pdf if pdf is not None and pdf.serves(briefing) else None

    def fetch_authors(self) -> list[Author]:
        """The byline in one query, for code that has not prefetched it."""
        return [line.author for line in self.byline.select_related("author")]

    def has_content(self, content: dict, themes: list[Theme], regions: list[Region], authors: list[Author]) -> bool:
        """Whether saving `content` with these tags would repeat this revision."""
        mine = self.content() | {"slug": self.slug, "hero_image": self.hero_image.name if self.hero_image else ""}
        return (
            all(mine[name] == value for name, value in content.items())
            and set(self.themes.all()) == set(themes)
            and set(self.regions.all()) == set(regions)
            and self.fetch_authors() == authors
        )

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
