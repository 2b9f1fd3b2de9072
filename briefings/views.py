"""Public pages. Every query starts from `Briefing.objects.published()`; drafts never reach a reader."""

from django.db.models import Prefetch
from django.http import Http404
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


def home(request):
    briefings = Briefing.objects.published().for_listing()[:20]
    return render(request, "briefings/home.html", {"briefings": briefings})
