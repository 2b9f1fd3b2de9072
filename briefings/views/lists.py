"""Lists of briefings: the home page, all briefings, a theme, region, author or series, the archive."""

from __future__ import annotations

import calendar
from datetime import MAXYEAR, MINYEAR

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.views.generic import ListView

from ..addresses import redirects_retired_slugs
from ..maps import world_map
from ..models import Author, Briefing, Region, Series, Theme
from ..regions import ancestry, count_by_region

PAGE_SIZE = 20
HOME_THEMES = 3  # the busiest themes, each with its newest briefings, under the latest on the home page


class BriefingListView(ListView):
    """A paginated list of listed briefings, newest first."""

    paginate_by = PAGE_SIZE
    template_name = "briefings/briefing_list.html"
    context_object_name = "briefings"

    def get_briefings(self):
        return Briefing.objects.listed()

    def get_queryset(self):
        return self.get_briefings().for_listing().order_by("-published_at", "-pk")


class HomeView(BriefingListView):
    """The lead (the newest featured briefing), the latest after it, then ways in by theme and region."""

    template_name = "briefings/home.html"
    paginate_by = 10

    @cached_property
    def featured(self) -> Briefing | None:
        return Briefing.objects.listed().filter(is_featured=True).for_listing().order_by("-published_at").first()

    def get_queryset(self):
        latest = super().get_queryset()
        return latest.exclude(pk=self.featured.pk) if self.featured else latest

    def get_context_data(self, **kwargs):
        listed = Briefing.objects.listed()
        themes = list(Theme.objects.with_briefing_counts(listed).order_by("-briefing_count", "name"))
        regions = [item for item in count_by_region(listed) if item.region.kind in Region.WAYS_IN]
        busiest = themes[:HOME_THEMES]
        newest = listed.newest_by_theme(busiest, 3)
        by_theme = [(theme, newest[theme.pk]) for theme in busiest]
        return super().get_context_data(
            featured=self.featured, themes=themes, regions=regions[:12], by_theme=by_theme, **kwargs
        )


class TagListView(BriefingListView):
    """A tag's page exists only while some published briefing carries it, so drafts' tags stay private."""

    allow_empty = False


class FacetedListView(TagListView):
    """A list narrowed by one facet (a theme or a region) and optionally the other, with counts per option."""

    facet_model: type[Theme] | type[Region]

    @cached_property
    def subject(self):
        return get_object_or_404(self.facet_model, slug=self.kwargs["slug"])

    def narrowed(self, briefings):
        return briefings

    def get_briefings(self):
        return self.narrowed(self.subject_briefings())


class ThemeDetailView(FacetedListView):
    facet_model = Theme
    template_name = "briefings/theme_detail.html"

    def subject_briefings(self):
        return Briefing.objects.listed().for_theme(self.subject)

    @cached_property
    def region_filter(self) -> Region | None:
        slug = self.request.GET.get("region")
        return get_object_or_404(Region, slug=slug) if slug else None

    def narrowed(self, briefings):
        return briefings.for_region(self.region_filter) if self.region_filter else briefings

    def get_context_data(self, **kwargs):
        options = [item for item in count_by_region(self.subject_briefings()) if item.is_tagged]
        return super().get_context_data(theme=self.subject, region_options=options, region_filter=self.region_filter)


class RegionDetailView(FacetedListView):
    facet_model = Region
    template_name = "briefings/region_detail.html"

    def subject_briefings(self):
        return Briefing.objects.listed().for_region(self.subject)

    @cached_property
    def theme_filter(self) -> Theme | None:
        slug = self.request.GET.get("theme")
        return get_object_or_404(Theme, slug=slug) if slug else None

    def narrowed(self, briefings):
        return briefings.for_theme(self.theme_filter) if self.theme_filter else briefings

    def get_context_data(self, **kwargs):
        briefings = self.subject_briefings()
        options = Theme.objects.with_briefing_counts(briefings).order_by("-briefing_count", "name")
        counts = count_by_region(briefings)
        inside = [item for item in counts if self.subject in item.region.parents.all()]
        chain, groupings = ancestry(self.subject)
        countries = Region.objects.with_descendants_of(self.subject).exclude(alpha3="").values_list("alpha3", flat=True)
        return super().get_context_data(
            region=self.subject,
            theme_options=options,
            theme_filter=self.theme_filter,
            sub_regions=sorted(inside, key=lambda item: (-item.count, item.region.name)),
            breadcrumbs=chain,
            groupings=groupings,
            map=world_map(counts, around=list(countries)),
        )


class AuthorDetailView(TagListView):
    template_name = "briefings/author_detail.html"

    @cached_property
    def author(self) -> Author:
        return get_object_or_404(Author, slug=self.kwargs["slug"])

    def get_briefings(self):
        return Briefing.objects.listed().for_author(self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class SeriesDetailView(TagListView):
    template_name = "briefings/series_detail.html"

    @cached_property
    def series(self) -> Series:
        return get_object_or_404(Series, slug=self.kwargs["slug"])

    def get_queryset(self):
        return Briefing.objects.listed().in_series(self.series).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(series=self.series, **kwargs)


def valid_year(year: int) -> int:
    """A year the calendar can hold; nothing was published outside it."""
    if not MINYEAR <= year <= MAXYEAR:
        raise Http404("No briefings were published in that year.")
    return year


class ArchiveView(TagListView):
    """Briefings first published in a year, or in one month of it."""

    template_name = "briefings/archive_period.html"

    def get_briefings(self):
        year, month = valid_year(self.kwargs["year"]), self.kwargs.get("month")
        briefings = Briefing.objects.listed().filter(published_at__year=year)
        if month is None:
            return briefings
        if not 1 <= month <= 12:
            raise Http404("No such month.")
        return briefings.filter(published_at__month=month)

    def get_context_data(self, **kwargs):
        month = self.kwargs.get("month")
        period = f"{calendar.month_name[month]} {self.kwargs['year']}" if month else str(self.kwargs["year"])
        return super().get_context_data(period=period, **kwargs)


home = HomeView.as_view()
briefing_list = BriefingListView.as_view()
theme_detail = redirects_retired_slugs(slug=Theme)(ThemeDetailView.as_view())
region_detail = redirects_retired_slugs(slug=Region)(RegionDetailView.as_view())
author_detail = redirects_retired_slugs(slug=Author)(AuthorDetailView.as_view())
series_detail = redirects_retired_slugs(slug=Series)(SeriesDetailView.as_view())
archive_period = ArchiveView.as_view()
