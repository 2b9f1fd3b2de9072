"""The editors' side: writing, versions, workflow and the Markdown editor's endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Max, Min, OuterRef
from django.db.models.functions import Now
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal

from . import diffing, publishing
from .images import reencode_image, store_image
from .markdown import render_markdown
from .models import CONTENT_FIELDS, Author, Briefing, BriefingAuthor, PreviewLink, Region, Series, StateChange, Theme

HISTORY_PAGE_SIZE = 50


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


admin.site.site_header = "Briefings"
admin.site.site_title = "Briefings admin"
admin.site.index_title = "Editorial desk"


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "briefing_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(briefing_total=Count("briefings")).order_by("name")

    @admin.display(description="Briefings", ordering="briefing_total")
    def briefing_count(self, theme):
        return theme.briefing_total


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["name", "slug", "kind", "code", "alpha3", "description", "parents"]

    def clean_parents(self):
        parents = self.cleaned_data["parents"]
        if self.instance.pk:
            inside = Region.objects.with_descendants_of(self.instance)
            loops = parents.filter(pk__in=inside)
            if loops.exists():
                names = ", ".join(region.name for region in loops)
                raise ValidationError(f"{names} is inside this region already, so it cannot also contain it.")
        return parents


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["name", "kind", "code", "parent_names"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "alpha3"]
    autocomplete_fields = ["parents"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("parents")

    @admin.display(description="Inside")
    def parent_names(self, region):
        return ", ".join(parent.name for parent in region.parents.all())


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    list_select_related = ["user"]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "slug"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}


class BylineInline(admin.TabularInline):
    model = BriefingAuthor
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    extra = 1
    verbose_name_plural = "Authors, in byline order"


class BriefingForm(forms.ModelForm):
    change_note = forms.CharField(
        required=False, max_length=500, help_text="What this save changes, for the history. Optional."
    )
    base_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Briefing
        fields = [
            "title",
            "slug",
            "standfirst",
            "body",
            "themes",
            "regions",
            "series",
            "part",
            "language",
            "hero_image",
            "hero_alt",
            "hero_credit",
            "update_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_revision"].initial = self.instance.latest_revision_id

    def clean_hero_image(self):
        upload = self.cleaned_data.get("hero_image")
        if isinstance(upload, UploadedFile):
            encoded, extension = reencode_image(upload.read())
            return ContentFile(encoded, name=f"{uuid.uuid4().hex}.{extension}")
        return upload

    def clean_body(self):
        body = self.cleaned_data.get("body", "").replace("\r\n", "\n")
        if len(body) > settings.BRIEFING_BODY_MAX_CHARS:
            raise ValidationError(f"The body is longer than {settings.BRIEFING_BODY_MAX_CHARS:,} characters.")
        return body

    def refuse_if_stale(self, user) -> None:
        """Refuse a save begun on an older revision, keeping the refused text as a revision."""
        if not self.instance.pk:
            return
        content = {name: self.cleaned_data.get(name, getattr(self.instance, name)) for name in CONTENT_FIELDS}
        tags = publishing.BriefingTags(
            themes=list(self.cleaned_data.get("themes", [])),
            regions=list(self.cleaned_data.get("regions", [])),
            authors=self.instance.authors,
        )
        try:
            publishing.ensure_not_stale(
                self.instance,
                base_revision_id=self.cleaned_data.get("base_revision"),
                content=content,
                tags=tags,
                by=user,
            )
        except publishing.StaleEditError as stale:
            compare = reverse("admin:briefings_briefing_compare", args=[self.instance.pk])
            who = stale.current.created_by or "an import"
            raise ValidationError(
                format_html(
                    "{} saved revision {} while you were editing, so your save was refused. Your text is kept as "
                    'revision {}. <a href="{}?from={}&amp;to={}">Compare the two</a>, then reload this page '
                    "and merge, or restore your revision from the history.",
                    who,
                    stale.current.number,
                    stale.refused.number,
                    compare,
                    stale.current.number,
                    stale.refused.number,
                )
            ) from stale


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            *Briefing.Status.choices,
            ("scheduled", "Scheduled"),
            ("changed", "Published, with unpublished changes"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "scheduled":
            return queryset.filter(status=Briefing.Status.PUBLISHED, published_at__gt=Now())
        if value == "changed":
            return queryset.filter(status=Briefing.Status.PUBLISHED).exclude(live_revision=F("latest_revision"))
        if value in Briefing.Status.values:
            return queryset.filter(status=value)
        return queryset


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


class PublishForm(forms.Form):
    change_kind = forms.ChoiceField(
        label="This change is",
        choices=[(k, v) for k, v in StateChange.ChangeKind.choices if k != StateChange.ChangeKind.FIRST],
        initial=StateChange.ChangeKind.MINOR,
        widget=forms.RadioSelect,
        help_text="Corrections, clarifications and updates are shown to readers in the change log.",
    )
    note = forms.CharField(
        label="Change note",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What changed and why. Required for a correction, clarification or update.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, help_text="The revision the publisher reviewed.")
    publish_at = forms.DateTimeField(
        required=False,
        help_text="Leave empty to publish now; a future time schedules the first publication.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, is_live: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_live:
            del self.fields["change_kind"]
        else:
            del self.fields["publish_at"]

    def clean(self):
        data = super().clean()
        kind = data.get("change_kind", StateChange.ChangeKind.MINOR)
        if kind != StateChange.ChangeKind.MINOR and not data.get("note", "").strip():
            self.add_error("note", "Readers will see this change: say what changed.")
        return data


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PreviewLinkForm(forms.Form):
    note = forms.CharField(max_length=200, required=False, help_text="Who the link is for.")
    days = forms.IntegerField(min_value=1, max_value=30, initial=7, help_text="Days until the link expires.")


@admin.register(Briefing)
class BriefingAdmin(admin.ModelAdmin):
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

    # Custom views: history, compare, restore, workflow and the editor's endpoints.

    def get_urls(self):
        def view(function, name):
            return self.admin_site.admin_view(function), f"briefings_briefing_{name}"

        custom = [
            ("markdown/preview/", self.markdown_preview, "markdown_preview"),
            ("markdown/upload/", self.markdown_upload, "markdown_upload"),
            ("<int:pk>/compare/", self.compare_view, "compare"),
            ("<int:pk>/restore/<int:number>/", self.restore_view, "restore"),
            ("<int:pk>/publish/", self.publish_view, "publish"),
            ("<int:pk>/unpublish/", self.unpublish_view, "unpublish"),
            ("<int:pk>/withdraw/", self.withdraw_view, "withdraw"),
            ("<int:pk>/submit/", self.submit_view, "submit"),
            ("<int:pk>/return/", self.return_view, "return"),
            ("<int:pk>/preview-links/", self.preview_links_view, "preview_links"),
            ("<int:pk>/preview-links/<int:link_id>/revoke/", self.revoke_preview_view, "revoke_preview"),
        ]
        patterns = []
        for route, function, name in custom:
            wrapped, full_name = view(function, name)
            patterns.append(path(route, wrapped, name=full_name))
        return patterns + super().get_urls()

    def briefing_or_404(self, request, pk, *, permission="change") -> Briefing:
        briefing = self.get_object(request, pk)  # None for an id that is not one, as for one not found
        if briefing is None:
            raise Http404("No such briefing.")
        allowed = {
            "view": self.has_view_permission(request, briefing),
            "change": self.has_change_permission(request, briefing),
            "publish": request.user.has_perm("briefings.publish_briefing"),
        }[permission]
        if not allowed:
            raise PermissionDenied
        return briefing

    def page(self, request, briefing, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/briefings/briefing/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "briefing": briefing,
                "original": briefing,
                "title": title,
                **context,
            },
        )

    def history_view(self, request, object_id, extra_context=None):
        """Revisions and audit trail a page at a time: a briefing may have hundreds of each."""
        briefing = self.briefing_or_404(request, object_id, permission="view")
        revisions = (
            briefing.revisions.select_related("created_by")
            .only("number", "created_at", "change_note", "is_refused_edit", "created_by__username")
            .order_by("-number")
        )
        state_changes = (
            briefing.state_changes.select_related("by", "revision")
            .only("at", "action", "change_kind", "note", "by__username", "revision__number")
            .order_by("-at", "-pk")
        )
        return self.page(
            request,
            briefing,
            "history.html",
            f"History of “{briefing.title}”",
            revisions=Paginator(revisions, HISTORY_PAGE_SIZE).get_page(request.GET.get("page")),
            state_changes=Paginator(state_changes, HISTORY_PAGE_SIZE).get_page(request.GET.get("trail")),
            can_change=self.has_change_permission(request, briefing),
        )

    def compare_view(self, request, pk):
        briefing = self.briefing_or_404(request, pk, permission="view")
        revisions = briefing.revisions.prefetch_related("themes", "regions", "byline__author")
        try:
            old = revisions.get(number=int(request.GET.get("from", "")))
            new = revisions.get(number=int(request.GET.get("to", "")))
        except (ValueError, briefing.revisions.model.DoesNotExist):
            messages.error(request, "Choose two revisions of this briefing to compare.")
            return HttpResponseRedirect(reverse("admin:briefings_briefing_history", args=[pk]))
        return self.page(
            request,
            briefing,
            "compare.html",
            f"Revision {old.number} → {new.number}",
            old=old,
            new=new,
            changes=diffing.compare(old, new),
        )

    def restore_view(self, request, pk, number):
        briefing = self.briefing_or_404(request, pk)
        revision = get_object_or_404(briefing.revisions, number=number)
        if request.method == "POST":
            restored = publishing.restore(briefing, revision, by=request.user)
            messages.success(request, f"Revision {number} restored as revision {restored.number}.")
            return HttpResponseRedirect(reverse("admin:briefings_briefing_change", args=[pk]))
        return self.page(
            request,
            briefing,
            "confirm.html",
            f"Restore revision {number}?",
            action_label="Restore",
            explanation=(
                f"The content of revision {number} becomes a new revision. "
                "Every existing revision stays in the history."
            ),
        )

    def publish_view(self, request, pk):
        briefing = self.briefing_or_404(request, pk, permission="publish")
        form = PublishForm(
            request.POST or None, is_live=briefing.is_published, initial={"revision": briefing.latest_revision_id}
        )
        if request.method == "POST" and form.is_valid():
            try:
                change = publishing.publish(
                    briefing,
                    by=request.user,
                    note=form.cleaned_data["note"],
                    change_kind=form.cleaned_data.get("change_kind", StateChange.ChangeKind.MINOR),
                    at=form.cleaned_data.get("publish_at"),
                    revision_id=form.cleaned_data["revision"],
                )
            except publishing.WorkflowError as error:
                form.add_error(None, str(error))
            else:
                verb = "scheduled" if change.action == StateChange.Action.SCHEDULED else "published"
                messages.success(request, f"“{briefing.title}” {verb}.")
                return HttpResponseRedirect(reverse("admin:briefings_briefing_change", args=[pk]))
        return self.page(request, briefing, "publish.html", f"Publish “{briefing.title}”", form=form)

    def workflow_view(self, request, pk, *, permission, action, label, explanation, success):
        briefing = self.briefing_or_404(request, pk, permission=permission)
        form = NoteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                action(briefing, by=request.user, note=form.cleaned_data["note"])
            except publishing.WorkflowError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, success)
            return HttpResponseRedirect(reverse("admin:briefings_briefing_change", args=[pk]))
        return self.page(
            request,
            briefing,
            "confirm.html",
            f"{label} “{briefing.title}”?",
            action_label=label,
            explanation=explanation,
            form=form,
        )

    def unpublish_view(self, request, pk):
        return self.workflow_view(
            request,
            pk,
            permission="publish",
            action=publishing.unpublish,
            label="Unpublish",
            explanation="The briefing leaves the public site everywhere; its address answers 410 Gone.",
            success="Unpublished.",
        )

    def withdraw_view(self, request, pk):
        return self.workflow_view(
            request,
            pk,
            permission="publish",
            action=publishing.withdraw,
            label="Withdraw",
            explanation=(
                "A retraction in the open: the page and its versions stay, marked withdrawn with your note, "
                "and the briefing leaves lists, search and feeds. Readers see the note: say why."
            ),
            success="Withdrawn.",
        )

    def submit_view(self, request, pk):
        return self.workflow_view(
            request,
            pk,
            permission="change",
            label="Submit for review",
            action=publishing.submit_for_review,
            explanation="Editors will see the briefing in review.",
            success="Submitted for review.",
        )

    def return_view(self, request, pk):
        return self.workflow_view(
            request,
            pk,
            permission="publish",
            action=publishing.return_to_draft,
            label="Return to draft",
            explanation="The briefing goes back to its author as a draft.",
            success="Returned to draft.",
        )

    def preview_links_view(self, request, pk):
        briefing = self.briefing_or_404(request, pk)
        form = PreviewLinkForm(request.POST or None)
        new_link = None
        if request.method == "POST" and form.is_valid():
            token = publishing.share_preview(
                briefing, by=request.user, note=form.cleaned_data["note"], days=form.cleaned_data["days"]
            )
            new_link = request.build_absolute_uri(reverse("briefings:preview", args=[token]))
        links = briefing.preview_links.select_related("created_by")
        return self.page(
            request, briefing, "preview_links.html", "Preview links", form=form, links=links, new_link=new_link
        )

    def revoke_preview_view(self, request, pk, link_id):
        briefing = self.briefing_or_404(request, pk)
        link = get_object_or_404(PreviewLink, pk=link_id, briefing=briefing)
        if request.method == "POST":
            publishing.revoke_preview(link, by=request.user)
            messages.success(request, "The preview link no longer works.")
        return HttpResponseRedirect(reverse("admin:briefings_briefing_preview_links", args=[pk]))

    def editor_endpoint_allowed(self, request) -> None:
        if not (request.user.has_perm("briefings.add_briefing") or request.user.has_perm("briefings.change_briefing")):
            raise PermissionDenied

    def markdown_preview(self, request):
        self.editor_endpoint_allowed(request)
        if request.method != "POST":
            return HttpResponse(status=405)
        content = request.POST.get("content", "")
        if len(content) > settings.BRIEFING_BODY_MAX_CHARS:
            message = f"The text is longer than {settings.BRIEFING_BODY_MAX_CHARS:,} characters; nothing to preview."
            return HttpResponse(format_html("<p><strong>{}</strong></p>", message), status=400)
        return HttpResponse(render_markdown(content).html)

    def markdown_upload(self, request):
        self.editor_endpoint_allowed(request)
        if request.method != "POST" or "image" not in request.FILES:
            return JsonResponse({"image": ["Choose an image to upload."]}, status=400)
        try:
            name = store_image(request.FILES["image"].read(), folder="uploads")
        except ValidationError as error:
            return JsonResponse({"image": error.messages}, status=400)
        return JsonResponse({"image_code": f"![Describe the image]({default_storage.url(name)})"})


@admin.register(StateChange)
class StateChangeAdmin(admin.ModelAdmin):
    """The audit trail, read-only."""

    list_display = ["at", "briefing", "action", "change_kind", "by", "note"]
    list_filter = [RecordedDateFilter, "action", "change_kind", ("by", admin.RelatedOnlyFieldListFilter)]
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
