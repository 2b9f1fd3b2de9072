"""The PDF of each published version: asked for inside the transaction that publishes (or withdraws) it,
made by a worker from the task queue, and recorded so that readers and staff see where it stands."""

from __future__ import annotations

from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .. import freshness, scopes
from ..models import Briefing, Revision, VersionPdf
from ..pdfs import RenderedPdf

Status = VersionPdf.Status


def request_pdfs(briefing: Briefing, revision: Revision, *, at: datetime | None = None) -> None:
    """A publication's PDF, and those of earlier versions whose files went when the briefing was unpublished.
    A scheduled one is made when it goes live (`at`), so that no file of it exists before."""
    request_pdf(revision, at=at)
    for earlier in briefing.published_revisions().filter(pdf__isnull=True).exclude(pk=revision.pk):
        request_pdf(earlier)


def request_pdf(revision: Revision, *, at: datetime | None = None) -> None:
    """Ask for the version's PDF, in the caller's transaction: a rollback leaves neither row nor task.

    A file already made stays served while the new one is made; one queued job per version is enough,
    since the worker reads the version when it runs."""
    from ..tasks import defer_pdf  # the task module imports this one

    pdf, created = VersionPdf.objects.select_for_update().get_or_create(
        revision=revision, defaults={"number": revision.number}
    )
    if not created:
        pdf.requested_at = timezone.now()
        pdf.attempts, pdf.error = 0, ""
        if pdf.status != Status.READY:
            pdf.status = Status.QUEUED
        pdf.save(update_fields=["requested_at", "attempts", "error", "status"])
    defer_pdf(revision.pk, at=at)


def remove_pdfs(briefing: Briefing) -> None:
    """An unpublished briefing keeps no file anywhere a reader could reach it (a public bucket, say).
    The rows are locked first, so a file a worker is storing now is known here and deleted too."""
    pdfs = VersionPdf.objects.filter(revision__briefing=briefing)
    names = [name for name in pdfs.select_for_update(of=("self",)).values_list("file", flat=True) if name]
    pdfs.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


@transaction.atomic
def start_making(revision_id: int) -> VersionPdf | None:
    """Mark the file as being made; None when there is nothing to make (the version was deleted)."""
    pdf = VersionPdf.objects.select_for_update().filter(revision_id=revision_id).first()
    if pdf is None:
        return None
    pdf.attempts += 1
    if pdf.status != Status.READY:
        pdf.status = Status.MAKING
    pdf.save(update_fields=["attempts", "status"])
    return pdf


@transaction.atomic
def store_pdf(revision_id: int, rendered: RenderedPdf) -> VersionPdf | None:
    """Write the file under the version's one name (replacing an earlier one) and mark it ready; nothing
    when the briefing was unpublished or withdrawn while it was drawn."""
    pdf = VersionPdf.objects.select_for_update().filter(revision_id=revision_id).first()
    if pdf is None:
        return None
    # Read after the lock, in a statement of its own: a row joined to the locked one would be as it was
    # before the wait, and miss a withdrawal committed meanwhile.
    pdf.revision = Revision.objects.select_related("briefing").get(pk=revision_id)
    if pdf.revision.briefing.is_withdrawn and not rendered.marks_withdrawal:
        return None  # drawn before the withdrawal: the job the withdrawal queued draws it marked
    stored_name = replace_file(pdf.file_name(), rendered.content)
    if pdf.file.name and pdf.file.name != stored_name:
        default_storage.delete(pdf.file.name)  # made under the briefing's earlier address
    pdf.file.name = stored_name
    pdf.size, pdf.pages, pdf.marks_withdrawal = len(rendered.content), rendered.pages, rendered.marks_withdrawal
    pdf.status, pdf.error, pdf.made_at = Status.READY, "", timezone.now()
    pdf.save(update_fields=["file", "size", "pages", "marks_withdrawal", "status", "error", "made_at"])
    freshness.public_content_changed([scopes.of_briefing(pdf.revision.briefing_id)])  # its pages now link the file
    return pdf


def replace_file(name: str, content: bytes) -> str:
    """Store the content under exactly this name: storages otherwise keep the old file and add a suffix."""
    default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


@transaction.atomic
def record_failure(revision_id: int, error: BaseException, *, will_retry: bool) -> None:
    """Keep the reason for staff; after the last try the file is shown to them as failed."""
    pdf = VersionPdf.objects.select_for_update().filter(revision_id=revision_id).first()
    if pdf is None:
        return
    pdf.error = f"{type(error).__name__}: {error}"[:2000]
    if pdf.status != Status.READY:
        pdf.status = Status.QUEUED if will_retry else Status.FAILED
    pdf.save(update_fields=["error", "status"])
