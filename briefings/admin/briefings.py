"""The briefing admin: writing, the list, and what a save records."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal

from .. import publishing
from ..models import Author, Briefing, BriefingAuthor
from ..models.workflow import Step
from .briefing_views import BriefingViews, missing_languages
from .forms import BriefingForm, TranslationForm
from .lists import BriefingChangeList, PublicationDateFilter, RegionsInUseFilter, StatusFilter, UnreviewedFilter


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
        "language",
        "is_featured",
    ]
    actions = ["feature", "stop_featuring"]
    list_filter = [
        StatusFilter,
        UnreviewedFilter,
        PublicationDateFilter,
        "themes",
        ("regions", RegionsInUseFilter),
        "byline__author",
        "series",
        "language",
        "is_featured",
    ]
    search_fields = ["title", "standfirst", "slug", "byline__author__name"]
    autocomplete_fields = ["themes", "regions", "series"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["latest_revision", "series"]
    show_full_result_count = False  # one count, not two, on every filtered page of a large archive
    readonly_fields = ["status_label", "published_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "body"]}),
        ("Tags", {"fields": ["themes", "regions", "series", "part", "language"]}),
        ("Hero image", {"fields": ["hero_image", "hero_alt", "hero_credit"], "classes": ["collapse"]}),
        ("This save", {"fields": ["change_note", "base_revision"]}),
        ("Publication", {"fields": ["status_label", "published_at", "updated_at"]}),
    ]

    class Media:
        css = {"all": ["briefings/prose.css", "briefings/admin/editor.css"]}  # the preview reads like the page

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

    @admin.action(description="Feature on the home page", permissions=["publish"])
    def feature(self, request, queryset):
        count = publishing.feature(queryset, by=request.user)
        self.message_user(request, f"{count} published briefing(s) featured; the newest is shown first.")

    @admin.action(description="Stop featuring", permissions=["publish"])
    def stop_featuring(self, request, queryset):
        count = publishing.stop_featuring(queryset, by=request.user)
        self.message_user(request, f"{count} briefing(s) no longer featured.")

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("briefings.publish_briefing")

    @admin.display(description="Status")
    def status_label(self, briefing):
        return briefing.status_label

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
        """A published briefing's address is public: the workflow table says who may move it."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not obj.can(Step.MOVE, request.user):
            fields.append("slug")
        if obj is not None and (obj.translation_of_id or obj.translations.exists()):
            fields.append("language")  # each language of a work is a briefing of its own
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        return super().get_prepopulated_fields(request, obj) if obj is None else {}

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can"] = obj.allowed_steps(request.user) if obj is not None else {}
        if obj is not None:
            work = obj.work()
            context["work"] = [briefing for briefing in work if briefing.pk != obj.pk]
            if self.has_add_permission(request):
                context["translation_form"] = TranslationForm(missing=missing_languages(work))
        if obj is not None and obj.is_published:
            context["alerts"] = obj.content_changes.alert_totals()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        """Nothing yet: save_related saves the whole draft, byline included, through publishing.save_draft."""

    def save_related(self, request, form, formsets, change):
        draft = form.instance
        saved = publishing.save_draft(
            draft,
            content={name: getattr(draft, name) for name in Briefing.EDITED_FIELDS},
            tags=publishing.BriefingTags(
                themes=list(form.cleaned_data["themes"]),
                regions=list(form.cleaned_data["regions"]),
                authors=byline_from(formsets),
            ),
            by=request.user,
            note=form.cleaned_data.get("change_note", ""),
            base_revision=form.cleaned_data.get("base_revision") if change else None,
        )
        request.saved_draft = saved
        if saved.dropped_markup:
            messages.warning(
                request,
                "Saved, but the published page will leave out: "
                + "; ".join(saved.dropped_markup)
                + ". Your Markdown is kept as written.",
            )

    def construct_change_message(self, request, form, formsets, add=False):
        return super().construct_change_message(request, form, [], add)  # the byline is in the revision

    def log_change(self, request, obj, message):
        saved = getattr(request, "saved_draft", None)
        if saved is None or not saved.is_refused:
            return super().log_change(request, obj, message)
        return None

    def response_change(self, request, obj):
        saved = getattr(request, "saved_draft", None)
        if saved is None or not saved.is_refused:
            return super().response_change(request, obj)
        compare = reverse("admin:briefings_briefing_compare", args=[obj.pk])
        messages.error(
            request,
            format_html(
                "{} saved revision {} while you were editing, so your save was refused. Your text is kept as "
                'revision {}. <a href="{}?from={}&amp;to={}">Compare the two</a>, then merge them here, or '
                "restore your revision from the history.",
                saved.current.created_by or "An import",
                saved.current.number,
                saved.revision.number,
                compare,
                saved.current.number,
                saved.revision.number,
            ),
        )
        return HttpResponseRedirect(reverse("admin:briefings_briefing_change", args=[obj.pk]))


def byline_from(formsets) -> list[Author]:
    """The authors the byline form lists, in the order of their positions, leaving out removed lines."""
    lines = [
        (form.cleaned_data["position"] or 0, index, form.cleaned_data["author"])
        for formset in formsets
        for index, form in enumerate(formset.forms)
        if form.cleaned_data.get("author") and not form.cleaned_data.get("DELETE")
    ]
    return [author for _, _, author in sorted(lines, key=lambda line: line[:2])]
