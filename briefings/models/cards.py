"""A briefing's card in lists, kept as HTML so a list reads a row per card rather than render it.

A card is written by briefings.publishing.cards when a version goes live or the briefing moves, and
forgotten when a theme, author or series it names changes; a list shows a kept card where there is one
of the current format (briefings.cards) and makes the others as it goes, so a missing card costs time,
never correctness.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import models
from django.utils.safestring import SafeString, mark_safe


class CardQuerySet(models.QuerySet):
    def of(self, ids: list[int], card_format: str) -> dict[int, Card]:
        """The kept cards of these briefings in this format, with the briefing's address and dates, by briefing."""
        cards = (
            self.filter(briefing__in=ids, format=card_format)
            .select_related("briefing")
            .only("html", *Card.SHOWN, "briefing__slug", "briefing__published_at", "briefing__updated_at")
        )
        return {card.briefing_id: card for card in cards}


class Card(models.Model):
    """A briefing's card in lists as HTML, and its text, typeset, for the lead card a list may start with."""

    briefing = models.OneToOneField("Briefing", on_delete=models.CASCADE, primary_key=True, related_name="card")
    format = models.CharField(max_length=16, help_text="What made the HTML: see briefings.cards.card_format.")
    html = models.TextField()
    series = models.TextField(blank=True, help_text="The series and part, shown above the title.")
    theme = models.TextField(blank=True, help_text="The first theme, shown above the title outside a series.")
    title = models.TextField()
    standfirst = models.TextField(blank=True)
    byline = models.TextField(blank=True)
    image = models.CharField(max_length=255, blank=True, help_text="The hero image's name in storage.")

    objects = CardQuerySet.as_manager()

    SHOWN = ("series", "theme", "title", "standfirst", "byline", "image")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.briefing.get_absolute_url()

    @property
    def image_url(self) -> str:
        return default_storage.url(self.image)

    @property
    def list_html(self) -> SafeString:
        return mark_safe(self.html)  # rendered by the card template, which escapes the text
