"""Email alerts: readers' addresses, the lists they follow (anything a reader can browse) and how often."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .tags import Author, Region, Series, Theme

SEARCH_KEYS = ("q", "theme", "region", "author", "series", "year", "from", "to")


class SubscriberListQuerySet(models.QuerySet):
    def matching_tags(self, revision) -> SubscriberListQuerySet:
        """The lists (other than searches) a published version belongs to: every briefing, its themes, its
        regions and every region they sit in, its authors, its series, and its theme × region pairs."""
        from .revisions import RevisionAuthor, RevisionRegion, RevisionTheme

        themes = RevisionTheme.objects.filter(revision=revision).values("theme")
        tagged = RevisionRegion.objects.filter(revision=revision).values_list("region", flat=True)
        regions = Region.objects.filter(
            pk__in=models.expressions.RawSQL(ANCESTORS_OF_ALL_SQL, [list(tagged) or [0]])
        ).values("pk")
        authors = RevisionAuthor.objects.filter(revision=revision).values("author")
        return self.filter(
            Q(kind="everything")
            | Q(kind="theme", theme__in=themes)
            | Q(kind="region", region__in=regions)
            | Q(kind="author", author__in=authors)
            | Q(kind="series", series=revision.series_id, series__isnull=False)
            | Q(kind="theme-region", theme__in=themes, region__in=regions)
        )

    def searches(self) -> SubscriberListQuerySet:
        return self.filter(kind="search")

    def with_subscriber_counts(self) -> SubscriberListQuerySet:
        def following(pace=None):
            return models.Count("subscriptions", filter=Q(subscriptions__frequency=pace) if pace else None)

        return self.annotate(
            subscribers=following(), immediately=following("immediately"), daily=following("daily"),
            weekly=following("weekly"),
        )  # fmt: skip


# The regions given and every region they sit in, through any grouping.
ANCESTORS_OF_ALL_SQL = """
    WITH RECURSIVE tree(id) AS (
        SELECT unnest(%s::bigint[])
        UNION
        SELECT link.to_region_id FROM briefings_region_parents link JOIN tree ON link.from_region_id = tree.id
    ) SELECT id FROM tree
"""


class SubscriberList(models.Model):
    """One scope readers can follow, made the first time someone confirms a subscription to it."""

    class Kind(models.TextChoices):
        EVERYTHING = "everything", "Every briefing"
        THEME = "theme", "A theme"
        REGION = "region", "A region"
        AUTHOR = "author", "An author"
        SERIES = "series", "A series"
        THEME_REGION = "theme-region", "A theme in a region"
        SEARCH = "search", "A search"

    kind = models.CharField(max_length=15, choices=Kind.choices)
    key = models.CharField(max_length=100, unique=True, help_text="The scope, written once: one list per scope.")
    title = models.CharField(max_length=300)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Author, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    search = models.JSONField(default=dict, blank=True, help_text="A search's words and filters.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SubscriberListQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="everything", theme=None, region=None, author=None, series=None)
                    | Q(kind="theme", theme__isnull=False, region=None, author=None, series=None)
                    | Q(kind="region", region__isnull=False, theme=None, author=None, series=None)
                    | Q(kind="author", author__isnull=False, theme=None, region=None, series=None)
                    | Q(kind="series", series__isnull=False, theme=None, region=None, author=None)
                    | Q(kind="theme-region", theme__isnull=False, region__isnull=False, author=None, series=None)
                    | Q(kind="search", theme=None, region=None, author=None, series=None)
                ),
                name="subscriber_list_names_its_scope",
            )
        ]

    def __str__(self) -> str:
        return self.local_title

    NAMED_AFTER = ("theme", "region", "author", "series")  # what `local_title` reads: read them with the list

    @property
    def local_title(self) -> str:
        """What is followed, named in the interface's language (a search keeps the words it was asked in)."""
        from ..alerts import label, theme_in_region

        if self.kind == self.Kind.EVERYTHING:
            return gettext("Every new briefing")
        if self.kind == self.Kind.THEME_REGION:
            return theme_in_region(self.theme, self.region)
        tag = self.theme or self.region or self.author or self.series
        return label(tag) if tag else self.title

    @staticmethod
    def search_key(search: dict) -> str:
        """A search's words and filters, in one spelling however they were asked."""
        normal = json.dumps({key: search[key] for key in SEARCH_KEYS if search.get(key)}, sort_keys=True)
        return "search:" + hashlib.sha256(normal.encode()).hexdigest()[:40]


class Subscriber(models.Model):
    """An address that confirmed at least one subscription; it goes when its last subscription does."""

    address = models.EmailField(max_length=254, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    language = models.CharField(
        max_length=8, default="en", help_text="The language of the site they confirmed in, which their emails speak."
    )

    class Meta:
        permissions = [("see_subscriber_addresses", "Can see readers' email addresses")]

    def __str__(self) -> str:
        return f"Subscriber {self.pk}"


class Subscription(models.Model):
    class Frequency(models.TextChoices):
        IMMEDIATELY = "immediately", _("As soon as it is published")
        DAILY = "daily", _("A daily digest")
        WEEKLY = "weekly", _("A weekly digest")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="subscriptions")
    subscriber_list = models.ForeignKey(SubscriberList, on_delete=models.CASCADE, related_name="subscriptions")
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.IMMEDIATELY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "subscriber_list"], name="one_subscription_per_list")
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} → {self.subscriber_list} ({self.frequency})"


def alert_counts() -> dict:
    """How many of a change's or a message's alerts wait, went and failed, as annotations."""
    waiting = Q(alerts__status__in=["queued", "sending"])
    return {
        "queued": models.Count("alerts", filter=waiting),
        "sent": models.Count("alerts", filter=Q(alerts__status="sent")),
        "failed": models.Count("alerts", filter=Q(alerts__status="failed")),
    }


class WithAlertCounts(models.QuerySet):
    def with_alert_counts(self) -> WithAlertCounts:
        return self.annotate(**alert_counts())

    def alert_totals(self) -> dict:
        """The counts over all of them: a briefing's, across its changes."""
        return self.aggregate(**alert_counts())


class ContentChange(models.Model):
    """What followers of a briefing hear about, written in the transaction that publishes it: a new
    briefing, a correction, clarification or update with its note, or a withdrawal. Matched to readers
    when it goes live; never for a minor edit."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("New briefing")
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        UPDATE = "update", _("Update")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    briefing = models.ForeignKey("Briefing", on_delete=models.CASCADE, related_name="content_changes")
    revision = models.ForeignKey("Revision", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    note = models.TextField(blank=True)
    effective_at = models.DateTimeField(help_text="When readers see it: the go-live of a scheduled briefing.")
    matched_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WithAlertCounts.as_manager()

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.briefing}"


class EditorMessage(models.Model):
    """A short message from the editors to the readers of one list (a new series, a change of schedule),
    sent at each reader's own pace like a change."""

    subscriber_list = models.ForeignKey(SubscriberList, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=3000, help_text="Plain text; web addresses are kept as they are.")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = WithAlertCounts.as_manager()

    class Meta:
        verbose_name = "message to readers"
        verbose_name_plural = "messages to readers"

    def __str__(self) -> str:
        return self.subject


class Alert(models.Model):
    """One reader's email about one change, or one message from the editors: one at most, however many of
    their lists it matched."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    change = models.ForeignKey(ContentChange, null=True, on_delete=models.CASCADE, related_name="alerts")
    message = models.ForeignKey(EditorMessage, null=True, on_delete=models.CASCADE, related_name="alerts")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="alerts")
    subscription = models.ForeignKey(
        Subscription, null=True, on_delete=models.SET_NULL, related_name="+", help_text="Why the reader gets it."
    )
    frequency = models.CharField(max_length=12, choices=Subscription.Frequency.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When a worker took it to send.")
    claimed_by = models.BigIntegerField(null=True, blank=True, help_text="The queue's job that took it.")
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["change", "subscriber"], name="one_alert_per_reader"),
            models.UniqueConstraint(fields=["message", "subscriber"], name="one_message_per_reader"),
            models.CheckConstraint(
                condition=Q(change__isnull=False, message=None) | Q(change=None, message__isnull=False),
                name="alert_is_about_a_change_or_a_message",
            ),
        ]
        indexes = [
            models.Index(fields=["change", "status"], name="alert_by_change_status"),
            models.Index(
                fields=["frequency", "subscriber"],
                name="alert_waiting_for_digest",
                condition=Q(status__in=["queued", "sending"]),
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"Alert {self.pk}"
