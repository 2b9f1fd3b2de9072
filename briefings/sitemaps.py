"""The sitemaps, listed by sitemap.xml: every published briefing (withdrawn ones too: their pages stay), in
pages of 5,000, the PDF of each one's current version, and every tag page that lists some."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import cached_property

from .models import Author, Briefing, Region, Series, Theme, VersionPdf


class BriefingSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Briefing.objects.published().only("slug", "published_at", "updated_at").order_by("-published_at")

    def lastmod(self, briefing: Briefing):
        return briefing.updated_at or briefing.published_at

    def get_latest_lastmod(self):
        """For the index: asked of the database, not of every briefing in turn."""
        return self.items().aggregate(latest=Max(Coalesce("updated_at", "published_at")))["latest"]


class PdfSitemap(Sitemap):
    """Each briefing's current version as a PDF, once made: search engines index papers by their files."""

    changefreq = "yearly"
    limit = 5000

    def items(self):
        briefings = Briefing.objects.published().filter(live_revision__pdf__status=VersionPdf.Status.READY)
        readable = briefings.filter(Q(withdrawn_at__isnull=True) | Q(live_revision__pdf__marks_withdrawal=True))
        return (
            readable.only("slug", "live_revision__number", "live_revision__pdf__made_at")
            .select_related("live_revision__pdf")
            .order_by("-published_at")
        )

    def location(self, briefing: Briefing) -> str:
        return reverse("briefings:briefing-version-pdf", args=[briefing.slug, briefing.live_revision.number])

    def lastmod(self, briefing: Briefing):
        return briefing.live_revision.pdf.made_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("live_revision__pdf__made_at"))["latest"]


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
        tags = self.model.objects.carried_by(Briefing.objects.listed())
        latest = Max(f"{tags.revisions_path}__briefing__published_at")
        return list(tags.annotate(latest=latest).order_by("pk"))

    def lastmod(self, tag):
        return tag.latest


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
