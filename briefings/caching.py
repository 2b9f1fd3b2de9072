"""Public pages kept in the cache while public content is unchanged, sent with validators and headers
fit for a CDN in front. Staff (anyone with a session) and the admin are never cached.

Views mark their pages public with `public_page`; the middleware, placed before the session and
authentication middleware, keeps the pages of those views with the public content version they were
rendered in, and answers later requests for them, or a 304, before any other work. A shared page is
rendered anew after any publish, correction or scheduled go-live; a scoped one only after a change of
what it showed (briefings/scopes.py). Either way the very next request after such a change gets the
new page, whichever worker answers.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

from . import freshness, outage, pages, scopes

SHAREABLE_STATUSES = {200, 301, 404, 410}
MOST_SERVED_ONCE = 10_000  # pages made ahead this process remembers serving once (a bound on memory)


SHARED, SCOPED, MADE_AHEAD = "shared", "scoped", "made ahead"


def public_page(view, *, scoped: bool = False, made_ahead: bool = False):
    """Mark the view's pages as the same for every reader, to be cached and shared. A `scoped` view says
    what its page shows (briefings.scopes.depends_on), and the page is kept until that changes; pages
    `made_ahead` are scoped pages that briefings.publishing.pages makes before readers ask."""

    @wraps(view)
    def marked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return view(request, *args, **kwargs)

    marked.public_page = MADE_AHEAD if made_ahead else SCOPED if scoped else SHARED
    return marked


def public_page_kind(request: HttpRequest) -> str | None:
    """The kind of public page asked for (scoped or shared), or None for any other page."""
    try:
        return getattr(resolve(request.path_info).func, "public_page", None)
    except Resolver404:
        return None


def has_session(request: HttpRequest) -> bool:
    """Readers never log in: a session means staff, whose pages may differ and must not be shared."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.renderings: dict[str, threading.Lock] = {}
        self.renderings_lock = threading.Lock()
        self.served_once: OrderedDict[str, bool] = OrderedDict()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        kind = public_page_kind(request) if request.method in ("GET", "HEAD") else None
        if kind is None:
            return self.get_response(request)
        if getattr(request, "making_page", False):
            request.made_page = self.render(request, freshness.public_state(), is_scoped=kind != SHARED)
            return request.made_page[1]
        if has_session(request):
            response = self.get_response(request)
            add_never_cache_headers(response)
            return response
        try:
            state = freshness.public_state()
        except (DatabaseError, outage.DatabaseUnavailable) as error:
            if not outage.is_unavailable(error):
                raise
            return self.get_response(request)  # nothing cached is known yet: the outage middleware answers
        key = freshness.page_key(request.build_absolute_uri())
        kept = self.current(key, state)
        if kept is None:
            with self.rendering(key):  # readers arriving meanwhile wait for this rendering, not start their own
                kept = self.current(key, state) or self.made_ahead(request, state, kind, key)
                if kept is None:
                    kept = self.render(request, state, is_scoped=kind != SHARED)
                    if is_shareable(kept[1]):
                        freshness.keep(key, kept)
        response = kept[1]
        return not_modified(request, response) or response

    @staticmethod
    def current(key: str, state: freshness.PublicState) -> tuple[scopes.Rendering, HttpResponse] | None:
        kept = freshness.recall(key)
        return kept if kept is not None and freshness.is_current(kept[0], state) else None

    def made_ahead(self, request, state, kind: str, key: str) -> tuple[scopes.Rendering, HttpResponse] | None:
        """The page made ahead of readers, if there is a current one; kept in this process too."""
        if kind != MADE_AHEAD or outage.BREAKER.is_open() or not pages.is_for(request):
            return None
        try:
            kept = pages.recall(request.path, state)
        except DatabaseError as error:
            if not outage.is_unavailable(error):
                raise
            outage.BREAKER.failed(error)
            return None  # rendering it fails the same way: the outage middleware answers
        if kept is not None:
            with_public_headers(kept[1], state)
            if self.asked_before(key):
                freshness.keep(key, kept)
        return kept

    def asked_before(self, key: str) -> bool:
        """Whether this process served the page made ahead before: kept in the cache only on a second ask,
        so that a crawler's walk through the archive does not push the popular pages out."""
        with self.renderings_lock:
            if self.served_once.pop(key, False):
                return True
            self.served_once[key] = True
            if len(self.served_once) > MOST_SERVED_ONCE:
                self.served_once.popitem(last=False)
            return False

    def render(self, request, state, *, is_scoped: bool) -> tuple[scopes.Rendering, HttpResponse]:
        """The page, and what it read. A scoped page that says it read nothing (a page that does not
        exist, say) is shared: anything may change it."""
        with scopes.recording() as read:
            response = self.get_response(request)
        with_public_headers(response, state)
        if not response.streaming:
            response.content = response.content  # one piece: a feed is written in thousands
        scoped = frozenset(read) if is_scoped and read else None
        return scopes.Rendering(state.number, state.latest_live_at, scoped), response

    @contextmanager
    def rendering(self, key: str):
        """One rendering of a page at a time in this process: a popular page that has just changed is
        rendered once, not once per waiting reader."""
        with self.renderings_lock:
            lock = self.renderings.setdefault(key, threading.Lock())
        with lock:
            yield
        with self.renderings_lock:
            if self.renderings.get(key) is lock and not lock.locked():
                del self.renderings[key]


def is_shareable(response: HttpResponse) -> bool:
    return (
        response.status_code in SHAREABLE_STATUSES
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
    )


def with_public_headers(response: HttpResponse, state: freshness.PublicState) -> None:
    if "private" in response.get("Cache-Control", ""):
        return
    response["ETag"] = f'W/"{hashlib.sha256(state.token.encode()).hexdigest()[:24]}"'
    if state.changed_at:
        response["Last-Modified"] = http_date(int(state.changed_at.timestamp()))  # whole seconds
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PUBLIC_MAX_AGE,
        s_maxage=settings.PUBLIC_S_MAXAGE,
        stale_while_revalidate=settings.PUBLIC_STALE_WHILE_REVALIDATE,
        stale_if_error=settings.PUBLIC_STALE_IF_ERROR,
    )


def not_modified(request: HttpRequest, response: HttpResponse) -> HttpResponse | None:
    """A 304 with the page's validators and caching headers, when the reader already has this page."""
    if response.status_code != 200 or not response.has_header("ETag"):
        return None
    last_modified = response.get("Last-Modified")
    unchanged = get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=parse_http_date_safe(last_modified) if last_modified else None,
    )
    if unchanged is None:
        return None
    for header in ("ETag", "Last-Modified", "Cache-Control", "Vary"):
        if response.has_header(header):
            unchanged[header] = response[header]
    return unchanged
