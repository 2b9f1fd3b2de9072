from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation

from . import languages

# Query parameters that make a different page (facets and pagination); anything else is the same page.
CANONICAL_PARAMETERS = ("theme", "region", "page")


def site(request) -> dict:
    kept = [(name, request.GET[name]) for name in CANONICAL_PARAMETERS if request.GET.get(name)]
    query = urlencode([(name, value) for name, value in kept if (name, value) != ("page", "1")])
    canonical = request.build_absolute_uri(request.path) + (f"?{query}" if query else "")
    return {"site_name": settings.SITE_NAME, "canonical_url": canonical, "interfaces": interfaces(request)}


def interfaces(request) -> list[dict]:
    """The site in each other language: this page's address in it where it has one (a list, a search),
    else its home page (a briefing's page speaks the briefing's language; its translations are linked)."""
    chosen = [(name, value) for name, value in request.GET.items() if name != "page"]  # their own pages
    here = request.path + (f"?{urlencode(chosen)}" if chosen else "")
    found = []
    for code in languages.codes():
        if code == translation.get_language():
            continue
        address = translate_url(here, code)
        if address == here:
            with translation.override(code):
                address = reverse("briefings:home")
        found.append({"language": code, "name": languages.local_name(code), "url": address})
    return found
