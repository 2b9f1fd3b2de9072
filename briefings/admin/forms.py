"""The forms of the briefing admin: the editor's form and those of the workflow pages."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.html import format_html

from .. import publishing
from ..images import reencode_image
from ..models import CONTENT_FIELDS, Briefing, StateChange


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
