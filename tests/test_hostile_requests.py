"""Hostile values in every path segment and query parameter of every address, generated from the URLconf:
none may cost a server error. Reproduces the report of fourteen anonymous inputs that answered 500."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from briefings.models import Region, Series
from tests.helpers import make_author, make_briefing, make_theme

pytestmark = pytest.mark.django_db

HOSTILE = [
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "99999999999999999999",
    "-99999999999999999999",
    "x" * 300,
    "'\"><script>alert(1)</script>",
    "../../../etc/passwd",
    "2024-13-45",
    "\u202e\ufffd\U0001f600",
    "%",
    "1e309",
]
# What each query parameter is sent: one value of each kind that has broken a parser.
HOSTILE_QUERY_VALUES = ["\x00", "-1", "99999999999999999999", "x" * 300, "2024-13-45", "'\"><script>alert(1)</script>"]
PUBLIC_PARAMETERS = ["q", "theme", "region", "author", "series", "year", "from", "to", "sort", "page"]
ADMIN_PARAMETERS = ["q", "o", "p", "page", "trail", "term", "published", "date", "status", "from", "to", "all", "e"]
ADMIN_AUTOCOMPLETE = {"app_label": "briefings", "model_name": "briefing", "field_name": "themes"}
SLUG = "cables"  # every tag and the briefing answer at it, so each path reaches its view's deeper work


def routes(resolver: URLResolver = None, prefix: str = "") -> list[tuple[str, dict]]:
    """Every route of the URLconf as (route string, converters), includes flattened."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = entry.pattern
        route = str(pattern) if isinstance(pattern, RoutePattern) else sample_regex(pattern.regex.pattern)
        converters = getattr(pattern, "converters", {})
        if isinstance(entry, URLResolver):
            for inner, inner_converters in routes(entry, prefix + route):
                found.append((inner, {**converters, **inner_converters}))
        elif isinstance(entry, URLPattern):
            found.append((prefix + route, converters))
    return found


def sample_regex(regex: str) -> str:
    """A plain route for the admin's few regex patterns (an app's index, its catch-all)."""
    route = re.sub(r"\(\?P<app_label>[^)]*\)", "briefings", regex)
    return re.sub(r"\(\?P<\w+>[^)]*\)", "nowhere/", route).strip("^$").replace("\\", "")


def fill(route: str, converters: dict, samples: dict, hostile: tuple[str, str] | None = None) -> str:
    def value(match: re.Match) -> str:
        name = match.group(2)
        if hostile and name == hostile[0]:
            return quote(hostile[1], safe="")
        return str(samples.get(name, SLUG))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def addresses(samples: dict, *, admin: bool) -> tuple[list[str], list[str]]:
    """Each route with valid values, and with each hostile value its converter lets through in each segment."""
    valid, hostile = [], []
    for route, converters in routes():
        if route.startswith("admin/") != admin:
            continue
        valid.append(fill(route, converters, samples))
        for name, converter in converters.items():
            hostile += [fill(route, converters, samples, (name, value)) for value in HOSTILE if fits(converter, value)]
    return valid, hostile


def fits(converter, value: str) -> bool:
    return re.fullmatch(converter.regex, value) is not None


@pytest.fixture
def world(settings):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    theme, author = make_theme("Cables"), make_author("Cables")
    theme.slug = author.slug = SLUG
    theme.save()
    author.save()
    region = Region.objects.create(name="Cables", slug=SLUG)
    series = Series.objects.create(title="Cables", slug=SLUG)
    briefing = make_briefing(
        title="Cables", themes=[theme], regions=[region], authors=[author], series=series, part=1, publish=True
    )
    return {
        "number": "1",
        "year": str(briefing.published_at.year),
        "month": str(briefing.published_at.month),
        "format": "atom",
        "section": "briefings",
        "path": "heroes/none.png",
        "token": "not-a-token",
        "pk": str(briefing.pk),
        "object_id": str(briefing.pk),
        "link_id": "1",
        "content_type_id": "1",
    }


def server_errors(client: Client, urls: list[str]) -> list[str]:
    failures = []
    for url in urls:
        status = client.get(url).status_code
        if status >= 500:
            failures.append(f"{status} {url!r}")
    return failures


def with_queries(urls: list[str], queries: list[dict]) -> list[str]:
    return [f"{url}?{urlencode(query)}" for url in urls for query in queries]


def test_no_hostile_value_in_a_public_address_answers_a_server_error(world):
    """Each query parameter alone takes each hostile value, the others valid, so no early 404 hides it."""
    valid, hostile = addresses(world, admin=False)
    queries = [{"q": "cables", name: value} for name in PUBLIC_PARAMETERS for value in HOSTILE_QUERY_VALUES]
    assert len(valid) > 25 and len(hostile) > 40
    reader = Client(raise_request_exception=False)
    assert server_errors(reader, valid + hostile + with_queries(valid, queries)) == []


def test_no_hostile_value_in_an_admin_address_answers_a_server_error(world):
    """Admin pages ignore parameters they do not know, so each hostile value goes into all of them at once."""
    valid, hostile = addresses(world, admin=True)
    queries = [ADMIN_AUTOCOMPLETE | dict.fromkeys(ADMIN_PARAMETERS, value) for value in HOSTILE_QUERY_VALUES]
    assert len(valid) > 60 and len(hostile) > 100
    staff = Client(raise_request_exception=False)
    staff.force_login(User.objects.create_superuser("root", password="pw-for-tests-1"))
    failures = server_errors(staff, valid + hostile + with_queries(valid, queries))
    assert failures == [], "\n".join(failure[:160] for failure in failures)


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=cables&theme=%00",
        "/search/?q=cables&author=%00",
        "/search/?q=cables&series=%00",
        "/themes/cables/?region=%00",
        "/regions/cables/?theme=%00",
        "/search/?q=cables&year=-1",
        "/search/?q=cables&year=99999999999999",
        "/archive/0/",
        "/archive/99999999999/",
        "/media/x%00.png",
        "/media/" + "x" * 300 + ".png",
        "/admin/autocomplete/?app_label=briefings&model_name=briefing&field_name=themes&term=%00",
    ],
)
def test_reported_hostile_requests_answer_400_or_404(world, url):
    assert Client(raise_request_exception=False).get(url).status_code in (400, 404)
