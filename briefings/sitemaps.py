"""sitemap.xml: every published briefing (withdrawn ones too: their pages stay), and every tag page that lists some."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from .models import Author, Briefing, Region, Series, Theme


class BriefingSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Briefing.objects.published().only("slug", "published_at", "updated_at").order_by("-published_at")

    def lastmod(self, briefing: Briefing):
        return briefing.updated_at or briefing.published_at


class TagSitemap(Sitemap):
    """A tag page changes whenever a briefing is published in it."""

    changefreq = "weekly"
    model = None

    def items(self):
        tags = self.model.objects.with_briefing_counts(Briefing.objects.listed())
        return tags.annotate(latest=Max(f"{tags.revisions_path}__briefing__published_at")).order_by("pk")

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
    "themes": ThemeSitemap,
    "regions": RegionSitemap,
    "authors": AuthorSitemap,
    "series": SeriesSitemap,
}
