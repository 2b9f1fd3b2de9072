"""Template helpers for the public pages: structured data and page links."""

import json
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from briefings.images import srcset
from briefings.typography import typeset

register = template.Library()
register.filter("typeset", typeset)
register.filter("srcset", srcset)

# As in Django's json_script: these characters cannot end the <script> element early.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def briefing_json_ld(context) -> str:
    """schema.org Report data for a briefing page, in a <script type="application/ld+json"> element."""
    request, briefing, revision = context["request"], context["briefing"], context["revision"]
    absolute = request.build_absolute_uri
    data = {
        "@context": "https://schema.org",
        "@type": "Report",
        "headline": revision.title,
        "description": revision.standfirst,
        "url": absolute(revision.get_absolute_url()),
        "mainEntityOfPage": absolute(briefing.get_absolute_url()),
        "inLanguage": revision.language,
        "author": [person(author, absolute) for author in revision.authors],
        "datePublished": briefing.published_at.isoformat() if briefing.published_at else None,
        "dateModified": (briefing.updated_at or briefing.published_at).isoformat() if briefing.published_at else None,
        "about": [{"@type": "Thing", "name": theme.name} for theme in revision.themes.all()],
        "spatialCoverage": [{"@type": "Place", "name": region.name} for region in revision.regions.all()],
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute("/")},
        "version": str(revision.number),
        "wordCount": revision.word_count,
    }
    if revision.hero_image:
        data["image"] = absolute(revision.hero_image.url)
    data |= translations_json_ld(briefing, context.get("other_languages", []), context.get("original_url"))
    if revision.series:
        data["isPartOf"] = {
            "@type": "CreativeWorkSeries",
            "name": revision.series.title,
            "url": absolute(revision.series.get_absolute_url()),
        }
        if revision.part:
            data["position"] = revision.part
    return json_ld(data)


def translations_json_ld(briefing, other_languages: list[dict], original_url: str | None) -> dict:
    """schema.org links between a work's languages: a translation names its original, an original its
    translations (those readers may see)."""
    works = {other["url"]: {"@type": "Report", "url": other["url"], "inLanguage": other["language"]}
             for other in other_languages}  # fmt: skip
    if briefing.translation_of_id:
        return {"translationOfWork": works[original_url]} if original_url in works else {}
    return {"workTranslation": list(works.values())} if works else {}


def person(author, absolute) -> dict:
    """schema.org Person: the author's page, role and the profiles that identify them."""
    data = {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
    if author.role:
        data["jobTitle"] = author.role
    if author.photo:
        data["image"] = absolute(author.photo.url)
    if author.orcid or author.website:
        data["sameAs"] = [link for link in (author.orcid_url, author.website) if link]
    return data


@register.simple_tag(takes_context=True)
def author_json_ld(context, author) -> str:
    data = {"@context": "https://schema.org", **person(author, context["request"].build_absolute_uri)}
    if author.bio:
        data["description"] = author.bio
    return json_ld(data)


def json_ld(data: dict) -> str:
    payload = json.dumps({k: v for k, v in data.items() if v not in (None, "", [])}, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(payload.translate(JSON_SCRIPT_ESCAPES))
    )


def with_parameter(request, name: str, value, *, on_page_one: bool = True) -> str:
    """The current address with one query parameter set in its place (or, given None, taken away). A
    plain dict of the parameters: copying the request's QueryDict deep-copies it, for each of the dozens
    of links a page of search results has."""
    query = dict(request.GET.lists())
    if on_page_one:
        query.pop("page", None)
    if value:
        query[name] = [value]
    else:
        query.pop(name, None)
    return f"?{urlencode(query, doseq=True)}" if query else request.path


@register.simple_tag(takes_context=True)
def page_url(context, page_number) -> str:
    """The current address with another page number, keeping the other filters."""
    return with_parameter(context["request"], "page", page_number if page_number != 1 else None, on_page_one=False)


@register.simple_tag(takes_context=True)
def with_filter(context, name: str, value: str | None) -> str:
    """The current address filtered by name=value (or without that filter), back on page one."""
    return with_parameter(context["request"], name, value)
