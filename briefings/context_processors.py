from urllib.parse import urlencode

from django.conf import settings

# Query parameters that make a different page (facets and pagination); anything else is the same page.
CANONICAL_PARAMETERS = ("theme", "region", "page")


def site(request) -> dict:
    kept = [(name, request.GET[name]) for name in CANONICAL_PARAMETERS if request.GET.get(name)]
    query = urlencode([(name, value) for name, value in kept if (name, value) != ("page", "1")])
    canonical = request.build_absolute_uri(request.path) + (f"?{query}" if query else "")
    return {"site_name": settings.SITE_NAME, "canonical_url": canonical}
