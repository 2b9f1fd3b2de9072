"""Public pages. Every query starts from `Briefing.objects.published()`; drafts never reach a reader."""

from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import publishing
from .models import Briefing, Revision, RevisionAuthor


def live_revision_context(briefing: Briefing, revision: Revision) -> dict:
    return {"briefing": briefing, "revision": revision}


def briefing_detail(request, slug: str):
    briefing = Briefing.objects.published().for_listing().filter(slug=slug).first()
    if briefing is None:
        if Briefing.objects.gone().filter(slug=slug).exists():
            return render(request, "briefings/gone.html", status=410)
        raise Http404("No published briefing at this address.")
    return render(request, "briefings/briefing_detail.html", live_revision_context(briefing, briefing.live_revision))


@never_cache
def preview(request, token: str):
    """A reviewer's view of the latest draft, through a signed link that expires and can be revoked."""
    link = publishing.find_preview(token)
    if link is None:
        return render(request, "briefings/preview_expired.html", status=404)
    briefing = link.briefing
    revision = (
        Revision.objects.select_related("series")
        .prefetch_related("themes", "regions", Prefetch("byline", RevisionAuthor.objects.select_related("author")))
        .get(pk=briefing.latest_revision_id)
    )
    context = live_revision_context(briefing, revision) | {"is_preview": True, "preview_link": link}
    response = render(request, "briefings/briefing_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# Only what images.py writes is ever served from the media folder, with a type fixed by its extension.
MEDIA_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def media_file(request, path: str):
    """Serve an uploaded image. Names are generated and never reused, so the file can be cached for good."""
    root = Path(settings.MEDIA_ROOT).resolve()
    file_path = (root / path).resolve()
    content_type = MEDIA_TYPES.get(file_path.suffix.lower())
    if content_type is None or not file_path.is_relative_to(root) or not file_path.is_file():
        raise Http404("No such image.")
    response = FileResponse(file_path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def home(request):
    briefings = Briefing.objects.published().for_listing()[:20]
    return render(request, "briefings/home.html", {"briefings": briefings})
