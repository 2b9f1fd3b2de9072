"""Public pages kept in the cache while public content is unchanged, sent with validators and headers
fit for a CDN in front. Staff (anyone with a session) and the admin are never cached.

Views mark their pages public with `public_page`; the middleware, placed before the session and
authentication middleware, stores the pages of those views under the public content token (see freshness.py) and
answers later requests for them, or a 304, before any other work. A publish, a correction or a
scheduled go-live changes the token, so the very next request renders anew, whichever worker answers.
"""

from __future__ import annotations

import hashlib
import threading
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

from . import freshness, outage

SHAREABLE_STATUSES = {200, 301, 404, 410}


def public_page(view):
    """Mark the view's pages as the same for every reader, to be cached and shared."""

    @wraps(view)
    def marked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return view(request, *args, **kwargs)

    marked.is_public_page = True
    return marked


def is_public_page(request: HttpRequest) -> bool:
    try:
        return getattr(resolve(request.path_info).func, "is_public_page", False)
    except Resolver404:
        return False


def has_session(request: HttpRequest) -> bool:
    """Readers never log in: a session means staff, whose pages may differ and must not be shared."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.renderings: dict[str, threading.Lock] = {}
        self.renderings_lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not is_public_page(request):
            return self.get_response(request)
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
        key = freshness.cache_key(state, ("page", request.build_absolute_uri()))
        response = freshness.recall(key)
        if response is None:
            with self.rendering(key):  # readers arriving meanwhile wait for this rendering, not start their own
                response = freshness.recall(key)
                if response is None:
                    response = self.get_response(request)
                    with_public_headers(response, state)
                    if is_shareable(response):
                        response.content = response.content  # one piece: a feed is written in thousands
                        freshness.keep(key, response)
        return not_modified(request, response) or response

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
