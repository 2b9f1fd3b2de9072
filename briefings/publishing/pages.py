"""Making pages ahead of readers (briefings.models.pages): each briefing's, its versions', its lists' and
the pages showing the whole site (the home page, say).

After each change of public content the task queue forgets the kept pages that change made stale and
makes every missing one again, a batch at a time (`keep`); the same task runs every few minutes, so the
pages of a new release, or those a scheduled briefing changed by going live, are made without a change.
A page is rendered exactly as a reader's request would render it (the whole middleware, the site's own
address), and kept with what it read; readers are never served one that has changed since (see
briefings.pages), so a page made late or not at all costs time, never correctness.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Now
from django.http import HttpResponse
from django.urls import reverse

from .. import freshness, scopes
from ..caching import is_shareable
from ..models import Author, Briefing, ContentScope, KeptPage, Listing, Region, Series, StateChange, Theme
from ..pages import headers_to_keep

BATCH = 50  # briefings, each with its page and its versions' pages


class Page(NamedTuple):
    path: str
    briefing: int | None = None  # a briefing's page or a version's; else a list's
    version: int | None = None


@cache
def handler() -> WSGIHandler:
    return WSGIHandler()


def render(path: str) -> tuple[scopes.Rendering | None, HttpResponse]:
    """The public page at `path` as a reader at the site's own address gets it, and what it read (None
    if it did not reach the page cache: refused or redirected on the way)."""
    site = urlsplit(settings.SITE_URL)
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": site.scheme, "HTTP_HOST": site.netloc, "SERVER_NAME": site.hostname or "",
        "SERVER_PORT": str(site.port or (443 if site.scheme == "https" else 80)),
    }  # fmt: skip
    if settings.SECURE_PROXY_SSL_HEADER and site.scheme == "https":  # as the TLS proxy in front says
        header, value = settings.SECURE_PROXY_SSL_HEADER
        environ[header] = value
    request = WSGIRequest(environ)
    request.making_page = True  # briefings.caching renders it afresh and hands back what it read
    response = handler().get_response(request)
    return getattr(request, "made_page", (None, response))


def seen_versions() -> QuerySet:
    """Each publication readers have seen take effect: the versions that have pages."""
    return StateChange.objects.publications().filter(effective_at__lte=Now())


def of_briefings(briefing_ids: Iterable[int]) -> list[Page]:
    """The pages of these briefings, if published: theirs and each published version's."""
    published = Briefing.objects.published().filter(pk__in=list(briefing_ids))
    pages = [Page(briefing.get_absolute_url(), briefing.pk) for briefing in published.only("slug")]
    versions = seen_versions().filter(briefing__in=published)
    for briefing_id, slug, number in versions.values_list("briefing_id", "briefing__slug", "revision__number"):
        path = reverse("briefings:briefing-version", kwargs={"slug": slug, "number": number})
        pages.append(Page(path, briefing_id, number))
    return pages


def of_lists() -> list[Page]:
    """Every list a reader can walk to: the home page, the feeds of every briefing and of corrections and
    the sitemap index, each theme's, region's, author's and series' page, the feeds of those three, and
    each archive year and month."""
    paths = [reverse("briefings:home"), reverse("sitemap")]
    for name in ("feed", "corrections-feed"):
        paths += [reverse(f"briefings:{name}", args=[format]) for format in ("atom", "rss")]
    for model, name in ((Theme, "theme"), (Region, "region"), (Author, "author")):
        for slug in (tag.slug for tag in model.objects.counted()):
            paths.append(reverse(f"briefings:{name}-detail", args=[slug]))
            paths += [reverse(f"briefings:{name}-feed", args=[slug, format]) for format in ("atom", "rss")]
    paths += [series.get_absolute_url() for series in Series.objects.counted()]
    listed = Briefing.objects.listed()
    paths += [reverse("briefings:archive-year", args=[year.year]) for year in listed.dates("published_at", "year")]
    for month in listed.dates("published_at", "month"):
        paths.append(reverse("briefings:archive-month", args=[month.year, month.month]))
    return [Page(path) for path in paths]


def make(pages: Iterable[Page]) -> int:
    """Make and keep these pages; returns how many were kept."""
    kept = []
    for page in pages:
        rendering, response = render(page.path)
        if rendering and rendering.scopes and response.status_code == 200 and is_shareable(response):
            kept.append(KeptPage(
                release=freshness.RELEASE, path=page.path, briefing_id=page.briefing, version=page.version,
                made_in=rendering.number, latest_live_at=rendering.latest_live_at,
                scopes=sorted(rendering.scopes | {scopes.EVERYTHING}), status=response.status_code,
                headers=headers_to_keep(response), body=response.content,
            ))  # fmt: skip
    KeptPage.objects.bulk_create(
        kept, update_conflicts=True, unique_fields=["release", "path"],
        update_fields=["briefing", "version", "made_in", "latest_live_at", "scopes", "status", "headers", "body",
                       "made_at"],
    )  # fmt: skip
    return len(kept)


def make_briefings(briefing_ids: Iterable[int]) -> int:
    return make(of_briefings(briefing_ids))


def forget_changed(names: list[str]) -> int:
    """Forget the kept pages that read one of these scopes before its last change."""
    table, scope_table = KeptPage._meta.db_table, ContentScope._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} page WHERE page.scopes && %s::varchar[] AND EXISTS ("
            f" SELECT 1 FROM {scope_table} scope WHERE scope.name = ANY(%s::varchar[])"
            f" AND scope.name = ANY(page.scopes) AND scope.number > page.made_in)",
            [names, names],
        )
        return cursor.rowcount


def forget_gone_live(since: datetime) -> int:
    """Forget the kept pages made before a briefing in their scopes went live at its scheduled time."""
    forgotten = 0
    for listing in Listing.objects.filter(published_at__gt=since, published_at__lte=Now()):
        names = scopes.of_listing(listing.kind, listing.tag, listing.briefing_id, listing.published_at)
        made_before = KeptPage.objects.filter(scopes__overlap=sorted(names), latest_live_at__lt=listing.published_at)
        forgotten += made_before.delete()[0]
    return forgotten


def forget_other_releases() -> int:
    return KeptPage.objects.exclude(release=freshness.RELEASE).delete()[0]


def everything_changed_in() -> int:
    """The version in which everything last changed (a tag renamed, say): pages made before are outdated."""
    return ContentScope.objects.filter(name=scopes.EVERYTHING).values_list("number", flat=True).first() or 0


def missing(before: int | None = None) -> list[int]:
    """A batch of published briefings, newest first (below `before`), with a page or a published
    version's page not kept, or kept from before everything last changed."""
    kept = KeptPage.objects.filter(release=freshness.RELEASE, made_in__gte=everything_changed_in())
    unkept_versions = (
        seen_versions()
        .filter(briefing=OuterRef("pk"))
        .exclude(Exists(kept.filter(briefing=OuterRef("briefing"), version=OuterRef("revision__number"))))
    )
    unkept_page = ~Exists(kept.filter(briefing=OuterRef("pk"), version__isnull=True))
    waiting = Briefing.objects.published().filter(unkept_page | Q(Exists(unkept_versions)))
    if before is not None:
        waiting = waiting.filter(pk__lt=before)
    return list(waiting.order_by("-pk").values_list("pk", flat=True)[:BATCH])


def missing_lists() -> list[Page]:
    kept = KeptPage.objects.filter(release=freshness.RELEASE, briefing=None, made_in__gte=everything_changed_in())
    made = set(kept.values_list("path", flat=True))
    return [page for page in of_lists() if page.path not in made]


def keep(*, seconds: float) -> bool:
    """Make the missing list pages, then briefings' pages for about `seconds`, each page once (one that
    cannot be kept, a 404 say, is not tried again); returns whether some remain."""
    forget_other_releases()
    make(missing_lists())
    started, before = time.monotonic(), None
    while time.monotonic() - started < seconds:
        waiting = missing(before)
        if not waiting:
            return False
        make_briefings(waiting)
        before = waiting[-1]
    return True
