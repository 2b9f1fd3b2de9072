"""The briefing admin: writing, the list, and what a save records."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.text import smart_split, unescape_string_literal

from .. import publishing
from ..markdown import render_markdown
from ..models import Author, Briefing, BriefingAuthor
from .briefing_views import BriefingViews
from .forms import BriefingForm
from .lists import BriefingChangeList, PublicationDateFilter, RegionsInUseFilter, StatusFilter


class BylineInline(admin.TabularInline):
    model = BriefingAuthor
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    extra = 1
    verbose_name_plural = "Authors, in byline order"


@admin.register(Briefing)
class BriefingAdmin(BriefingViews, admin.ModelAdmin):
    form = BriefingForm
    inlines = [BylineInline]
    list_display = [
        "title",
        "status_label",
        "byline_names",
        "published_at",
        "updated_at",
        "revision_number",
        "is_featured",
    ]
    actions = ["feature", "stop_featuring"]
    list_filter = [
        StatusFilter,
        PublicationDateFilter,
        "themes",
        ("regions", RegionsInUseFilter),
        "byline__author",
        "series",
        "is_featured",
    ]
    search_fields = ["title", "standfirst", "slug", "byline__author__name"]
    autocomplete_fields = ["themes", "regions", "series"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["latest_revision", "series"]
    show_full_result_count = False  # one count, not two, on every filtered page of a large archive
    readonly_fields = ["status", "published_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "body"]}),
        ("Tags", {"fields": ["themes", "regions", "series", "part", "language"]}),
        ("Hero image", {"fields": ["hero_image", "hero_alt", "hero_credit"], "classes": ["collapse"]}),
        ("For readers", {"fields": ["update_note"]}),
        ("This save", {"fields": ["change_note", "base_revision"]}),
        ("Publication", {"fields": ["status", "published_at", "updated_at"]}),
    ]

    class Media:
        css = {"all": ["briefings/admin/editor.css"]}

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("byline__author")
        return queryset.editable_by(request.user)

    def get_changelist(self, request, **kwargs):
        return BriefingChangeList

    def get_search_results(self, request, queryset, search_term):
        """Every word (or "quoted phrase") in the title, standfirst, slug or an author's name."""
        words = [
            unescape_string_literal(word) if word[0] in "\"'" and word[-1] == word[0] else word
            for word in smart_split(search_term)
        ]
        return queryset.mentioning(words), False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return request.user.has_perm("briefings.change_any_briefing") or obj.owner_id == request.user.pk

    def has_delete_permission(self, request, obj=None):
        return False  # nothing an editor wrote is ever lost: unpublish instead

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestBriefingForm(form_class):
            def clean(self):
                data = super().clean()
                if not self.errors:
                    self.refuse_if_stale(request.user)
                return data

        return RequestBriefingForm

    @admin.action(description="Feature on the home page", permissions=["publish"])
    def feature(self, request, queryset):
        count = publishing.feature(queryset)
        self.message_user(request, f"{count} published briefing(s) featured; the newest is shown first.")

    @admin.action(description="Stop featuring", permissions=["publish"])
    def stop_featuring(self, request, queryset):
        self.message_user(request, f"{publishing.stop_featuring(queryset)} briefing(s) no longer featured.")

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("briefings.publish_briefing")

    @admin.display(description="Status")
    def status_label(self, briefing):
        if briefing.is_withdrawn:
            return "Withdrawn"
        if briefing.is_scheduled:
            return f"Scheduled for {timezone.localtime(briefing.published_at):%Y-%m-%d %H:%M}"
        if briefing.has_unpublished_changes:
            return "Published, with unpublished changes"
        return briefing.get_status_display()

    @admin.display(description="Authors")
    def byline_names(self, briefing):
        return ", ".join(author.name for author in briefing.authors)

    @admin.display(description="Revision", ordering="latest_revision__number")
    def revision_number(self, briefing):
        return briefing.latest_revision.number if briefing.latest_revision else "—"

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """A new briefing starts with its writer's own byline, when they have an author profile."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if obj.pk is None and request.method == "GET" and isinstance(inline, BylineInline):
            author = Author.objects.filter(user=request.user).first()
            if author:
                kwargs["initial"] = [{"author": author.pk, "position": 0}]
        return kwargs

    def get_readonly_fields(self, request, obj=None):
        """A published briefing's address is public: only those who publish may move it."""
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.status == Briefing.Status.PUBLISHED and not self.has_publish_permission(request):
            return [*fields, "slug"]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        return super().get_prepopulated_fields(request, obj) if obj is None else {}

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)
        if change and "slug" in form.changed_data:
            publishing.record_move(obj, old_slug=form.initial["slug"], by=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        briefing = form.instance
        publishing.record_revision(briefing, by=request.user, note=form.cleaned_data.get("change_note", ""))
        dropped = render_markdown(briefing.body).dropped
        if dropped:
            messages.warning(
                request,
                "Saved, but the published page will leave out: "
                + "; ".join(dropped)
                + ". Your Markdown is kept as written.",
            )
