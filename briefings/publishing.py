"""Revisions and the publishing workflow: every state change is one atomic function with an audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from . import freshness, search
from .markdown import render_markdown
from .models import (
    CONTENT_FIELDS,
    Author,
    Briefing,
    BriefingAuthor,
    PreviewLink,
    Region,
    Revision,
    RevisionAuthor,
    StateChange,
    Theme,
)

Action = StateChange.Action
ChangeKind = StateChange.ChangeKind
Status = Briefing.Status


class WorkflowError(Exception):
    """A state change that the briefing's current state does not allow."""


class StaleEditError(Exception):
    """Someone else saved the briefing after this edit started."""

    def __init__(self, current: Revision, refused: Revision):
        self.current = current
        self.refused = refused
        super().__init__(f"Revision {current.number} was saved while this edit was open.")


@dataclass
class BriefingTags:
    themes: list[Theme]
    regions: list[Region]
    authors: list[Author]


def current_tags(briefing: Briefing) -> BriefingTags:
    return BriefingTags(
        themes=list(briefing.themes.all()), regions=list(briefing.regions.all()), authors=briefing.authors
    )


def lock(briefing: Briefing) -> Briefing:
    """Lock the briefing's row for the rest of the transaction, so saves and publishes queue up."""
    return Briefing.objects.select_for_update().get(pk=briefing.pk)


def next_revision_number(briefing: Briefing) -> int:
    return (briefing.revisions.aggregate(highest=Max("number"))["highest"] or 0) + 1


def write_revision(
    briefing: Briefing,
    *,
    content: dict,
    tags: BriefingTags,
    by,
    note: str = "",
    is_refused_edit: bool = False,
) -> Revision:
    rendered = render_markdown(content["body"])
    revision = Revision.objects.create(
        briefing=briefing,
        number=next_revision_number(briefing),
        slug=briefing.slug,
        body_html=rendered.html,
        toc_html=rendered.toc_html,
        heading_count=rendered.heading_count,
        word_count=rendered.word_count,
        created_by=by,
        change_note=note[:500],
        is_refused_edit=is_refused_edit,
        **content,
    )
    revision.themes.set(tags.themes)
    revision.regions.set(tags.regions)
    RevisionAuthor.objects.bulk_create(
        RevisionAuthor(revision=revision, author=author, position=position)
        for position, author in enumerate(tags.authors)
    )
    return revision


def working_copy_content(briefing: Briefing) -> dict:
    return {name: getattr(briefing, name) for name in CONTENT_FIELDS}


@transaction.atomic
def record_revision(briefing: Briefing, *, by, note: str = "") -> Revision:
    """Snapshot the saved working copy as the briefing's newest revision."""
    locked = lock(briefing)
    revision = write_revision(
        briefing, content=working_copy_content(briefing), tags=current_tags(briefing), by=by, note=note
    )
    locked.latest_revision = revision
    locked.save(update_fields=["latest_revision"])
    briefing.latest_revision = revision
    if revision.number == 1:
        record_state_change(briefing, action=Action.CREATED, revision=revision, by=by)
    return revision


def ensure_not_stale(briefing: Briefing, *, base_revision_id: int | None, content: dict, tags, by) -> None:
    """Refuse an edit begun on an older revision, keeping its text as a refused revision.

    Call inside the transaction that will save the edit: the row lock makes the check and the save
    one step, so two simultaneous saves cannot both pass.
    """
    locked = lock(briefing)
    if locked.latest_revision_id == base_revision_id:
        return
    refused = write_revision(
        locked,
        content=content,
        tags=tags,
        by=by,
        note="Refused: saved over a newer revision",
        is_refused_edit=True,
    )
    raise StaleEditError(current=locked.latest_revision, refused=refused)


def record_state_change(
    briefing: Briefing, *, action: str, by, revision=None, note="", change_kind="", effective_at=None
) -> StateChange:
    return StateChange.objects.create(
        briefing=briefing,
        revision=revision,
        action=action,
        by=by,
        note=note,
        change_kind=change_kind,
        effective_at=effective_at or timezone.now(),
    )


def set_status(briefing: Briefing, status: str, **fields) -> None:
    briefing.status = status
    for name, value in fields.items():
        setattr(briefing, name, value)
    briefing.save(update_fields=["status", *fields])


@transaction.atomic
def submit_for_review(briefing: Briefing, *, by, note: str = "") -> None:
    briefing = lock(briefing)
    if briefing.status not in (Status.DRAFT, Status.UNPUBLISHED):
        raise WorkflowError("Only a draft or an unpublished briefing can be submitted for review.")
    set_status(briefing, Status.REVIEW)
    record_state_change(briefing, action=Action.SUBMITTED, revision=briefing.latest_revision, by=by, note=note)


@transaction.atomic
def return_to_draft(briefing: Briefing, *, by, note: str = "") -> None:
    briefing = lock(briefing)
    if briefing.status != Status.REVIEW:
        raise WorkflowError("Only a briefing in review can be returned to draft.")
    set_status(briefing, Status.DRAFT)
    record_state_change(briefing, action=Action.RETURNED, revision=briefing.latest_revision, by=by, note=note)


@transaction.atomic
def publish(
    briefing: Briefing,
    *,
    by,
    note: str = "",
    change_kind: str = ChangeKind.MINOR,
    at: datetime | None = None,
    updated_at: datetime | None = None,
    revision_id: int | None = None,
) -> StateChange:
    """Make the latest revision the public one.

    A first publication may be scheduled with `at`; the public queries compare it with the clock,
    so it goes live at that time without any job running. Publishing an edit of a live briefing
    records whether the change is minor or substantive; substantive ones move its "updated" date.
    `revision_id` names the revision the publisher reviewed: if another was saved since, nothing is published.
    """
    briefing = lock(briefing)
    if briefing.latest_revision is None:
        raise WorkflowError("There is nothing to publish: the briefing has no saved revision.")
    if revision_id is not None and revision_id != briefing.latest_revision_id:
        raise WorkflowError(
            f"Revision {briefing.latest_revision.number} was saved after you opened this page, so nothing was "
            "published. Review it, then publish again."
        )
    now = timezone.now()
    is_live = briefing.is_published
    if is_live and briefing.live_revision_id == briefing.latest_revision_id:
        raise WorkflowError(
            f"Revision {briefing.latest_revision.number} is already live: there is nothing new to publish."
        )
    if is_live and at is not None and at > now:
        raise WorkflowError("A live briefing cannot be scheduled; publish the change now instead.")
    fields = {"live_revision": briefing.latest_revision}
    if is_live:
        if change_kind not in ChangeKind.values or change_kind == ChangeKind.FIRST:
            raise WorkflowError("Say whether the change is minor or a correction, clarification or update.")
        if change_kind != ChangeKind.MINOR:
            fields["updated_at"] = updated_at or now
    else:
        change_kind = ChangeKind.FIRST if briefing.published_at is None else change_kind
        fields["published_at"] = at or briefing.published_at or now
        if updated_at:
            fields["updated_at"] = updated_at
    set_status(briefing, Status.PUBLISHED, **fields)
    search.index_briefing(briefing)
    freshness.public_content_changed()
    effective_at = fields.get("published_at") or fields.get("updated_at") or now
    return record_state_change(
        briefing,
        action=Action.SCHEDULED if effective_at > now else Action.PUBLISHED,
        revision=briefing.latest_revision,
        by=by,
        note=note,
        change_kind=change_kind,
        effective_at=effective_at,
    )


@transaction.atomic
def unpublish(briefing: Briefing, *, by, note: str = "") -> None:
    """Take a briefing off the public site everywhere; its address answers 410 Gone."""
    briefing = lock(briefing)
    if briefing.status != Status.PUBLISHED:
        raise WorkflowError("Only a published or scheduled briefing can be unpublished.")
    set_status(briefing, Status.UNPUBLISHED)
    search.unindex_briefing(briefing)
    freshness.public_content_changed()
    record_state_change(briefing, action=Action.UNPUBLISHED, revision=briefing.live_revision, by=by, note=note)


@transaction.atomic
def withdraw(briefing: Briefing, *, by, note: str) -> None:
    """Retract a published briefing in the open: its page and versions stay, marked withdrawn with the note."""
    briefing = lock(briefing)
    if not briefing.is_published or briefing.is_withdrawn:
        raise WorkflowError("Only a live briefing that is not already withdrawn can be withdrawn.")
    if not note.strip():
        raise WorkflowError("Readers will see the withdrawal: explain why.")
    briefing.withdrawn_at = timezone.now()
    briefing.withdrawal_note = note.strip()
    briefing.save(update_fields=["withdrawn_at", "withdrawal_note"])
    search.unindex_briefing(briefing)
    freshness.public_content_changed()
    record_state_change(briefing, action=Action.WITHDRAWN, revision=briefing.live_revision, by=by, note=note)


@transaction.atomic
def restore(briefing: Briefing, revision: Revision, *, by) -> Revision:
    """Bring back an old revision's content as a new revision; nothing is overwritten."""
    if revision.briefing_id != briefing.pk:
        raise WorkflowError("That revision belongs to another briefing.")
    briefing = lock(briefing)
    for name in CONTENT_FIELDS:
        setattr(briefing, name, getattr(revision, name))
    briefing.save()
    briefing.themes.set(revision.themes.all())
    briefing.regions.set(revision.regions.all())
    set_byline(briefing, revision.fetch_authors())
    restored = record_revision(briefing, by=by, note=f"Restored revision {revision.number}")
    record_state_change(briefing, action=Action.RESTORED, revision=restored, by=by, note=f"From {revision.number}")
    return restored


@transaction.atomic
def record_move(briefing: Briefing, *, old_slug: str, by) -> None:
    """Record that a briefing answers at a new address, a public change when it is published (its old
    address redirects there)."""
    if lock(briefing).status != Status.PUBLISHED:
        return
    freshness.public_content_changed()
    record_state_change(briefing, action=Action.MOVED, revision=briefing.live_revision, by=by, note=f"From {old_slug}")


@transaction.atomic
def feature(briefings: QuerySet[Briefing]) -> int:
    """Put published briefings on the home page (the newest featured one is shown); returns how many."""
    count = briefings.filter(status=Status.PUBLISHED).update(is_featured=True)
    freshness.public_content_changed()
    return count


@transaction.atomic
def stop_featuring(briefings: QuerySet[Briefing]) -> int:
    count = briefings.update(is_featured=False)
    freshness.public_content_changed()
    return count


def set_byline(briefing: Briefing, authors: list[Author]) -> None:
    briefing.byline.all().delete()
    BriefingAuthor.objects.bulk_create(
        BriefingAuthor(briefing=briefing, author=author, position=position) for position, author in enumerate(authors)
    )


# Preview links: the signed token names the link, so revoking the row kills the link at once.
PREVIEW_SALT = "briefings.preview"


@transaction.atomic
def share_preview(briefing: Briefing, *, by, note: str = "", days: int | None = None) -> str:
    days = days or settings.PREVIEW_LINK_MAX_AGE_DAYS
    link = PreviewLink.objects.create(
        briefing=briefing, created_by=by, note=note, expires_at=timezone.now() + timedelta(days=days)
    )
    record_state_change(briefing, action=Action.PREVIEW_SHARED, by=by, note=note)
    return preview_token(link)


def preview_token(link: PreviewLink) -> str:
    return signing.dumps(link.pk, salt=PREVIEW_SALT, compress=True)


def find_preview(token: str) -> PreviewLink | None:
    """The active preview link behind a token, or None when forged, expired or revoked."""
    try:
        pk = signing.loads(token, salt=PREVIEW_SALT)
    except signing.BadSignature:
        return None
    link = PreviewLink.objects.select_related("briefing").filter(pk=pk).first()
    return link if link and link.is_active else None


@transaction.atomic
def revoke_preview(link: PreviewLink, *, by) -> None:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record_state_change(link.briefing, action=Action.PREVIEW_REVOKED, by=by, note=link.note)
