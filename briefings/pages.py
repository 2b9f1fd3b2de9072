"""Serving the pages made ahead of readers (briefings.models.pages): briefings', versions' and lists'.

A crawler walking the archive asks for pages nobody asked for since the last change; rendering each
costs tens of milliseconds, reading one made ahead costs a query. A kept page is served only if no
scope it read has changed since it was made and no briefing in those scopes has gone live since: checked
by this process's log of changes (briefings.scopes.ScopeLog, as for pages kept in memory) where it reaches
back far enough, else by a query.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from . import freshness, scopes
from .models import KeptPage
from .models.pages import MOST_GO_LIVES_CHECKED

# Set afresh for each reader (briefings.caching.with_public_headers), never kept.
READER_HEADERS = frozenset({"etag", "last-modified", "cache-control", "expires"})


def site() -> tuple[str, str]:
    address = urlsplit(settings.SITE_URL)
    return address.scheme, address.netloc


def is_for(request: HttpRequest) -> bool:
    """Whether a page made ahead answers the request: one for the site's own address, the one pages are
    made for (absolute addresses on a page, its canonical link say, are the request's), without a query."""
    return not request.META.get("QUERY_STRING") and (request.scheme, request.get_host()) == site()


def recall(path: str, state: freshness.PublicState) -> tuple[scopes.Rendering, HttpResponse] | None:
    """The page made ahead at `path`, if it shows what readers may see in `state`."""
    page = KeptPage.objects.at(freshness.RELEASE, path)
    if page is None:
        return None
    made = scopes.Rendering(page.made_in, page.latest_live_at, frozenset(page.scopes))
    if not freshness.is_current(made, state) and not is_still_current(page, state):
        return None
    response = HttpResponse(page.body, status=page.status)
    for name, value in page.headers.items():
        response[name] = value
    response["Content-Length"] = len(page.body)  # the body's own, whatever was kept beside it
    return scopes.Rendering(state.number, state.latest_live_at, made.scopes), response  # current as of now


def is_still_current(page: KeptPage, state: freshness.PublicState) -> bool:
    """Asked of the database when this process's log of changes does not reach back to when the page was
    made (or says it changed): whether no scope it read changed since, and no briefing it may show went
    live since."""
    gone_live = KeptPage.objects.gone_live(page, state.latest_live_at)
    if gone_live is None or len(gone_live) > MOST_GO_LIVES_CHECKED:
        return False
    read = frozenset(page.scopes)
    return not any(
        scopes.of_listing(kind, tag, briefing, datetime.fromisoformat(at)) & read
        for at, kind, tag, briefing in gone_live
    )


def headers_to_keep(response: HttpResponse) -> dict[str, str]:
    return {name: value for name, value in response.items() if name.lower() not in READER_HEADERS}
