"""The fields an editor writes, shared by a briefing's working copy and every revision."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from markdownx.models import MarkdownxField

from .. import languages
from ..languages import validate_language
from .tags import Series


def validate_body_length(body: str) -> None:
    """Bounds what Markdown rendering, search and diffs ever have to read."""
    if len(body) > settings.BRIEFING_BODY_MAX_CHARS:
        raise ValidationError(f"The body is longer than {settings.BRIEFING_BODY_MAX_CHARS:,} characters.")


class BriefingContent(models.Model):
    """The fields an editor writes; shared by the working copy and every revision."""

    title = models.CharField(max_length=250)
    standfirst = models.TextField(blank=True, help_text="One or two sentences shown under the title.")
    body = MarkdownxField(
        blank=True, validators=[validate_body_length], help_text="Markdown. Headings start at ##; footnotes as [^1]."
    )
    hero_image = models.ImageField(upload_to="heroes/%Y/", max_length=300, blank=True)
    hero_alt = models.CharField("hero image alt text", max_length=300, blank=True)
    hero_credit = models.CharField("hero image credit", max_length=300, blank=True)
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.PROTECT, related_name="%(class)ss")
    part = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Part number within the series.")
    language = models.CharField(
        max_length=35,
        default="en",
        validators=[validate_language],
        help_text="The language it is written in, one of the site's (SITE_LANGUAGES).",
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

    @property
    def language_name(self) -> str:
        """In English, for editors."""
        return languages.name(self.language)

    @property
    def language_local_name(self) -> str:
        """In itself, for readers."""
        return languages.local_name(self.language)

    def content(self) -> dict:
        """The content fields and their values, to copy into another briefing or revision."""
        return {name: getattr(self, name) for name in CONTENT_FIELDS}


# What an editor writes and every revision keeps: everything that copies, compares or exports content reads this.
CONTENT_FIELDS = tuple(field.name for field in BriefingContent._meta.fields)
LIVE_BODY_FIELDS = ["live_revision__body", "live_revision__body_html", "live_revision__toc_html"]
