"""The PDF of each published version: made once by a worker, read by the public pages and staff."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..addresses import address
from .revisions import Revision


class VersionPdfQuerySet(models.QuerySet):
    def ready(self) -> VersionPdfQuerySet:
        return self.filter(status=VersionPdf.Status.READY)

    def unfinished(self) -> VersionPdfQuerySet:
        return self.filter(status__in=[VersionPdf.Status.QUEUED, VersionPdf.Status.MAKING])

    def failed(self) -> VersionPdfQuerySet:
        return self.filter(status=VersionPdf.Status.FAILED)


class VersionPdf(models.Model):
    """One file per published version, named by slug and version number, in Django's default storage."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        MAKING = "making", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    revision = models.OneToOneField(Revision, on_delete=models.CASCADE, related_name="pdf")
    # A month's sitemap of PDFs reads it here: reading it from the versions cost a random read of that
    # large table for each briefing, from disk on a month nobody asked for lately.
    number = models.PositiveIntegerField(editable=False, help_text="The version's number, as in the file's address.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(max_length=300, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True, help_text="Bytes.")
    pages = models.PositiveIntegerField(null=True, blank=True)
    marks_withdrawal = models.BooleanField(
        default=False, help_text="Made after the briefing was withdrawn, with the withdrawal on its first page."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the last attempt failed; shown to staff only.")
    requested_at = models.DateTimeField(default=timezone.now)
    made_at = models.DateTimeField(null=True, blank=True)

    objects = VersionPdfQuerySet.as_manager()

    class Meta:
        verbose_name = "version PDF"
        verbose_name_plural = "version PDFs"
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & Q(size__isnull=False) & Q(pages__isnull=False)),
                name="ready_pdf_has_a_file",
            )
        ]

    def __str__(self) -> str:
        return f"PDF of {self.revision}"

    def get_absolute_url(self) -> str:
        return address("briefings:briefing-version-pdf", slug=self.revision.briefing.slug, number=self.number)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_being_made(self) -> bool:
        """Waiting for a worker: never made yet, or asked for again since (after a withdrawal, say)."""
        if self.status in (self.Status.QUEUED, self.Status.MAKING):
            return True
        return self.is_ready and not self.error and self.requested_at > self.made_at

    def serves(self, briefing) -> bool:
        """Whether readers get this file: made, and made after a withdrawal if there was one."""
        return self.is_ready and (self.marks_withdrawal or not briefing.is_withdrawn)

    def file_name(self) -> str:
        """Where the file is stored: one name per version, so that making it again replaces it."""
        return f"pdfs/{self.revision.briefing.slug}-v{self.revision.number}.pdf"
