"""Indexes of themes, regions, authors, series and months; robots.txt; uploaded images."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.views.generic import TemplateView

from ..maps import world_map
from ..models import Author, Series, Tally
from ..models.listings import Kind
from ..regions import region_counts, region_directory
from ..taxonomy import themes_counted


class ThemeIndexView(TemplateView):
    template_name = "briefings/theme_index.html"

    def get_context_data(self, **kwargs):
        themes = themes_counted()
        return super().get_context_data(themes=themes)


class RegionIndexView(TemplateView):
    template_name = "briefings/region_index.html"

    def get_context_data(self, **kwargs):
        counts = region_counts()
        continents, groupings = region_directory(counts)
        return super().get_context_data(continents=continents, groupings=groupings, map=world_map(counts))


class AuthorIndexView(TemplateView):
    template_name = "briefings/author_index.html"

    def get_context_data(self, **kwargs):
        authors = Author.objects.order_by("name").counted()
        return super().get_context_data(authors=authors)


class SeriesIndexView(TemplateView):
    template_name = "briefings/series_index.html"

    def get_context_data(self, **kwargs):
        series_list = Series.objects.order_by("title").counted()
        return super().get_context_data(series_list=series_list)


class ArchiveIndexView(TemplateView):
    template_name = "briefings/archive_index.html"

    def get_context_data(self, **kwargs):
        tallies = sorted(Tally.objects.counts(Kind.MONTH).items(), reverse=True)
        months = [{"month": date(tag // 100, tag % 100, 1), "count": count} for tag, count in tallies]
        return super().get_context_data(months=months)


theme_index = ThemeIndexView.as_view()
region_index = RegionIndexView.as_view()
author_index = AuthorIndexView.as_view()
series_index = SeriesIndexView.as_view()
archive_index = ArchiveIndexView.as_view()


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /preview/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# Only what images.py writes is ever served from the media folder, with a type fixed by its extension.
MEDIA_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def media_file(request, path: str):
    """Serve an uploaded image. Names are generated and never reused, so the file can be cached for good."""
    root = Path(settings.MEDIA_ROOT).resolve()
    file_path = (root / path).resolve()
    content_type = MEDIA_TYPES.get(file_path.suffix.lower())
    try:
        is_served = content_type is not None and file_path.is_relative_to(root) and file_path.is_file()
    except OSError:  # a name longer than the file system allows, for one
        is_served = False
    if not is_served:
        raise Http404("No such image.")
    response = FileResponse(file_path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
