"""Search results, answered from one ranked list of ids kept until public content changes."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.http import Http404
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.views.generic import ListView

from .. import freshness, languages, search, taxonomy
from ..cards import cards
from ..models import Author, Card, Region, Series, Theme
from ..templatetags.briefings import with_parameter
from .lists import PAGE_SIZE, valid_year

# Each filter of the results, by its model.
SEARCH_FILTERS = {"theme": Theme, "region": Region, "author": Author, "series": Series}


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
        for name, model in SEARCH_FILTERS.items():
            slug = self.request.GET.get(name)
            if slug:
                chosen[name] = taxonomy.tag_or_404(model, slug)
        return chosen

    @cached_property
    def language(self) -> str | None:
        """The language a reader chose to search in: its briefings only, the query read in it."""
        code = self.request.GET.get("language")
        if code and code not in languages.codes():
            raise Http404("No such language.")
        return code or None

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

    @cached_property
    def narrowing(self) -> search.Narrowing:
        return search.Narrowing(self.filters, self.year, *self.date_range, language=self.language)

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
            self.language,
            get_language(),  # the query is read in the interface's language when none is chosen
        )
        return freshness.remember(key, lambda: search.find(self.query, self.narrowing, by_date=self.is_sorted_by_date))

    def get_queryset(self) -> list[int]:
        if not self.query:
            return []
        return [pk for pk, _ in self.found.hits[: search.RESULT_LIMIT]]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            query=self.query,
            filters=self.filters,
            year=self.year,
            date_range=self.date_range,
            language=self.language and languages.local_name(self.language),
            **kwargs,
        )
        if not self.query:
            return context
        found = self.found
        context["count"] = search.BoundedCount(len(self.object_list), len(found.hits) > search.RESULT_LIMIT)
        context["alert_query"] = self.alert_query()
        context["suggestion"] = found.suggestion
        if found.hits:
            context["results"] = self.results(list(context["page_obj"].object_list))
            context["facets"] = self.facet_links(found.facets)
        return context

    def facet_links(self, facets: list[search.Facet]) -> list[tuple[str, list[tuple[str, search.FacetOption]]]]:
        """Each facet's heading and options, each option with the address that narrows the search by it:
        written here, as a template tag for each of a page's fifty-odd options took a tenth of the page's time."""
        return [
            (heading, [(with_parameter(self.request, name, option.slug), option) for option in options])
            for heading, name, options in facets
            if options
        ]

    def alert_query(self) -> str:
        """This search's words and filters, as the email alerts form takes them."""
        start, end = self.date_range
        chosen = {"q": self.query, **{name: value.slug for name, value in self.filters.items()}}
        chosen |= {"year": self.year, "from": start and start.isoformat(), "to": end and end.isoformat()}
        chosen["language"] = self.language
        return urlencode({name: value for name, value in chosen.items() if value})

    def results(self, ids: list[int]) -> list[tuple[Card, SafeString | None]]:
        """One page of results in the order of the hits: each briefing's card and its matching passage."""
        passages = search.passages(ids, self.query, self.narrowing.text_search)
        return [(card, passages.get(card.briefing_id)) for card in cards(ids)]


search_results = SearchView.as_view()
