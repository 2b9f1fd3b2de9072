"""The PDFs the workers make, for staff: where each stands and why a try failed; readers never see this."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from ..models import VersionPdf
from ..publishing.pdfs import request_pdf
from .audit import RecordAdmin


@admin.register(VersionPdf)
class VersionPdfAdmin(RecordAdmin):
    list_display = ["revision", "status_shown", "pages", "size_shown", "attempts", "made_at", "error"]
    list_filter = ["status"]
    search_fields = ["revision__briefing__slug", "revision__title"]
    list_select_related = ["revision__briefing"]
    readonly_fields = [field.name for field in VersionPdf._meta.fields]
    actions = ["make_again"]
    show_full_result_count = False

    @admin.display(description="status", ordering="status")
    def status_shown(self, pdf: VersionPdf) -> str:
        if pdf.is_ready and pdf.error:
            return "Ready (making it again failed)"
        if pdf.is_ready and pdf.is_being_made:
            return "Ready (being made again)"
        return pdf.get_status_display()

    @admin.display(description="size", ordering="size")
    def size_shown(self, pdf: VersionPdf) -> str:
        return filesizeformat(pdf.size) if pdf.size else "—"

    @admin.action(description="Make the selected PDFs again", permissions=["publish"])
    def make_again(self, request, queryset):
        with transaction.atomic():
            for pdf in queryset.select_related("revision"):
                request_pdf(pdf.revision)
        self.message_user(request, f"{queryset.count()} PDF(s) queued.", messages.SUCCESS)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("briefings.publish_briefing")
