"""The sitemaps, listed by sitemap.xml: every published briefing (withdrawn ones too: their pages stay)
and the PDF of each one's current version, a sitemap for each month of first publication, and every tag
page that lists some.

A month's sitemap is a short range of an index however large the archive, and it changes only when one
of its briefings does, so the index's dates tell a crawler which months to read again.
"""

from collections import namedtuple
from datetime import date
from html import escape

from django.conf import settings
from django.db import connection
from django.db.models import CharField
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from . import scopes
from .models import Author, Briefing, Listing, Region, Series, Theme


class MonthConverter:
    """A month in an address, written YYYY-MM, given to the view as its first day."""

    regex = "[0-9]{4}-(?:0[1-9]|1[0-2])"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(f"{value}-01")

    def to_url(self, value: date) -> str:
        return f"{value.year:04}-{value.month:02}"


BriefingRow = namedtuple("BriefingRow", "slug day languages")


class BriefingSitemap:
    """Rows of (slug, last change), not briefings: a month lists hundreds of them."""

    changefreq = "monthly"

    def items(self, month: date) -> list[BriefingRow]:
        published = Briefing.objects.published().first_published_in(month)
        published = published.annotate(day=as_day(Coalesce("updated_at", "published_at")))
        rows = published.order_by("published_at", "slug").values_list("pk", "translation_of", "slug", "day")
        rows = [(original or pk, slug, day) for pk, original, slug, day in rows]
        works = Briefing.objects.published().languages_of_works({original for original, _, _ in rows})
        return [BriefingRow(slug, day, works.get(original, [])) for original, slug, day in rows]

    @cached_property
    def address(self) -> str:
        """The path before a briefing's slug, reversed once rather than for each briefing."""
        return reverse("briefings:briefing-detail", args=["slug"]).removesuffix("slug/")

    def location(self, row) -> str:
        return f"{self.address}{row.slug}/"  # slugs need no quoting


# The files readers get of a month's briefings: each briefing's current version's PDF once made (after a
# withdrawal, the one made since). The planner would hash the whole table of PDFs to find a few hundred;
# the LIMIT keeps it a probe of an index for each briefing instead, four times quicker at 100,000.
PDFS_SQL = """
    SELECT briefing.slug, pdf.number, (pdf.made_at AT TIME ZONE %(zone)s)::date::text
    FROM briefings_briefing briefing
    CROSS JOIN LATERAL (
        SELECT number, made_at, marks_withdrawal FROM briefings_versionpdf
        WHERE revision_id = briefing.live_revision_id AND status = 'ready' LIMIT 1
    ) pdf
    WHERE briefing.status = 'published' AND briefing.published_at <= STATEMENT_TIMESTAMP()
        AND briefing.published_at >= %(start)s AND briefing.published_at < %(end)s
        AND (briefing.withdrawn_at IS NULL OR pdf.marks_withdrawal)
    ORDER BY briefing.published_at, briefing.slug
"""
PdfRow = namedtuple("PdfRow", ["slug", "number", "day"])


class PdfSitemap:
    """Each briefing's current version as a PDF, once made: search engines index papers by their files."""

    changefreq = "yearly"

    def items(self, month: date) -> list[PdfRow]:
        start, end = Briefing.objects.month_bounds(month)
        with connection.cursor() as cursor:
            cursor.execute(PDFS_SQL, {"zone": settings.TIME_ZONE, "start": start, "end": end})
            return [PdfRow(*row) for row in cursor.fetchall()]

    @cached_property
    def address(self) -> str:
        """The path around a slug and a version number, reversed once."""
        return reverse("briefings:briefing-version-pdf", args=["slug", 1])

    def location(self, row: PdfRow) -> str:
        return self.address.replace("/slug/v/1/", f"/{row.slug}/v/{row.number}/")


MONTHLY = {"briefings": BriefingSitemap, "pdfs": PdfSitemap}


class TagSitemap:
    """A tag page changes whenever a briefing is published in it."""

    changefreq = "weekly"
    model = None

    @cached_property
    def tags(self) -> list:
        """Tags are few: one query for them all, kept for the index's lastmod and the page."""
        return self.model.objects.with_latest_publication().order_by("pk").counted()


class ThemeSitemap(TagSitemap):
    model = Theme


class RegionSitemap(TagSitemap):
    model = Region


class AuthorSitemap(TagSitemap):
    model = Author


class SeriesSitemap(TagSitemap):
    model = Series


TAGS = {"themes": ThemeSitemap, "regions": RegionSitemap, "authors": AuthorSitemap, "series": SeriesSitemap}


def as_day(moment) -> Cast:
    """A moment as its day in the site's time zone, written YYYY-MM-DD by the database."""
    return Cast(TruncDate(moment, tzinfo=timezone.get_current_timezone()), CharField())


SITEMAP_INDEX = '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
URLSET_WITH_ALTERNATES = (
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)


def xml(opening: str, lines: list[str]) -> HttpResponse:
    """A sitemap document written out directly: Django's sitemap views render each entry through a
    template and a date filter, about a second for 5,000, where this takes a few milliseconds."""
    closing = opening.split()[0].replace("<", "</") + ">\n"
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n{opening}{"".join(lines)}{closing}'
    response = HttpResponse(body, content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"  # as Django's own sitemap views say
    return response


def site(request) -> str:
    return escape(f"{request.scheme}://{request.get_host()}")  # addresses are made of slugs, safe as they are


def index(request) -> HttpResponse:
    """Every month's briefings and PDFs (the briefings' with the month's newest change), then each kind of tag."""
    scopes.depends_on(scopes.SITE)
    lines, origin = [], site(request)
    briefings, pdfs = (month_address(section) for section in MONTHLY)
    for month, latest in Briefing.objects.months_published():
        lines.append(f"<sitemap><loc>{origin}{briefings(month)}</loc><lastmod>{w3c(latest)}</lastmod></sitemap>\n")
        lines.append(f"<sitemap><loc>{origin}{pdfs(month)}</loc></sitemap>\n")
    newest = Listing.objects.newest_of_kinds([sitemap.model.list_kind for sitemap in TAGS.values()])
    for section, sitemap in TAGS.items():
        latest = newest.get(sitemap.model.list_kind)
        modified = f"<lastmod>{w3c(latest)}</lastmod>" if latest else ""
        address = reverse("sitemap-section", kwargs={"section": section})
        lines.append(f"<sitemap><loc>{origin}{address}</loc>{modified}</sitemap>\n")
    return xml(SITEMAP_INDEX, lines)


def month_address(section: str):
    """The address of a section's sitemap for a month, reversed once rather than for each of hundreds."""
    written, placeholder = MonthConverter().to_url, date(2000, 1, 1)
    address = reverse("sitemap-month", kwargs={"section": section, "month": placeholder})
    return lambda month: address.replace(written(placeholder), written(month))


def w3c(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def month_section(request, section: str, month: date) -> HttpResponse:
    """The briefings, or their PDFs, first published in a month."""
    if section not in MONTHLY or not Briefing.objects.published().first_published_in(month).exists():
        raise Http404("No such sitemap.")
    sitemap, origin = MONTHLY[section](), site(request)
    lines = [
        f"<url><loc>{origin}{sitemap.location(row)}</loc>{alternates(sitemap, origin, row)}<lastmod>{row.day}</lastmod>"
        f"<changefreq>{sitemap.changefreq}</changefreq></url>\n"
        for row in sitemap.items(month)
    ]
    return xml(URLSET_WITH_ALTERNATES, lines)


def alternates(sitemap, origin: str, row) -> str:
    """A briefing's page in each language of its work readers may see, itself included (none if it has
    only the one); a PDF has none."""
    return "".join(
        f'<xhtml:link rel="alternate" hreflang="{language}" href="{origin}{sitemap.address}{slug}/"/>'
        for language, slug in getattr(row, "languages", [])
    )


def tag_section(request, section: str) -> HttpResponse:
    """Every tag page of a kind that lists some briefing."""
    if section not in TAGS:
        raise Http404("No such sitemap.")
    sitemap, origin = TAGS[section](), site(request)
    lines = [
        f"<url><loc>{origin}{tag.get_absolute_url()}</loc>"
        f"<lastmod>{timezone.localdate(tag.latest).isoformat()}</lastmod>"
        f"<changefreq>{sitemap.changefreq}</changefreq></url>\n"
        for tag in sitemap.tags
    ]
    return xml(URLSET, lines)
