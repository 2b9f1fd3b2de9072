"""The sitemaps, listed by sitemap.xml: every published briefing (withdrawn ones too: their pages stay), in
pages of 5,000, and every tag page that lists some."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from .models import Author, Briefing, Region, Series, Theme


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
    "themes": ThemeSitemap,
    "regions": RegionSitemap,
    "authors": AuthorSitemap,
    "series": SeriesSitemap,
}
