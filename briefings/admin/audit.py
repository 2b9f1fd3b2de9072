"""The audit trail, read-only."""

from __future__ import annotations

from django.contrib import admin

from ..models import Briefing, StateChange
from .lists import RecordedDateFilter


class RecordAdmin(admin.ModelAdmin):
    """Records written by the site alone (the audit trail, the PDFs): staff read them, nobody edits them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UnreviewedPublicationFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "unreviewed"

    def lookups(self, request, model_admin):
        return [("yes", "Published without review")]

    def queryset(self, request, queryset):
        return queryset.exclude(without_review_reason="") if self.value() == "yes" else queryset


@admin.register(StateChange)
class StateChangeAdmin(RecordAdmin):
    """The audit trail, read-only."""

    list_display = ["at", "briefing", "action", "change_kind", "by", "note", "without_review_reason"]
    list_filter = [
        RecordedDateFilter,
        "action",
        "change_kind",
        UnreviewedPublicationFilter,
        ("by", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["briefing__title", "note"]
    list_select_related = ["briefing", "by"]
    show_full_result_count = False

    def get_queryset(self, request):
        """Authors see the trail of the briefings they may edit, not others' unpublished work."""
        trail = super().get_queryset(request)
        editable = Briefing.objects.editable_by(request.user)
        if editable.query.has_filters():  # an author, not an editor who may edit every briefing
            trail = trail.filter(briefing__in=editable.values("pk"))
        return trail
