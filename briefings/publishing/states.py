"""The workflow's steps after an edit: review, publication, withdrawal and featuring."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .. import freshness, scopes, search
from ..models import Briefing, ContentChange, StateChange
from ..models.workflow import Action, Step, WorkflowError, needs_second_editor, role_needed
from . import cards, listings
from .alerts import announce, cancel_announcements
from .pdfs import remove_pdfs, request_pdf, request_pdfs
from .steps import Actor, authorize, lock, record

ChangeKind = StateChange.ChangeKind
Status = Briefing.Status


def set_status(briefing: Briefing, status: str, **fields) -> None:
    briefing.status = status
    for name, value in fields.items():
        setattr(briefing, name, value)
    briefing.save(update_fields=["status", *fields])


@transaction.atomic
def submit_for_review(briefing: Briefing, *, by: Actor, note: str = "") -> None:
    briefing = lock(briefing)
    authorize(briefing, Step.SUBMIT, by)
    set_status(briefing, Status.REVIEW)
    record(briefing, Step.SUBMIT, by=by, revision=briefing.latest_revision, note=note)


@transaction.atomic
def return_to_draft(briefing: Briefing, *, by: Actor, note: str = "") -> None:
    briefing = lock(briefing)
    authorize(briefing, Step.RETURN, by)
    set_status(briefing, Status.DRAFT)
    record(briefing, Step.RETURN, by=by, revision=briefing.latest_revision, note=note)


@transaction.atomic
def publish(
    briefing: Briefing,
    *,
    by: Actor,
    note: str = "",
    change_kind: str = ChangeKind.MINOR,
    at: datetime | None = None,
    updated_at: datetime | None = None,
    revision_id: int | None = None,
    without_review_reason: str = "",
    alert_followers: bool = True,
) -> StateChange:
    """Make the latest revision the public one.

    A first publication may be scheduled with `at`; the public queries compare it with the clock,
    so it goes live at that time without any job running. Publishing an edit of a live briefing
    records whether the change is minor or substantive; substantive ones move its "updated" date.
    `alert_followers=False` publishes without email alerts (an imported archive is not news).
    `revision_id` names the revision the publisher reviewed: if another was saved since, nothing is
    published. Publishers who wrote that revision themselves publish it only with a reason, recorded
    as a publication without review (settings.TWO_PAIRS_OF_EYES).
    """
    briefing = lock(briefing)
    if briefing.latest_revision is None:
        raise WorkflowError("There is nothing to publish: the briefing has no saved revision.")
    if revision_id is not None and revision_id != briefing.latest_revision_id:
        raise WorkflowError(
            f"Revision {briefing.latest_revision.number} was saved after you opened this page, so nothing was "
            "published. Review it, then publish again."
        )
    authorize(briefing, Step.PUBLISH, by)
    if not briefing.latest_revision.byline.exists():
        raise WorkflowError("Name at least one author before publishing: readers and citations need a byline.")
    needs_reason = needs_second_editor(briefing, by)
    without_review_reason = without_review_reason.strip() if needs_reason else ""
    if needs_reason and not without_review_reason:
        raise WorkflowError(
            f"You wrote revision {briefing.latest_revision.number} yourself: ask another editor to review and "
            "publish it, or publish it without review and say why."
        )
    now = timezone.now()
    is_live = briefing.is_published
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
    cards.keep(briefing)
    effective_at = fields.get("published_at") or fields.get("updated_at") or now
    request_pdfs(briefing, briefing.latest_revision, at=effective_at if effective_at > now else None)
    search.index_briefing(briefing)
    freshness.public_content_changed(listings.refresh(briefing))
    if alert_followers and change_kind != ChangeKind.MINOR:  # new, or a substantive change: followers hear of it
        kind = ContentChange.Kind.PUBLISHED if change_kind == ChangeKind.FIRST else change_kind
        announce(briefing, briefing.latest_revision, kind, note=note, at=effective_at)
    return record(
        briefing,
        Step.PUBLISH,
        by=by,
        action=Action.SCHEDULED if effective_at > now else Action.PUBLISHED,
        revision=briefing.latest_revision,
        note=note,
        change_kind=change_kind,
        effective_at=effective_at,
        without_review_reason=without_review_reason,
    )


@transaction.atomic
def unpublish(briefing: Briefing, *, by: Actor, note: str = "") -> None:
    """Take a briefing off the public site everywhere; its address answers 410 Gone."""
    briefing = lock(briefing)
    authorize(briefing, Step.UNPUBLISH, by)
    set_status(briefing, Status.UNPUBLISHED)
    remove_pdfs(briefing)
    cancel_announcements(briefing)
    search.unindex_briefing(briefing)
    freshness.public_content_changed(listings.refresh(briefing))
    record(briefing, Step.UNPUBLISH, by=by, revision=briefing.live_revision, note=note)


@transaction.atomic
def withdraw(briefing: Briefing, *, by: Actor, note: str) -> None:
    """Retract a published briefing in the open: its page and versions stay, marked withdrawn with the note."""
    briefing = lock(briefing)
    authorize(briefing, Step.WITHDRAW, by)
    if not note.strip():
        raise WorkflowError("Readers will see the withdrawal: explain why.")
    briefing.withdrawn_at = timezone.now()
    briefing.withdrawal_note = note.strip()
    briefing.save(update_fields=["withdrawn_at", "withdrawal_note"])
    for revision in briefing.published_revisions():
        request_pdf(revision)  # each version's file is made again, marked withdrawn
    announce(briefing, briefing.live_revision, ContentChange.Kind.WITHDRAWN, note=note.strip(), at=timezone.now())
    search.unindex_briefing(briefing)
    freshness.public_content_changed(listings.refresh(briefing))
    record(briefing, Step.WITHDRAW, by=by, revision=briefing.live_revision, note=note)


@transaction.atomic
def feature(briefings: QuerySet[Briefing], *, by: Actor) -> int:
    """Put live briefings on the home page (the newest featured one is shown); returns how many."""
    return set_featuring(briefings, Step.FEATURE, is_featured=True, by=by)


@transaction.atomic
def stop_featuring(briefings: QuerySet[Briefing], *, by: Actor) -> int:
    return set_featuring(briefings, Step.STOP_FEATURING, is_featured=False, by=by)


def set_featuring(briefings: QuerySet[Briefing], step: Step, *, is_featured: bool, by: Actor) -> int:
    """Feature or stop featuring each briefing whose state allows it; those in other states are left as they are."""
    changed = []
    chosen = Briefing.objects.filter(pk__in=briefings.values("pk"), is_featured=not is_featured)
    for briefing in chosen.select_for_update().order_by("pk"):  # one order, so two admins cannot deadlock
        if role_needed(step, briefing.state) is None:
            continue
        authorize(briefing, step, by)
        briefing.is_featured = is_featured
        briefing.save(update_fields=["is_featured"])
        record(briefing, step, by=by, revision=briefing.live_revision)
        changed.append(scopes.of_briefing(briefing.pk))
    if changed:
        freshness.public_content_changed(changed)  # the home page, which shows the lead, is shared
    return len(changed)
