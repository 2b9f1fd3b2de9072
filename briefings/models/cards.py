"""A briefing's card in lists, kept as HTML so a list reads a row per card rather than render it.

A card is written by briefings.publishing.cards when a version goes live or the briefing moves, and
forgotten when a theme, author or series it names changes; a list shows a kept card where there is one
of the current format (briefings.cards) and makes the others as it goes, so a missing card costs time,
never correctness.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import connections, models
from django.utils.safestring import SafeString, mark_safe

from .briefings import Briefing

# A card's columns and its briefing's address and dates. Written out: composing this with the ORM cost
# every list page about a millisecond, more than reading it.
CARDS_OF_SQL = """
    SELECT card.briefing_id, card.html, card.series, card.theme, card.title, card.standfirst, card.byline,
        card.image, card.language, briefing.slug, briefing.published_at, briefing.updated_at
    FROM briefings_card card JOIN briefings_briefing briefing ON briefing.id = card.briefing_id
    WHERE card.briefing_id = ANY(%s) AND card.format = %s
"""
CARD_COLUMNS = ["briefing_id", "html", "series", "theme", "title", "standfirst", "byline", "image", "language"]
BRIEFING_COLUMNS = ["id", "slug", "published_at", "updated_at"]


class CardQuerySet(models.QuerySet):
    def of(self, ids: list[int], card_format: str) -> dict[int, Card]:
        """The kept cards of these briefings in this format, with the briefing's address and dates, by briefing."""
        if not ids:
            return {}
        with connections[self.db].cursor() as cursor:
            cursor.execute(CARDS_OF_SQL, [ids, card_format])
            rows = cursor.fetchall()
        cards = {}
        for row in rows:
            card = Card.from_db(self.db, CARD_COLUMNS, row[: len(CARD_COLUMNS)])
            card.briefing = Briefing.from_db(self.db, BRIEFING_COLUMNS, (row[0], *row[len(CARD_COLUMNS) :]))
            cards[card.briefing_id] = card
        return cards


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
    language = models.CharField(max_length=8, help_text="The briefing's language, which the card speaks.")

    objects = CardQuerySet.as_manager()

    SHOWN = ("series", "theme", "title", "standfirst", "byline", "image", "language")

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
