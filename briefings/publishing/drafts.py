"""The one save path: every edit, from the admin, an import, the demo or a restore, becomes a revision here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from .. import freshness, scopes
from ..images import make_renditions
from ..markdown import RenderedMarkdown, render_markdown
from ..models import Author, Briefing, BriefingAuthor, Region, Revision, RevisionAuthor, Theme
from ..models.workflow import Action, State, Step, WorkflowError
from . import cards
from .steps import Actor, authorize, lock, record

PUBLIC_STATES = {State.SCHEDULED, State.LIVE, State.CHANGED, State.WITHDRAWN}


@dataclass(frozen=True)
class BriefingTags:
    themes: list[Theme] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)

    @classmethod
    def of(cls, briefing: Briefing | Revision) -> BriefingTags:
        if briefing.pk is None:
            return cls()
        authors = briefing.fetch_authors() if isinstance(briefing, Revision) else list(briefing.authors)
        return cls(themes=list(briefing.themes.all()), regions=list(briefing.regions.all()), authors=authors)


@dataclass(frozen=True)
class SavedDraft:
    """What a save did: wrote `revision`, or refused the edit and kept its text as `revision`."""

    revision: Revision
    current: Revision | None = None  # when refused: the revision saved while the edit was open
    dropped_markup: list[str] = field(default_factory=list)

    @property
    def is_refused(self) -> bool:
        return self.current is not None


@transaction.atomic
def save_draft(
    briefing: Briefing,
    *,
    content: Mapping[str, Any],
    tags: BriefingTags | None = None,
    by: Actor,
    note: str = "",
    base_revision: int | None = None,
) -> SavedDraft:
    """Save an edit of a briefing (or a new one) as its newest revision.

    `content` maps any of `Briefing.EDITED_FIELDS` to new values; the rest keep theirs, and so do the
    tags when `tags` is None. `base_revision` is the revision the editor started from: if another was
    saved since, the edit is refused and kept as a refused revision, so no text is lost and none is
    overwritten. Invalid content raises ValidationError and writes nothing.
    """
    unknown = set(content) - set(Briefing.EDITED_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    is_new = briefing.pk is None
    draft = briefing if is_new else lock(briefing)
    authorize(draft, Step.EDIT, by)
    tags = tags if tags is not None else BriefingTags.of(draft)
    old_slug, old_hero, old_language = draft.slug, draft.hero_image.name, draft.language
    for name, value in content.items():
        setattr(draft, name, value)
    if is_new and draft.owner_id is None and by is not None:
        draft.owner = by
    draft.full_clean()
    if draft.language != old_language and not is_new:
        keep_language_of_work(draft)
    if not is_new and base_revision is not None and base_revision != draft.latest_revision_id:
        return refuse(draft, tags=tags, by=by)
    is_moved = not is_new and draft.slug != old_slug
    if is_moved:
        authorize(draft, Step.MOVE, by)
    rendered = render_markdown(draft.body)
    draft.save()
    if draft.hero_image and draft.hero_image.name != old_hero:  # a new image: its smaller copies once
        make_renditions(draft.hero_image.name)
    set_tags(draft, tags)
    revision = write_revision(draft, rendered, tags=tags, by=by, note=note)
    draft.latest_revision = revision
    draft.save(update_fields=["latest_revision"])
    if revision.number == 1:
        record(draft, Step.EDIT, by=by, revision=revision)
    if is_moved and draft.state in PUBLIC_STATES:
        cards.keep(draft)  # its card links to the new address
        work = scopes.of_work(draft.translation_of_id or draft.pk)
        freshness.public_content_changed([scopes.of_briefing(draft.pk), work])  # every page showing it says so
        record(draft, Step.MOVE, by=by, revision=draft.live_revision, note=f"From {old_slug}")
    if draft is not briefing:
        refresh_working_copy(briefing, draft)
    return SavedDraft(revision=revision, dropped_markup=rendered.dropped)


def keep_language_of_work(draft: Briefing) -> None:
    """A briefing in a work of several languages keeps its own: each language is a briefing of the work."""
    if Briefing.objects.of_work(draft).exclude(pk=draft.pk).exists():
        raise ValidationError({"language": "This briefing has translations, so its language stays as it is."})


def refuse(draft: Briefing, *, tags: BriefingTags, by: Actor) -> SavedDraft:
    current = draft.latest_revision
    note = f"Refused: begun before revision {current.number}"
    refused = write_revision(draft, render_markdown(draft.body), tags=tags, by=by, note=note, is_refused_edit=True)
    record(draft, Step.EDIT, by=by, revision=refused, action=Action.EDIT_REFUSED, note=note)
    return SavedDraft(revision=refused, current=current)


def set_tags(briefing: Briefing, tags: BriefingTags) -> None:
    briefing.themes.set(tags.themes)
    briefing.regions.set(tags.regions)
    briefing.byline.all().delete()
    BriefingAuthor.objects.bulk_create(
        BriefingAuthor(briefing=briefing, author=author, position=position)
        for position, author in enumerate(tags.authors)
    )


def write_revision(
    briefing: Briefing, rendered: RenderedMarkdown, *, tags: BriefingTags, by: Actor, note: str, is_refused_edit=False
) -> Revision:
    """An immutable snapshot of the briefing's content as it stands on the instance."""
    highest = briefing.revisions.aggregate(highest=Max("number"))["highest"] or 0
    revision = Revision.objects.create(
        briefing=briefing,
        number=highest + 1,
        slug=briefing.slug,
        body_html=rendered.html,
        toc_html=rendered.toc_html,
        heading_count=rendered.heading_count,
        word_count=rendered.word_count,
        created_by=by,
        change_note=note[:500],
        is_refused_edit=is_refused_edit,
        **briefing.content(),
    )
    revision.themes.set(tags.themes)
    revision.regions.set(tags.regions)
    RevisionAuthor.objects.bulk_create(
        RevisionAuthor(revision=revision, author=author, position=position)
        for position, author in enumerate(tags.authors)
    )
    return revision


def refresh_working_copy(briefing: Briefing, saved: Briefing) -> None:
    """Bring the caller's copy up to what was saved, so it can go on to the next step."""
    for name in [*Briefing.EDITED_FIELDS, "latest_revision"]:
        setattr(briefing, name, getattr(saved, name))


@transaction.atomic
def restore(briefing: Briefing, revision: Revision, *, by: Actor) -> Revision:
    """Bring back an old revision's content as a new revision; nothing is overwritten."""
    if revision.briefing_id != briefing.pk:
        raise WorkflowError("That revision belongs to another briefing.")
    authorize(lock(briefing), Step.RESTORE, by)
    saved = save_draft(
        briefing,
        content=revision.content(),
        tags=BriefingTags.of(revision),
        by=by,
        note=f"Restored revision {revision.number}",
    )
    record(briefing, Step.RESTORE, by=by, revision=saved.revision, note=f"From {revision.number}")
    return saved.revision
