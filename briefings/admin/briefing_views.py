"""The briefing admin's own pages: history, compare, restore, the workflow and the Markdown editor's endpoints."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .. import diffing, languages, publishing
from ..images import store_image
from ..markdown import render_markdown
from ..models import Briefing, PreviewLink, StateChange
from ..models.workflow import Step, may_ever, needs_second_editor, refusal
from .forms import NoteForm, PreviewLinkForm, PublishForm, TranslationForm

HISTORY_PAGE_SIZE = 50


class BriefingViews:
    """Mixed into BriefingAdmin: its custom views, registered through get_urls."""

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
            ("<int:pk>/translate/", self.translate_view, "translate"),
            ("<int:pk>/preview-links/<int:link_id>/revoke/", self.revoke_preview_view, "revoke_preview"),
        ]
        patterns = []
        for route, function, name in custom:
            wrapped, full_name = view(function, name)
            patterns.append(path(route, wrapped, name=full_name))
        return patterns + super().get_urls()

    def briefing_or_404(self, request, pk, *, step: Step | None = None) -> Briefing:
        """The briefing, if the user may see it and may ever take `step` on it (the table says in which states)."""
        briefing = self.get_object(request, pk)  # None for an id that is not one, as for one not found
        if briefing is None:
            raise Http404("No such briefing.")
        allowed = may_ever(request.user, step, briefing) if step else self.has_view_permission(request, briefing)
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
        briefing = self.briefing_or_404(request, object_id)
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
        briefing = self.briefing_or_404(request, pk)
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
        briefing = self.briefing_or_404(request, pk, step=Step.RESTORE)
        revision = get_object_or_404(briefing.revisions, number=number)
        if request.method == "POST":
            try:
                restored = publishing.restore(briefing, revision, by=request.user)
            except publishing.WorkflowError as error:
                messages.error(request, str(error))
            else:
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
        briefing = self.briefing_or_404(request, pk, step=Step.PUBLISH)
        form = PublishForm(
            request.POST or None,
            is_live=briefing.is_published,
            needs_reason=needs_second_editor(briefing, request.user),
            initial={"revision": briefing.latest_revision_id},
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
                    without_review_reason=form.cleaned_data.get("without_review_reason", ""),
                )
            except publishing.WorkflowError as error:
                form.add_error(None, str(error))
            else:
                verb = "scheduled" if change.action == StateChange.Action.SCHEDULED else "published"
                messages.success(request, f"“{briefing.title}” {verb}.")
                return HttpResponseRedirect(reverse("admin:briefings_briefing_change", args=[pk]))
        return self.page(
            request,
            briefing,
            "publish.html",
            f"Publish “{briefing.title}”",
            form=form,
            refusal=refusal(briefing, Step.PUBLISH, request.user),
        )

    def workflow_view(self, request, pk, *, step, action, label, explanation, success):
        briefing = self.briefing_or_404(request, pk, step=step)
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
            step=Step.UNPUBLISH,
            action=publishing.unpublish,
            label="Unpublish",
            explanation="The briefing leaves the public site everywhere; its address answers 410 Gone.",
            success="Unpublished.",
        )

    def withdraw_view(self, request, pk):
        return self.workflow_view(
            request,
            pk,
            step=Step.WITHDRAW,
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
            step=Step.SUBMIT,
            label="Submit for review",
            action=publishing.submit_for_review,
            explanation="Editors will see the briefing in review.",
            success="Submitted for review.",
        )

    def return_view(self, request, pk):
        return self.workflow_view(
            request,
            pk,
            step=Step.RETURN,
            action=publishing.return_to_draft,
            label="Return to draft",
            explanation="The briefing goes back to its author as a draft.",
            success="Returned to draft.",
        )

    def translate_view(self, request, pk):
        """Start a translation of the briefing into another of the site's languages (a POST from its page)."""
        briefing = self.briefing_or_404(request, pk)
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = TranslationForm(request.POST, missing=missing_languages(briefing.work()))
        if not form.is_valid():
            messages.error(request, "Choose one of the site's languages the work is not yet written in.")
            return HttpResponseRedirect(reverse("admin:briefings_briefing_change", args=[briefing.pk]))
        try:
            translation = publishing.add_translation(briefing, form.cleaned_data["language"], by=request.user)
        except (publishing.WorkflowError, ValidationError) as error:
            messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
            return HttpResponseRedirect(reverse("admin:briefings_briefing_change", args=[briefing.pk]))
        messages.success(request, f"A {languages.name(translation.language)} draft was started from this text.")
        return HttpResponseRedirect(reverse("admin:briefings_briefing_change", args=[translation.pk]))

    def preview_links_view(self, request, pk):
        briefing = self.briefing_or_404(request, pk, step=Step.SHARE_PREVIEW)
        form = PreviewLinkForm(request.POST or None)
        new_link = None
        if request.method == "POST" and form.is_valid():
            link = publishing.share_preview(
                briefing, by=request.user, note=form.cleaned_data["note"], days=form.cleaned_data["days"]
            )
            new_link = request.build_absolute_uri(reverse("briefings:preview", args=[link.token]))
        links = briefing.preview_links.select_related("created_by")
        return self.page(
            request, briefing, "preview_links.html", "Preview links", form=form, links=links, new_link=new_link
        )

    def revoke_preview_view(self, request, pk, link_id):
        briefing = self.briefing_or_404(request, pk, step=Step.REVOKE_PREVIEW)
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


def missing_languages(work: list[Briefing]) -> list[tuple[str, str]]:
    """The site's languages the work is not yet written in."""
    written = {briefing.language for briefing in work}
    return [(code, name) for code, name in settings.LANGUAGES if code not in written]
