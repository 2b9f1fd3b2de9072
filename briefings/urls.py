from django.conf import settings
from django.contrib import admin
from django.urls import LocalePrefixPattern, URLResolver, include, path, register_converter
from django.urls.resolvers import RoutePattern

from . import feeds, sitemaps, views
from .caching import public_page


class FeedFormatConverter:
    regex = "rss|atom"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FeedFormatConverter, "feed")
register_converter(sitemaps.MonthConverter, "month")

feed_patterns = [
    path("all.<feed:format>", public_page(feeds.everything, made_ahead=True), name="feed"),
    path("corrections.<feed:format>", public_page(feeds.corrections, made_ahead=True), name="corrections-feed"),
    path("themes/<slug:slug>.<feed:format>", public_page(feeds.theme, made_ahead=True), name="theme-feed"),
    path("regions/<slug:slug>.<feed:format>", public_page(feeds.region, made_ahead=True), name="region-feed"),
    path("authors/<slug:slug>.<feed:format>", public_page(feeds.author, made_ahead=True), name="author-feed"),
    path(
        "themes/<slug:theme>/regions/<slug:region>.<feed:format>",
        public_page(feeds.theme_region, scoped=True),
        name="theme-region-feed",
    ),
]

# A briefing's pages have one address, in the briefing's own language.
briefing_patterns = [
    path("briefings/<slug:slug>/", public_page(views.briefing_detail, made_ahead=True), name="briefing-detail"),
    path(
        "briefings/<slug:slug>/v/<int:number>/",
        public_page(views.briefing_version, made_ahead=True),
        name="briefing-version",
    ),
    path(
        "briefings/<slug:slug>/v/<int:number>/cite.bib",
        public_page(views.briefing_citation, scoped=True),
        name="briefing-citation",
    ),
    path("briefings/<slug:slug>/pdf/", views.briefing_pdf, name="briefing-pdf"),
    path("briefings/<slug:slug>/v/<int:number>/pdf/", views.briefing_version_pdf, name="briefing-version-pdf"),
    path("briefings/<slug:slug>/changes/", public_page(views.briefing_changes, scoped=True), name="briefing-changes"),
    path("preview/<str:token>/", views.preview, name="preview"),
]

# The pages around them, in each of the site's languages: /fr/themes/ is the French page of themes,
# /themes/ the site's own language's.
reading_patterns = [
    path("", public_page(views.home, made_ahead=True), name="home"),
    path("briefings/", public_page(views.briefing_list), name="briefing-list"),
    path("themes/", public_page(views.theme_index), name="theme-index"),
    path("themes/<slug:slug>/", public_page(views.theme_detail, made_ahead=True), name="theme-detail"),
    path("regions/", public_page(views.region_index), name="region-index"),
    path("regions/<slug:slug>/", public_page(views.region_detail, made_ahead=True), name="region-detail"),
    path("authors/", public_page(views.author_index), name="author-index"),
    path("authors/<slug:slug>/", public_page(views.author_detail, made_ahead=True), name="author-detail"),
    path("series/", public_page(views.series_index), name="series-index"),
    path("series/<slug:slug>/", public_page(views.series_detail, made_ahead=True), name="series-detail"),
    path("archive/", public_page(views.archive_index), name="archive-index"),
    path("archive/<int:year>/", public_page(views.archive_period, made_ahead=True), name="archive-year"),
    path("archive/<int:year>/<int:month>/", public_page(views.archive_period, made_ahead=True), name="archive-month"),
    path("search/", public_page(views.search_results), name="search"),
    path("feeds/", include(feed_patterns)),
    path("alerts/", views.alert_signup, name="alert-signup"),
    path("alerts/check-your-email/", views.alert_requested, name="alert-requested"),
    path("alerts/confirm/<str:token>/", views.alert_confirm, name="alert-confirm"),
    path("alerts/manage/<str:token>/", views.alert_manage, name="alert-manage"),
    path("alerts/unsubscribe/<str:token>/", views.alert_unsubscribe, name="alert-unsubscribe"),
]

# The prefix is nested in the namespace, not i18n_patterns at the root, so that the briefing pages beside
# it stay unprefixed; include() refuses it there, so the namespace's resolver is made here.
in_each_language = URLResolver(LocalePrefixPattern(prefix_default_language=False), reading_patterns)
public_patterns = [*briefing_patterns, in_each_language]

urlpatterns = [
    URLResolver(RoutePattern(""), public_patterns, app_name="briefings", namespace="briefings"),
    path("sitemap.xml", public_page(sitemaps.index, made_ahead=True), name="sitemap"),
    path("sitemap-<section>-<month:month>.xml", public_page(sitemaps.month_section), name="sitemap-month"),
    path("sitemap-<section>.xml", public_page(sitemaps.tag_section), name="sitemap-section"),
    path("robots.txt", public_page(views.robots_txt), name="robots"),
    path("admin/", admin.site.urls),
]
if not settings.MEDIA_BUCKET:
    urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media_file, name="media"))
