"""The briefing list: what it leaves unread, and its filters."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Exists, Max, Min, OuterRef
from django.db.models.functions import Now
from django.utils import timezone

from ..models import Briefing, Region
from ..models.workflow import State

LIST_UNREAD_FIELDS = [
    "body",
    "search_vector",
    "search_excerpt",
    "latest_revision__body",
    "latest_revision__body_html",
    "latest_revision__toc_html",
]


class BriefingChangeList(ChangeList):
    """The list shows no text: leave the bodies of the briefings and their latest revisions unread."""

    def get_queryset(self, request, exclude_parameters=None):
        found = super().get_queryset(request, exclude_parameters)
        if found.query.distinct:
            # A filter through themes, regions or bylines can repeat a briefing. Django's DISTINCT compares
            # whole rows and sorts every match; asking whether each briefing matches finds the same ones,
            # and lets PostgreSQL walk the list's index and stop at the end of the page.
            matching = self.root_queryset.filter(Exists(found.order_by().filter(pk=OuterRef("pk"))))
            found = self.apply_select_related(matching).order_by(*found.query.order_by)
        return found.defer(*LIST_UNREAD_FIELDS)


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return State.choices

    def queryset(self, request, queryset):
        return queryset.in_state(State(self.value())) if self.value() in State.values else queryset


class UnreviewedFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("skipped", "Live version published without review")]

    def queryset(self, request, queryset):
        return queryset.published_without_review() if self.value() == "skipped" else queryset


class DateFilter(admin.SimpleListFilter):
    """Recent days or a year. Its choices come from two index lookups, where a date hierarchy would read
    every matching row twice more on each page of a filtered list."""

    field: str
    recent = {"week": ("Past 7 days", 7), "month": ("Past 30 days", 30)}

    def lookups(self, request, model_admin):
        span = model_admin.get_queryset(request).aggregate(first=Min(self.field), last=Max(self.field))
        years = range(span["last"].year, span["first"].year - 1, -1) if span["first"] else []
        return [*((key, label) for key, (label, _) in self.recent.items()), *((str(year), year) for year in years)]

    def queryset(self, request, queryset):
        value = self.value()
        if value in self.recent:
            since = Now() - timedelta(days=self.recent[value][1])
            return queryset.filter(**{f"{self.field}__gte": since, f"{self.field}__lte": Now()})
        if value and value.isdigit() and 1 <= int(value) < 9999:
            start = timezone.make_aware(datetime(int(value), 1, 1))
            end = start.replace(year=start.year + 1)
            return queryset.filter(**{f"{self.field}__gte": start, f"{self.field}__lt": end})
        return queryset


class PublicationDateFilter(DateFilter):
    title = "publication date"
    parameter_name = "published"
    field = "published_at"


class RecordedDateFilter(DateFilter):
    title = "date"
    parameter_name = "date"
    field = "at"


class RegionsInUseFilter(admin.RelatedFieldListFilter):
    """Only the regions that tag a briefing the editor can see: the full list runs to hundreds."""

    def field_choices(self, field, request, model_admin):
        tagging = Briefing.regions.through.objects.filter(region=OuterRef("pk"))
        editable = model_admin.get_queryset(request)
        if editable.query.has_filters():  # an editor who sees only their own briefings
            tagging = tagging.filter(briefing__in=editable)
        return list(Region.objects.filter(Exists(tagging)).values_list("pk", "name"))
