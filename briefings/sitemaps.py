"""The sitemaps, listed by sitemap.xml: every published briefing (withdrawn ones too: their pages stay), in
pages of 5,000, the PDF of each one's current version, and every tag page that lists some."""

from html import escape

from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import CharField, Max, Q
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from .models import Author, Briefing, Region, Series, Tally, Theme, VersionPdf
from .models.listings import Kind


class BriefingSitemap(Sitemap):
    """Rows of (slug, last change), not briefings: a page lists 5,000 of them."""

    changefreq = "monthly"
    limit = 5000

    def items(self):
        published = Briefing.objects.published().annotate(day=as_day(Coalesce("updated_at", "published_at")))
        return published.order_by("-published_at").values_list("slug", "day", named=True)

    @cached_property
    def address(self) -> str:
        """The path before a briefing's slug, reversed once rather than for each of 5,000 briefings."""
        return reverse("briefings:briefing-detail", args=["slug"]).removesuffix("slug/")

    def location(self, row) -> str:
        return f"{self.address}{row.slug}/"  # slugs need no quoting

    def day(self, row) -> str:
        return row.day

    @property
    def paginator(self) -> Paginator:
        """Counted from the kept count of listed briefings and the few withdrawn ones, not row by row."""
        pages = Paginator(self._items(), self.limit)
        withdrawn = Briefing.objects.published().filter(withdrawn_at__isnull=False).count()
        pages.count = Tally.objects.count_of(Kind.ALL) + withdrawn
        return pages

    def get_latest_lastmod(self):
        """For the index: the newest first publication or update, each the first entry of an index."""
        published = Briefing.objects.published()
        newest = published.order_by("-published_at").values_list("published_at", flat=True).first()
        updated = (
            published.filter(updated_at__isnull=False).order_by("-updated_at").values_list("updated_at", flat=True)
        )
        return max(filter(None, (newest, updated.first())), default=None)


class PdfSitemap(Sitemap):
    """Each briefing's current version as a PDF, once made: search engines index papers by their files."""

    changefreq = "yearly"
    limit = 5000

    def readable(self):
        briefings = Briefing.objects.published().filter(live_revision__pdf__status=VersionPdf.Status.READY)
        return briefings.filter(Q(withdrawn_at__isnull=True) | Q(live_revision__pdf__marks_withdrawal=True))

    def items(self):
        rows = self.readable().annotate(day=as_day("live_revision__pdf__made_at")).order_by("-published_at")
        return rows.values_list("slug", "live_revision__number", "day", named=True)

    @cached_property
    def address(self) -> str:
        """The path around a slug and a version number, reversed once."""
        return reverse("briefings:briefing-version-pdf", args=["slug", 1])

    def location(self, row) -> str:
        return self.address.replace("/slug/v/1/", f"/{row.slug}/v/{row.live_revision__number}/")

    def day(self, row) -> str:
        return row.day

    def get_latest_lastmod(self):
        return self.readable().aggregate(latest=Max("live_revision__pdf__made_at"))["latest"]


class TagSitemap(Sitemap):
    """A tag page changes whenever a briefing is published in it."""

    changefreq = "weekly"
    model = None

    def items(self):
        return self.tags

    @cached_property
    def tags(self) -> list:
        """Tags are few: one query for them all, kept for the index's lastmod and the page, rather than a
        count and a LIMITed query the planner runs far slower than the whole."""
        return self.model.objects.with_latest_publication().order_by("pk").counted()

    def lastmod(self, tag):
        return tag.latest

    def day(self, tag) -> str:
        return timezone.localdate(tag.latest).isoformat()


class ThemeSitemap(TagSitemap):
    model = Theme


class RegionSitemap(TagSitemap):
    model = Region


class AuthorSitemap(TagSitemap):
    model = Author


class SeriesSitemap(TagSitemap):
    model = Series


SITEMAPS = {
    "briefings": BriefingSitemap,
    "pdfs": PdfSitemap,
    "themes": ThemeSitemap,
    "regions": RegionSitemap,
    "authors": AuthorSitemap,
    "series": SeriesSitemap,
}


def as_day(moment) -> Cast:
    """A moment as its day in the site's time zone, written YYYY-MM-DD by the database."""
    return Cast(TruncDate(moment, tzinfo=timezone.get_current_timezone()), CharField())


URLSET = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


def section(request, section: str) -> HttpResponse:
    """One page of a section, written out directly: Django's sitemap view renders each of 5,000 entries
    through a template and a date filter, about a second a page, where this takes a few milliseconds."""
    if section not in SITEMAPS:
        raise Http404("No such sitemap.")
    sitemap = SITEMAPS[section]()
    try:
        entries = sitemap.paginator.page(request.GET.get("p", 1)).object_list
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page of the sitemap.") from error
    site = escape(f"{request.scheme}://{request.get_host()}")  # addresses are made of slugs, safe as they are
    lines = [URLSET]
    for item in entries:
        lines.append(
            f"<url><loc>{site}{sitemap.location(item)}</loc><lastmod>{sitemap.day(item)}</lastmod>"
            f"<changefreq>{sitemap.changefreq}</changefreq></url>\n"
        )
    lines.append("</urlset>\n")
    response = HttpResponse("".join(lines), content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"  # as Django's own sitemap views say
    return response
