"""Public pages kept in the cache while public content is unchanged, sent with validators and headers
fit for a CDN in front. Staff (anyone with a session) and the admin are never cached.

A page is stored under the public content token (see freshness.py), so a publish, a correction or a
scheduled go-live is seen by the very next request, whichever worker answers it.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_cache_control
from django.utils.http import http_date

from . import freshness

SHAREABLE_STATUSES = {200, 301, 404, 410}


def has_session(request: HttpRequest) -> bool:
    """Readers never log in: a session means staff, whose pages may differ and must not be shared."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def public_page(view):
    """Serve the view's page from the cache while public content is unchanged; answer 304 when the
    reader already has it."""

    @wraps(view)
    def serve(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if has_session(request):
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response
        state = freshness.public_state()
        etag = f'W/"{hashlib.sha256(state.token.encode()).hexdigest()[:24]}"'
        last_modified = int(state.changed_at.timestamp()) if state.changed_at else None  # HTTP dates are whole seconds
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = cached_response(request, state, lambda: view(request, *args, **kwargs))
        return with_public_headers(response, etag, last_modified)

    return serve


def cached_response(request: HttpRequest, state: freshness.PublicState, render) -> HttpResponse:
    key = "page:" + hashlib.sha256(f"{state.token} {request.build_absolute_uri()}".encode()).hexdigest()
    response = cache.get(key)
    if response is None:
        response = render()
        if hasattr(response, "render"):
            response.render()
        if is_shareable(response):
            cache.set(key, response, freshness.KEEP_SECONDS)
    return response


def is_shareable(response: HttpResponse) -> bool:
    return (
        response.status_code in SHAREABLE_STATUSES
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
    )


def with_public_headers(response: HttpResponse, etag: str, last_modified: int | None) -> HttpResponse:
    if "private" in response.get("Cache-Control", ""):
        return response
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PUBLIC_MAX_AGE,
        s_maxage=settings.PUBLIC_S_MAXAGE,
        stale_while_revalidate=settings.PUBLIC_STALE_WHILE_REVALIDATE,
    )
    return response
