"""The audit trail, reviewers' preview links, search suggestions and the public content version."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core import signing
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .briefings import Briefing
from .revisions import Revision
from .workflow import PUBLICATIONS, Action

SUBSTANTIVE_KINDS = ["correction", "clarification", "update"]
# The one definition of a correction: where an outlet says in public that it got something wrong.
CORRECTION = Q(change_kind="correction") | Q(action=Action.WITHDRAWN)


class StateChangeQuerySet(models.QuerySet):
    def publications(self) -> StateChangeQuerySet:
        """Each time a version was made the public one (now or at a scheduled time)."""
        return self.filter(action__in=PUBLICATIONS)

    def corrections(self) -> StateChangeQuerySet:
        """Corrections and withdrawals, newest first by the partial index `corrections_feed`."""
        return self.filter(CORRECTION)


class StateChange(models.Model):
    """The audit trail: every change of state, who made it and when. Publications carry their kind."""

    Action = Action

    class ChangeKind(models.TextChoices):
        FIRST = "first", _("First publication")
        MINOR = "minor", _("Minor edit")
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        UPDATE = "update", _("Update")

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
    without_review_reason = models.TextField(
        blank=True, help_text="Why the publisher published their own writing without a second editor's review."
    )

    objects = StateChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="state_change_newest_first"),
            models.Index(fields=["briefing", "-at"]),
            models.Index(fields=["-effective_at"], condition=CORRECTION, name="corrections_feed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.briefing.slug}"

    @property
    def is_substantive(self) -> bool:
        """A change readers are told about with its note: a correction, clarification or update."""
        return self.change_kind in SUBSTANTIVE_KINDS

    @property
    def is_withdrawal(self) -> bool:
        return self.action == Action.WITHDRAWN

    @property
    def is_unreviewed(self) -> bool:
        return bool(self.without_review_reason)


class PreviewLinkQuerySet(models.QuerySet):
    # The signed token names the link, so revoking the row kills the link at once.
    SALT = "briefings.preview"

    def active(self) -> PreviewLinkQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def for_token(self, token: str) -> PreviewLink | None:
        """The active preview link behind a token, or None when forged, expired or revoked."""
        try:
            pk = signing.loads(token, salt=self.SALT)
        except signing.BadSignature:
            return None
        return self.active().select_related("briefing").filter(pk=pk).first()


class PreviewLink(models.Model):
    """A signed link that shows a briefing's latest draft to a reviewer without an account."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="preview_links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="Who the link is for.")

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Preview of {self.briefing.slug} for {self.note or 'a reviewer'}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def token(self) -> str:
        return signing.dumps(self.pk, salt=PreviewLinkQuerySet.SALT, compress=True)


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


class ContentScope(models.Model):
    """A part of what readers see (a briefing, a theme's list, a month …) and the number of the public
    content version that last changed it, so that a page kept for a reader is thrown away only when
    something it showed has changed (see briefings/freshness.py)."""

    name = models.CharField(max_length=60, primary_key=True)
    number = models.PositiveBigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name} changed in version {self.number}"
