"""A published version's PDF: the file the worker made, under the same visibility rules as the page."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, HttpResponseNotModified
from django.shortcuts import render

from ..addresses import redirects_retired_slugs
from ..models import Briefing, Revision, VersionPdf
from .reading import answers_gone, published_briefing_or_gone, published_revision

# A reader who asked while the file is being made is asked to come back; the page refreshes itself.
RETRY_SECONDS = 10


@answers_gone
@redirects_retired_slugs(slug=Briefing)
def briefing_pdf(request, slug: str):
    """The current version's file: it changes with the next publication, so it is kept as briefly as a page."""
    briefing = published_briefing_or_gone(slug)
    return pdf_response(request, briefing, briefing.live_revision, max_age=settings.PUBLIC_MAX_AGE)


@answers_gone
@redirects_retired_slugs(slug=Briefing)
def briefing_version_pdf(request, slug: str, number: int):
    briefing = published_briefing_or_gone(slug)
    revision = published_revision(briefing, number)
    return pdf_response(request, briefing, revision, max_age=settings.PDF_MAX_AGE)


def pdf_response(request, briefing: Briefing, revision: Revision, *, max_age: int) -> HttpResponse:
    pdf = revision.asked_pdf()  # loaded with the revision: the briefing's and the version's queries join it
    if pdf is None or not pdf.serves(briefing):
        return not_ready(request, briefing, revision, pdf)
    etag = f'"{pdf.pk}-{pdf.made_at.timestamp():.0f}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = FileResponse(
            default_storage.open(pdf.file.name),
            content_type="application/pdf",
            filename=f"{briefing.slug}-v{revision.number}.pdf",
        )
        response["Content-Length"] = pdf.size
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


def not_ready(request, briefing: Briefing, revision: Revision, pdf: VersionPdf | None) -> HttpResponse:
    """Never made here. While the worker makes it: 202, as for any work accepted and not done, with a page
    that looks again shortly. Otherwise 503, come back later; readers are not told that a try failed
    (staff see that in the admin)."""
    being_made = pdf is not None and pdf.is_being_made
    revision.briefing = briefing
    context = {"briefing": briefing, "revision": revision, "being_made": being_made, "retry": RETRY_SECONDS}
    response = render(request, "briefings/pdf_not_ready.html", context, status=202 if being_made else 503)
    response["Retry-After"] = RETRY_SECONDS if being_made else 3600
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
