"""Public pages. Every query starts from `Briefing.objects.published()` (or `listed()` for lists);
drafts, briefings in review and scheduled briefings never reach a reader."""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import MAXYEAR, MINYEAR, date
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Prefetch
from django.db.models.functions import TruncMonth
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, TemplateView

from . import diffing, freshness, publishing, search
from .addresses import redirects_retired_slugs
from .citations import Citation
from .models import Author, Briefing, Region, Revision, RevisionAuthor, Series, StateChange, Theme
from .regions import count_by_region, region_tree

PAGE_SIZE = 20
PUBLICATION_ACTIONS = [StateChange.Action.PUBLISHED, StateChange.Action.SCHEDULED]


# Reading a briefing


def published_briefing_or_gone(slug: str) -> Briefing:
    briefing = Briefing.objects.published().with_live_revision().filter(slug=slug).first()
    if briefing is not None:
        return briefing
    if Briefing.objects.gone().filter(slug=slug).exists():
        raise Gone
    raise Http404("No published briefing at this address.")


class Gone(Exception):
    """The briefing was unpublished: its address answers 410."""


def answers_gone(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Gone:
            return render(request, "briefings/gone.html", status=410)

    return wrapper


def publication_history(briefing: Briefing) -> list[StateChange]:
    """Each publication and withdrawal, oldest first: the public change log."""
    history = list(
        briefing.state_changes.filter(action__in=[*PUBLICATION_ACTIONS, StateChange.Action.WITHDRAWN])
        .select_related("revision")
        .defer("revision__body", "revision__body_html", "revision__toc_html")
        .order_by("effective_at", "id")
    )
    for change in history:
        change.revision.briefing = briefing  # for its permalink, without a query per version
    return history


def published_version_numbers(history: list[StateChange]) -> list[int]:
    return sorted({change.revision.number for change in history if change.action in PUBLICATION_ACTIONS})


def series_context(briefing: Briefing, revision: Revision) -> dict:
    if revision.series is None:
        return {}
    parts = list(Briefing.objects.listed().in_series(revision.series).select_related("live_revision").only(
        "slug", "published_at", "live_revision__title", "live_revision__part", "live_revision__series"
    ))  # fmt: skip
    position = next((index for index, part in enumerate(parts) if part.pk == briefing.pk), None)
    return {
        "series_parts": parts,
        "series_position": None if position is None else position + 1,
        "series_previous": parts[position - 1] if position else None,
        "series_next": parts[position + 1] if position is not None and position + 1 < len(parts) else None,
    }


def reading_context(request, briefing: Briefing, revision: Revision) -> dict:
    revision.briefing = briefing
    history = publication_history(briefing)
    versions = published_version_numbers(history)
    citation = Citation(briefing, revision, request.build_absolute_uri(revision.get_absolute_url()))
    related = Briefing.objects.listed().sharing_tags_with(briefing).for_listing()[:4]
    return {
        "briefing": briefing,
        "revision": revision,
        "history": history,
        "versions": versions,
        "corrections": [change for change in history if change.is_substantive or change.action == "withdrawn"],
        "citation": citation,
        "related": related,
        **series_context(briefing, revision),
    }


@answers_gone
@redirects_retired_slugs(slug=Briefing)
def briefing_detail(request, slug: str):
    briefing = published_briefing_or_gone(slug)
    context = reading_context(request, briefing, briefing.live_revision)
    return render(request, "briefings/briefing_detail.html", context)


def published_revision(briefing: Briefing, number: int) -> Revision:
    """A revision of this briefing that readers once saw; drafts and refused edits answer 404."""
    published = briefing.state_changes.filter(action__in=PUBLICATION_ACTIONS).values("revision")
    byline = Prefetch("byline", RevisionAuthor.objects.select_related("author"))
    queryset = briefing.revisions.filter(pk__in=published).select_related("series")
    revision = get_object_or_404(queryset.prefetch_related("themes", "regions", byline), number=number)
    revision.briefing = briefing
    return revision


@answers_gone
@redirects_retired_slugs(slug=Briefing)
def briefing_version(request, slug: str, number: int):
    briefing = published_briefing_or_gone(slug)
    revision = published_revision(briefing, number)
    context = reading_context(request, briefing, revision)
    context["is_old_version"] = revision != briefing.live_revision
    context["version_published_at"] = next(
        change.effective_at for change in context["history"] if change.revision_id == revision.pk
    )
    return render(request, "briefings/briefing_detail.html", context)


@answers_gone
@redirects_retired_slugs(slug=Briefing)
def briefing_citation(request, slug: str, number: int):
    briefing = published_briefing_or_gone(slug)
    revision = published_revision(briefing, number)
    citation = Citation(briefing, revision, request.build_absolute_uri(revision.get_absolute_url()))
    response = HttpResponse(citation.bibtex(), content_type="application/x-bibtex; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{briefing.slug}-v{revision.number}.bib"'
    return response


@answers_gone
@redirects_retired_slugs(slug=Briefing)
def briefing_changes(request, slug: str):
    """A reader's diff between two published versions."""
    briefing = published_briefing_or_gone(slug)
    versions = published_version_numbers(publication_history(briefing))
    if len(versions) < 2:
        raise Http404("This briefing has only one published version.")
    try:
        old_number = int(request.GET.get("from", versions[-2]))
        new_number = int(request.GET.get("to", versions[-1]))
    except ValueError as error:
        raise Http404("Versions are numbers.") from error
    old, new = published_revision(briefing, old_number), published_revision(briefing, new_number)
    changes = [
        replace(change, segments=diffing.elide_unchanged(change.segments))
        for change in diffing.compare(old, new)
        if change.label not in diffing.EDITOR_ONLY_FIELDS
    ]
    context = {
        "briefing": briefing,
        "old": old,
        "new": new,
        "changes": changes,
        "has_changes": any(change.is_changed for change in changes),
        "versions": versions,
    }
    return render(request, "briefings/briefing_changes.html", context)


@never_cache
def preview(request, token: str):
    """A reviewer's view of the latest draft, through a signed link that expires and can be revoked."""
    link = publishing.find_preview(token)
    if link is None:
        return render(request, "briefings/preview_expired.html", status=404)
    briefing = link.briefing
    byline = Prefetch("byline", RevisionAuthor.objects.select_related("author"))
    revision = (
        Revision.objects.select_related("series")
        .prefetch_related("themes", "regions", byline)
        .get(pk=briefing.latest_revision_id)
    )
    context = {"briefing": briefing, "revision": revision, "is_preview": True, "preview_link": link}
    response = render(request, "briefings/briefing_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# Lists


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
    template_name = "briefings/home.html"
    paginate_by = 10

    def get_context_data(self, **kwargs):
        listed = Briefing.objects.listed()
        featured = listed.filter(is_featured=True).for_listing().order_by("-published_at").first()
        themes = Theme.objects.with_briefing_counts(listed).order_by("-briefing_count", "name")
        regions = [item for item in count_by_region(listed) if item.is_tagged]
        return super().get_context_data(featured=featured, themes=themes, regions=regions[:15], **kwargs)


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
        options = Theme.objects.with_briefing_counts(self.subject_briefings()).order_by("-briefing_count", "name")
        return super().get_context_data(
            region=self.subject,
            theme_options=options,
            theme_filter=self.theme_filter,
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


# Search


# Each filter of the results: its model, and the BriefingQuerySet method that narrows by it.
SEARCH_FILTERS = {
    "theme": (Theme, "for_theme"),
    "region": (Region, "for_region"),
    "author": (Author, "for_author"),
    "series": (Series, "in_series"),
}


class SearchView(ListView):
    """Results come from one ranked list of ids, the first RESULT_LIMIT matches in the chosen order:
    it gives the count, the pages and the facet counts, so a broad query costs no more than a narrow one.
    Only the page's own rows and snippets are read on every request."""

    template_name = "briefings/search.html"
    context_object_name = "results"
    paginate_by = PAGE_SIZE

    @cached_property
    def query(self) -> str:
        return search.clean_query(self.request.GET.get("q", ""))

    @cached_property
    def filters(self) -> dict:
        chosen = {}
        for name, (model, _) in SEARCH_FILTERS.items():
            slug = self.request.GET.get(name)
            if slug:
                chosen[name] = get_object_or_404(model, slug=slug)
        return chosen

    @cached_property
    def year(self) -> int | None:
        try:
            return valid_year(int(self.request.GET["year"])) if self.request.GET.get("year") else None
        except ValueError as error:
            raise Http404("The year is a number.") from error

    @cached_property
    def date_range(self) -> tuple[date | None, date | None]:
        """The published-between dates a reader chose (YYYY-MM-DD), either end open."""
        try:
            return tuple(
                date.fromisoformat(self.request.GET[name]) if self.request.GET.get(name) else None
                for name in ("from", "to")
            )
        except ValueError as error:
            raise Http404("Dates are written YYYY-MM-DD.") from error

    @cached_property
    def is_sorted_by_date(self) -> bool:
        return self.request.GET.get("sort") == "date"

    def matches(self):
        """Everything that matches the query and the chosen filters, unordered."""
        briefings = search.matching(self.query)
        for name, value in self.filters.items():
            briefings = getattr(briefings, SEARCH_FILTERS[name][1])(value)
        if self.year:
            briefings = briefings.filter(published_at__year=self.year)
        start, end = self.date_range
        if start:
            briefings = briefings.filter(published_at__date__gte=start)
        if end:
            briefings = briefings.filter(published_at__date__lte=end)
        return briefings

    @cached_property
    def found(self) -> search.Found:
        """What the search found, kept until public content changes: popular queries are answered once."""
        start, end = self.date_range
        key = (
            "search",
            self.query,
            sorted((name, value.slug) for name, value in self.filters.items()),
            self.year,
            start,
            end,
            self.is_sorted_by_date,
        )
        return freshness.remember(key, lambda: search.find(self.matches(), self.query, by_date=self.is_sorted_by_date))

    def get_queryset(self) -> list[int]:
        if not self.query:
            return []
        return [pk for pk, _, _ in self.found.hits[: search.RESULT_LIMIT]]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            query=self.query, filters=self.filters, year=self.year, date_range=self.date_range, **kwargs
        )
        if not self.query:
            return context
        found = self.found
        context["count"] = search.BoundedCount(len(self.object_list), len(found.hits) > search.RESULT_LIMIT)
        context["suggestion"] = found.suggestion
        if found.hits:
            context["results"] = self.results(list(context["page_obj"].object_list))
            context["facets"] = found.facets
        return context

    def results(self, ids: list[int]) -> list[Briefing]:
        """One page of results, with their snippets, in the order of the hits."""
        briefings = search.with_snippets(Briefing.objects.filter(pk__in=ids).for_listing(), self.query)
        by_id = {briefing.pk: briefing for briefing in briefings}
        return [by_id[pk] for pk in ids]


search_results = SearchView.as_view()


# Indexes


class ThemeIndexView(TemplateView):
    template_name = "briefings/theme_index.html"

    def get_context_data(self, **kwargs):
        themes = Theme.objects.with_briefing_counts(Briefing.objects.listed()).order_by("name")
        return super().get_context_data(themes=themes)


class RegionIndexView(TemplateView):
    template_name = "briefings/region_index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tree=region_tree(count_by_region(Briefing.objects.listed())))


class AuthorIndexView(TemplateView):
    template_name = "briefings/author_index.html"

    def get_context_data(self, **kwargs):
        authors = Author.objects.with_briefing_counts(Briefing.objects.listed()).order_by("name")
        return super().get_context_data(authors=authors)


class SeriesIndexView(TemplateView):
    template_name = "briefings/series_index.html"

    def get_context_data(self, **kwargs):
        series_list = Series.objects.with_briefing_counts(Briefing.objects.listed()).order_by("title")
        return super().get_context_data(series_list=series_list)


class ArchiveIndexView(TemplateView):
    template_name = "briefings/archive_index.html"

    def get_context_data(self, **kwargs):
        months = (
            Briefing.objects.listed()
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(count=Count("id"))
            .order_by("-month")
        )
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
