"""Translations: a briefing of its own in another of the site's languages, linked to the original of its work."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from .. import languages
from ..models import Briefing, RetiredSlug
from ..models.workflow import WorkflowError
from .drafts import BriefingTags, save_draft
from .steps import Actor, lock


@transaction.atomic
def add_translation(source: Briefing, language: str, *, by: Actor) -> Briefing:
    """A new draft translating `source` into `language`, starting from its text and tags (the published
    version's, if it has one, else the working copy's), linked to the work's original."""
    original = original_to_translate(source, language)
    text = source.live_revision or source
    translation = Briefing(translation_of=original, owner=by)
    save_draft(
        translation,
        content={**text.content(), "slug": free_slug(f"{source.slug}-{language}"), "language": language},
        tags=BriefingTags.of(text),
        by=by,
        note=f"A translation into {languages.name(language)} of {source.slug}",
    )
    return translation


def original_to_translate(source: Briefing, language: str, *, translation: Briefing | None = None) -> Briefing:
    """The original of `source`'s work, locked (translations of one work are added one at a time), if the
    work may gain `translation` (a new briefing if None) in `language`; else WorkflowError says why."""
    original = lock(Briefing(pk=source.translation_of_id or source.pk))
    if language not in languages.codes():
        raise WorkflowError(f"{language} is not one of the site's languages.")
    taken = dict(Briefing.objects.of_work(original).values_list("language", "slug"))
    if language in taken and (translation is None or taken[language] != translation.slug):
        raise WorkflowError(f"The work is already written in {languages.name(language)}: {taken[language]}.")
    return original


def free_slug(wanted: str) -> str:
    """`wanted`, or with a number after it, that no briefing has or had."""
    base = slugify(wanted)[:240]
    slug, number = base, 1
    while (
        Briefing.objects.filter(slug=slug).exists() or RetiredSlug.objects.filter(kind="briefing", slug=slug).exists()
    ):
        number += 1
        slug = f"{base}-{number}"
    return slug
