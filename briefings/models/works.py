"""Works: an original briefing and its translations, each a briefing of its own (see briefings.languages)."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce

from .workflow import PUBLICATIONS


class WorkQueries:
    """Mixed into the briefings' QuerySet: what a work's briefings are, and what readers may see of them."""

    def of_work(self, briefing) -> models.QuerySet:
        """The original and every translation of the work `briefing` belongs to, the original first."""
        original = briefing.translation_of_id or briefing.pk
        return self.filter(Q(pk=original) | Q(translation_of=original)).order_by(
            models.F("translation_of").asc(nulls_first=True), "language"
        )

    def other_languages_of(self, briefing) -> models.QuerySet:
        """The rest of `briefing`'s work that is published or scheduled, by language, read for links to it."""
        return (
            self.of_work(briefing)
            .exclude(pk=briefing.pk)
            .filter(status="published")
            .only("slug", "language", "status", "published_at", "translation_of")
        )

    def read_in(self, language: str) -> models.QuerySet:
        """The briefings readers of a language read of their works: those in it, and those of works without
        a published briefing in it (the work's changes in other languages are not theirs)."""
        work = Coalesce(OuterRef("translation_of"), OuterRef("pk"))
        in_language = self.model.objects.published().filter(Q(pk=work) | Q(translation_of=work), language=language)
        return self.filter(Q(language=language) | ~Exists(in_language))

    def languages_of_works(self, originals: set[int]) -> dict[int, list[tuple[str, str]]]:
        """(language, slug) of each of these briefings and their translations, by original, for the works
        among them with more than one; the original's first. Probes the translations' index once per
        original: works are few, so most find nothing."""
        translations = list(self.filter(translation_of__in=originals).values_list("translation_of", "language", "slug"))
        translated = {original for original, _, _ in translations}
        works = {pk: [(language, slug)] for pk, language, slug in
                 self.filter(pk__in=translated).values_list("pk", "language", "slug")}  # fmt: skip
        for original, language, slug in sorted(translations):
            works.setdefault(original, []).append((language, slug))
        return {original: languages for original, languages in works.items() if len(languages) > 1}

    def with_publication_times(self) -> models.QuerySet:
        """Each with `last_published_at`, when a version of it last went public, and `last_changed_at`, when
        one last did other than as a minor edit: the change a translation has to follow."""
        published = Q(state_changes__action__in=PUBLICATIONS)
        return self.annotate(
            last_published_at=Max("state_changes__effective_at", filter=published),
            last_changed_at=Max(
                "state_changes__effective_at", filter=published & ~Q(state_changes__change_kind="minor")
            ),
        )
