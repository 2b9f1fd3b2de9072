"""Lists of briefings: the home page, all briefings, a theme, region, author or series, the archive."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, date

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.views.generic import ListView

from .. import scopes, taxonomy
from ..addresses import redirects_retired_slugs
from ..cards import cards
from ..maps import world_map
from ..models import Author, Briefing, Listing, Region, Series, Tally, Theme
from ..models.listings import NO_TAG, Kind, List
from ..regions import ancestry, region_counts, regions_counted
from ..taxonomy import themes_among, themes_counted

PAGE_SIZE = 20
HOME_THEMES = 3  # the busiest themes, each with its newest briefings, under the latest on the home page
EVERY_BRIEFING = (Kind.ALL, NO_TAG)


class ListPaginator(Paginator):
    """Pages of kept lists (briefings.models.listings): a page's ids come from the list's index, then
    only those briefings' kept cards are read, and the count is a tally rather than a count of the list."""

    def __init__(self, ids, per_page, *, count: int | None = None, **options):
        super().__init__(ids, per_page, **options)
        if count is not None:
            self.count = count

    def page(self, number) -> Page:
        page = super().page(number)
        ids = list(page.object_list)
        page.object_list = cards(ids)
        scopes.depends_on(*(scopes.of_briefing(pk) for pk in ids))
        return page


def busiest_first(themes: list[Theme]) -> list[Theme]:
    return sorted(themes, key=lambda theme: (-theme.briefing_count, theme.name))


class BriefingListView(ListView):
    """A paginated list of listed briefings, newest first: those in every one of `lists()` (at most two)."""

    paginate_by = PAGE_SIZE
    template_name = "briefings/briefing_list.html"
    context_object_name = "briefings"

    def lists(self) -> list[List]:
        return [EVERY_BRIEFING]

    def get_queryset(self):
        lists = self.lists()
        scopes.depends_on(*(scopes.of_list(*each) for each in lists))
        return Listing.objects.briefings_in(*lists)

    def count(self) -> int:
        first, *others = self.lists()
        return Tally.objects.count_of(*first, within=others[0] if others else None)

    @cached_property
    def total(self) -> int:
        return self.count()

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **options):
        return ListPaginator(
            queryset, per_page, count=self.total, orphans=orphans, allow_empty_first_page=allow_empty_first_page
        )


class HomeView(BriefingListView):
    """The lead (the newest featured briefing), the latest after it, then ways in by theme and region."""

    template_name = "briefings/home.html"
    paginate_by = 10

    @cached_property
    def featured_id(self) -> int | None:
        featured = Briefing.objects.listed().filter(is_featured=True).order_by("-published_at")
        return featured.values_list("pk", flat=True).first()

    def get_queryset(self):
        latest = super().get_queryset()
        return latest.exclude(briefing=self.featured_id) if self.featured_id else latest

    @cached_property
    def tallies(self) -> dict[List, int]:
        """The counts the page shows, in one statement: of every briefing, each theme's and each region's."""
        return Tally.objects.live_counts(Kind.ALL, Kind.THEME, Kind.REGION, Kind.TAGGED_REGION)

    def count(self) -> int:
        return self.tallies.get(EVERY_BRIEFING, 0) - (1 if self.featured_id else 0)

    def get_context_data(self, **kwargs):
        scopes.depends_on(scopes.SITE)  # counts and ways in across the whole site
        theme_counts = {tag: count for (kind, tag), count in self.tallies.items() if kind == Kind.THEME}
        themes = busiest_first(themes_among(theme_counts))
        regions = [item for item in regions_counted(self.tallies) if item.region.kind in Region.WAYS_IN]
        busiest = themes[:HOME_THEMES]
        newest = Listing.objects.newest_in_each([(Kind.THEME, theme.pk) for theme in busiest], 3)
        wanted = [self.featured_id] if self.featured_id else []
        shown = {card.briefing_id: card for card in cards(wanted + [pk for ids in newest.values() for pk in ids])}
        by_theme = [(theme, [shown[pk] for pk in newest[(Kind.THEME, theme.pk)]]) for theme in busiest]
        return super().get_context_data(
            featured=shown.get(self.featured_id), themes=themes, regions=regions[:12], by_theme=by_theme, **kwargs
        )


class TagListView(BriefingListView):
    """A tag's page exists only while some published briefing carries it, so drafts' tags stay private."""

    def get(self, request, *args, **kwargs):
        if not self.total:
            raise Http404("No published briefing is listed here.")
        return super().get(request, *args, **kwargs)


class FacetedListView(TagListView):
    """A list narrowed by one facet (a theme or a region) and optionally the other, with counts per option."""

    facet_model: type[Theme] | type[Region]
    filter_model: type[Theme] | type[Region]

    @cached_property
    def subject(self):
        return taxonomy.tag_or_404(self.facet_model, self.kwargs["slug"])

    @cached_property
    def subject_list(self) -> List:
        return (self.facet_model.list_kind, self.subject.pk)

    @cached_property
    def chosen_filter(self):
        slug = self.request.GET.get(self.filter_model._meta.model_name)
        return taxonomy.tag_or_404(self.filter_model, slug) if slug else None

    def lists(self) -> list[List]:
        if self.chosen_filter is None:
            return [self.subject_list]
        return [self.subject_list, (self.filter_model.list_kind, self.chosen_filter.pk)]


class ThemeDetailView(FacetedListView):
    facet_model, filter_model = Theme, Region
    template_name = "briefings/theme_detail.html"

    def get_context_data(self, **kwargs):
        options = [item for item in region_counts(within=self.subject_list) if item.is_tagged]
        return super().get_context_data(theme=self.subject, region_options=options, region_filter=self.chosen_filter)


class RegionDetailView(FacetedListView):
    facet_model, filter_model = Region, Theme
    template_name = "briefings/region_detail.html"

    def get_context_data(self, **kwargs):
        options = busiest_first(themes_counted(within=self.subject_list))
        counts = region_counts(within=self.subject_list)
        inside = [item for item in counts if self.subject.pk in item.region.parent_ids]
        chain, groupings = ancestry(self.subject)
        countries = [region.alpha3 for region in taxonomy.region_tree().below(self.subject) if region.alpha3]
        return super().get_context_data(
            region=self.subject,
            theme_options=options,
            theme_filter=self.chosen_filter,
            sub_regions=sorted(inside, key=lambda item: (-item.count, item.region.name)),
            breadcrumbs=chain,
            groupings=groupings,
            map=world_map(counts, around=countries),
        )


class AuthorDetailView(TagListView):
    template_name = "briefings/author_detail.html"

    @cached_property
    def author(self) -> Author:
        return get_object_or_404(Author, slug=self.kwargs["slug"])

    def lists(self) -> list[List]:
        return [(Kind.AUTHOR, self.author.pk)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class SeriesDetailView(ListView):
    """A series in the order of its parts; series are short, so its page reads them directly."""

    paginate_by = PAGE_SIZE
    paginator_class = ListPaginator
    allow_empty = False
    template_name = "briefings/series_detail.html"
    context_object_name = "briefings"

    @cached_property
    def series(self) -> Series:
        return get_object_or_404(Series, slug=self.kwargs["slug"])

    def get_queryset(self):
        scopes.depends_on(scopes.of_list(Kind.SERIES, self.series.pk))
        return Briefing.objects.listed().in_series(self.series).values_list("pk", flat=True)

    def get_context_data(self, **kwargs):
        return super().get_context_data(series=self.series, **kwargs)


def valid_year(year: int) -> int:
    """A year the calendar can hold; nothing was published outside it."""
    if not MINYEAR <= year <= MAXYEAR:
        raise Http404("No briefings were published in that year.")
    return year


class ArchiveView(TagListView):
    """Briefings first published in a year, or in one month of it (in the site's time zone)."""

    template_name = "briefings/archive_period.html"

    @cached_property
    def months(self) -> tuple[int, int]:
        """The first and last month of the period, as the tags of month lists (year × 100 + month)."""
        year, month = valid_year(self.kwargs["year"]), self.kwargs.get("month")
        if month is None:
            return year * 100 + 1, year * 100 + 12
        if not 1 <= month <= 12:
            raise Http404("No such month.")
        return year * 100 + month, year * 100 + month

    def lists(self) -> list[List]:
        first, last = self.months
        return [(Kind.MONTH, first)] if first == last else [EVERY_BRIEFING]

    def get_queryset(self):
        first, last = self.months
        if first == last:
            return super().get_queryset()
        scopes.depends_on(*(scopes.of_list(Kind.MONTH, month) for month in range(first, last + 1)))
        return Listing.objects.briefings_in(EVERY_BRIEFING).filter(published_at__year=first // 100)

    def count(self) -> int:
        first, last = self.months
        return sum(count for month, count in Tally.objects.counts(Kind.MONTH).items() if first <= month <= last)

    def get_context_data(self, **kwargs):
        month = self.kwargs.get("month")
        year = self.kwargs["year"]
        period = capfirst(date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")) if month else str(year)
        return super().get_context_data(period=period, **kwargs)


home = HomeView.as_view()
briefing_list = BriefingListView.as_view()
theme_detail = redirects_retired_slugs(slug=Theme)(ThemeDetailView.as_view())
region_detail = redirects_retired_slugs(slug=Region)(RegionDetailView.as_view())
author_detail = redirects_retired_slugs(slug=Author)(AuthorDetailView.as_view())
series_detail = redirects_retired_slugs(slug=Series)(SeriesDetailView.as_view())
archive_period = ArchiveView.as_view()
