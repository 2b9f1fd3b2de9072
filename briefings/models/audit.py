"""The audit trail, reviewers' preview links, search suggestions and the public content version."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .briefings import Briefing
from .revisions import Revision


class StateChange(models.Model):
    """The audit trail: every change of state, who made it and when. Publications carry their kind."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned to draft"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        UNPUBLISHED = "unpublished", "Unpublished"
        RESTORED = "restored", "Restored an earlier revision"
        PREVIEW_SHARED = "preview_shared", "Shared a preview link"
        PREVIEW_REVOKED = "preview_revoked", "Revoked a preview link"
        WITHDRAWN = "withdrawn", "Withdrawn"
        MOVED = "moved", "Moved to a new address"

    class ChangeKind(models.TextChoices):
        FIRST = "first", "First publication"
        MINOR = "minor", "Minor edit"
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        UPDATE = "update", "Update"

    briefing = models.ForeignKey(Briefing, on_delete=models.PROTECT, related_name="state_changes")
    revision = models.ForeignKey(Revision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    change_kind = models.CharField(max_length=15, choices=ChangeKind.choices, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    effective_at = models.DateTimeField(
        default=timezone.now, help_text="When readers saw the change: a scheduled or imported publication's own date."
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="state_change_newest_first"),
            models.Index(fields=["briefing", "-at"]),
            models.Index(
                fields=["-effective_at"],
                condition=Q(change_kind="correction") | Q(action="withdrawn"),
                name="corrections_feed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.briefing.slug}"

    @property
    def is_substantive(self) -> bool:
        return self.change_kind in {
            self.ChangeKind.CORRECTION,
            self.ChangeKind.CLARIFICATION,
            self.ChangeKind.UPDATE,
        }


class PreviewLink(models.Model):
    """A signed link that shows a briefing's latest draft to a reviewer without an account."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="preview_links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="Who the link is for.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Preview of {self.briefing.slug} for {self.note or 'a reviewer'}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class SearchTerm(models.Model):
    """A word found in published briefings, for "did you mean" suggestions (matched by trigrams)."""

    word = models.CharField(max_length=40, primary_key=True)

    class Meta:
        indexes = [GinIndex(name="search_term_trigrams", fields=["word"], opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.word


class PublicContentVersion(models.Model):
    """One row whose number rises with every change readers can see (see briefings/freshness.py)."""

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Public content version {self.number}"
