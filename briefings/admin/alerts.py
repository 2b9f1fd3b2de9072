"""Email alerts for staff: what each change and message sent, the lists and how many follow them, the
sends that failed after their last try, and messages to a list. Readers' addresses are personal data:
only staff with the permission to see them do."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from ..models import Alert, ContentChange, EditorMessage, Subscriber, SubscriberList
from ..publishing import alerts as publishing
from .audit import RecordAdmin

SEE_ADDRESSES = "briefings.see_subscriber_addresses"


def annotated(name: str, description: str):
    """A column showing one of the counts the list's queryset annotates, sortable by it."""

    @admin.display(description=description, ordering=name)
    def column(self, obj) -> int:
        return getattr(obj, name)

    return column


class AlertCountsAdmin(admin.ModelAdmin):
    """Lists of changes or messages, each with how many of its alerts wait, went and failed."""

    def get_queryset(self, request):
        return super().get_queryset(request).with_alert_counts()

    queued = annotated("queued", "waiting")
    sent = annotated("sent", "sent")

    @admin.display(description="failed", ordering="failed")
    def failed(self, obj):
        if not obj.failed:
            return 0
        address = reverse("admin:briefings_alert_changelist")
        source = "change" if isinstance(obj, ContentChange) else "message"
        return format_html('<a href="{}?status=failed&{}__id__exact={}">{}</a>', address, source, obj.pk, obj.failed)


@admin.register(ContentChange)
class ContentChangeAdmin(AlertCountsAdmin, RecordAdmin):
    list_display = ["effective_at", "briefing_title", "kind", "queued", "sent", "failed", "short_note"]
    list_filter = ["kind"]
    search_fields = ["briefing__title", "briefing__slug"]
    list_select_related = ["briefing"]
    ordering = ["-effective_at", "-pk"]
    show_full_result_count = False

    @admin.display(description="briefing", ordering="briefing__title")
    def briefing_title(self, change) -> str:
        return Truncator(change.briefing.title).chars(70)

    @admin.display(description="note")
    def short_note(self, change) -> str:
        return Truncator(change.note).chars(90)


@admin.register(SubscriberList)
class SubscriberListAdmin(RecordAdmin):
    list_display = ["title", "kind", "subscribers", "immediately", "daily", "weekly", "message_link"]
    list_filter = ["kind"]
    search_fields = ["title"]
    readonly_fields = ["kind", "title", "theme", "region", "author", "series", "search", "created_at"]
    exclude = ["key"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_subscriber_counts()

    subscribers = annotated("subscribers", "readers")
    immediately = annotated("immediately", "immediately")
    daily = annotated("daily", "daily")
    weekly = annotated("weekly", "weekly")

    @admin.display(description="")
    def message_link(self, subscriber_list):
        address = reverse("admin:briefings_editormessage_add")
        return format_html('<a href="{}?subscriber_list={}">Send a message</a>', address, subscriber_list.pk)


@admin.register(EditorMessage)
class EditorMessageAdmin(AlertCountsAdmin):
    list_display = ["created_at", "subject", "subscriber_list", "sent_by", "queued", "sent", "failed"]
    list_select_related = ["subscriber_list", "sent_by"]
    fields = ["subscriber_list", "subject", "body"]
    autocomplete_fields = ["subscriber_list"]

    def has_change_permission(self, request, obj=None):
        return False  # a message sent is sent

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, message, form, change):
        message.sent_by = request.user
        readers = publishing.send_message(message)
        self.message_user(request, f"“{message.subject}” is on its way to {readers} reader(s).", messages.SUCCESS)


@admin.register(Alert)
class AlertAdmin(RecordAdmin):
    list_display = ["created_at", "change", "message", "reader", "frequency", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "frequency"]
    list_select_related = ["change__briefing", "message", "subscriber"]
    actions = ["send_again"]
    show_full_result_count = False

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        return shown if request.user.has_perm(SEE_ADDRESSES) else [name for name in shown if name != "reader"]

    def get_search_fields(self, request):
        return ["subscriber__address"] if request.user.has_perm(SEE_ADDRESSES) else []

    def get_fields(self, request, obj=None):
        fields = ["change", "message", "subscription", "frequency", "status", "created_at", "claimed_at", "sent_at"]
        fields += ["attempts", "error"]
        return ["reader", *fields] if request.user.has_perm(SEE_ADDRESSES) else fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="reader", ordering="subscriber__address")
    def reader(self, alert) -> str:
        return alert.subscriber.address

    @admin.action(description="Send the selected failed alerts again", permissions=["publish"])
    def send_again(self, request, queryset):
        count = publishing.send_again(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} failed alert(s) queued again.", messages.SUCCESS)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("briefings.publish_briefing")


@admin.register(Subscriber)
class SubscriberAdmin(RecordAdmin):
    """Readers' addresses, for staff allowed to see them (to answer a reader's request)."""

    list_display = ["address", "created_at"]
    search_fields = ["address"]
    fields = ["address", "created_at"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff and request.user.has_perm(SEE_ADDRESSES)  # the one permission it takes

    def has_module_permission(self, request):
        return self.has_view_permission(request)
