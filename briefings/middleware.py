"""Requests no page can answer are refused before any view reads them."""

from __future__ import annotations

from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation


class RejectNullBytesMiddleware:
    """A NUL byte in an address or a query string is never meaningful, and PostgreSQL and the file
    system refuse it deep inside a view: answer 400 at the door instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", "") or has_null_byte(request):
            return render(request, "400.html", {"message": "The address holds a character no page uses."}, status=400)
        return self.get_response(request)


def has_null_byte(request: HttpRequest) -> bool:
    """The query string, decoded: %00 becomes a NUL only once it is read."""
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than any form here sends (an image and a briefing's text) by its
    declared length, before a byte of it is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            limit = filesizeformat(settings.IMAGE_UPLOAD_MAX_BYTES)
            message = f"What you sent is too large: an image may be at most {limit}."
            return render(request, "400.html", {"message": message}, status=413)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """The site's two Content-Security-Policy headers, built once by django-csp: the public one, which
    allows no script at all, and the admin's, which adds Django's scripts and the Markdown editor's
    preview requests. (django-csp's own middleware builds the header anew for every response, which
    was a third of the cost of serving a cached page; nothing here uses a nonce.)"""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = reverse("admin:index")
        self.public_policy = build_policy()
        self.admin_policy = build_policy(update=settings.ADMIN_CONTENT_SECURITY_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if CSP_HEADER not in response:
            is_admin = request.path.startswith(self.admin_prefix)
            response[CSP_HEADER] = self.admin_policy if is_admin else self.public_policy
        return response


class AddressLanguageMiddleware:
    """The interface speaks the address's language: /fr/… is French, an address without a prefix the
    site's own language. Never the browser's preference: each address is one page, which caches share.
    A briefing's own pages then speak the briefing's language (briefings.views.reading)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        with translation.override(language):
            return self.get_response(request)
