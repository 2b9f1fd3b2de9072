"""The best matches of the archive's most common words, kept in order as briefings are published."""

from __future__ import annotations

from functools import cache

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models

from .briefings import Briefing

RUM_INDEX = "briefing_search_rum"


@cache
def has_rank_ordered_index() -> bool:
    """Whether the search index is RUM's, which orders matches by rank (the migration falls back to GIN
    where the extension cannot be had): common words are kept only where it is."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [RUM_INDEX])
        return cursor.fetchone() is not None


class CommonWord(models.Model):
    """A word (as the search index stems it) in so many briefings that ranking every match on each search
    would be slow; its best matches are kept instead (`TopMatch`). Its row is also the lock that orders
    the publishes changing them."""

    id = models.AutoField(primary_key=True)  # four bytes: a briefing's list of its common words stays small
    word = models.TextField(unique=True)
    briefings = models.PositiveIntegerField(help_text="How many briefings held the word when last counted.")
    is_ready = models.BooleanField(
        default=False, help_text="Every briefing's list of its common words includes it: searches may use it."
    )

    def __str__(self) -> str:
        return self.word


class TopMatch(models.Model):
    """One of a common word's best matches by the index's distance, the order search ranks them in: no
    briefing holding the word but left out is nearer than one kept."""

    pk = models.CompositePrimaryKey("word", "briefing")
    word = models.ForeignKey(CommonWord, on_delete=models.CASCADE, related_name="top_matches")
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="top_matches")
    distance = models.FloatField()
    published_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["word", "distance", "-published_at", "-briefing"], name="top_match_order")]

    def __str__(self) -> str:
        return f"{self.word_id}: briefing {self.briefing_id}"


class BriefingWords(models.Model):
    """The common words an indexed briefing holds (their ids), so that whether it matches one is read
    from a small row rather than from its search vector."""

    briefing = models.OneToOneField(Briefing, on_delete=models.CASCADE, primary_key=True, related_name="words")
    common = ArrayField(models.IntegerField())

    class Meta:
        verbose_name_plural = "briefing words"

    def __str__(self) -> str:
        return f"briefing {self.briefing_id}: {len(self.common)} common words"
