"""The forms of the briefing admin: the editor's form and those of the workflow pages."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from ..images import reencode_image
from ..models import Briefing, StateChange


def reencoded(upload):
    """A new upload checked and re-encoded under a generated name; a kept or cleared file as it is."""
    if isinstance(upload, UploadedFile):
        encoded, extension = reencode_image(upload.read())
        return ContentFile(encoded, name=f"{uuid.uuid4().hex}.{extension}")
    return upload


class BriefingForm(forms.ModelForm):
    change_note = forms.CharField(
        required=False, max_length=500, help_text="What this save changes, for the history. Optional."
    )
    base_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Briefing
        # The note readers see is written when publishing a correction or update, not here.
        fields = [*(name for name in Briefing.EDITED_FIELDS if name != "update_note"), "themes", "regions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_revision"].initial = self.instance.latest_revision_id
        if "language" in self.fields:
            self.fields["language"].widget = forms.Select(choices=settings.LANGUAGES)

    def clean_hero_image(self):
        return reencoded(self.cleaned_data.get("hero_image"))

    def clean_body(self):
        return self.cleaned_data.get("body", "").replace("\r\n", "\n")  # browsers send a textarea's lines with CRs


class PublishForm(forms.Form):
    change_kind = forms.ChoiceField(
        label="This change is",
        choices=[(k, v) for k, v in StateChange.ChangeKind.choices if k != StateChange.ChangeKind.FIRST],
        initial=StateChange.ChangeKind.MINOR,
        widget=forms.RadioSelect,
        help_text="Corrections, clarifications and updates are shown to readers in the change log.",
    )
    note = forms.CharField(
        label="Note for readers",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What changed and why. For a correction, clarification or update it is required, and readers "
        "see it at the top of the briefing and in its change log.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, help_text="The revision the publisher reviewed.")
    publish_at = forms.DateTimeField(
        required=False,
        help_text="Leave empty to publish now; a future time schedules the first publication.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    without_review_reason = forms.CharField(
        label="Publish without review, because",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="You wrote this revision yourself: another editor should review and publish it. If it cannot "
        "wait, say why; the audit trail flags the publication as made without review.",
    )

    def __init__(self, *args, is_live: bool, needs_reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["publish_at" if is_live else "change_kind"]
        if not needs_reason:
            del self.fields["without_review_reason"]

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


class TranslationForm(forms.Form):
    language = forms.ChoiceField(label="Translate into")

    def __init__(self, *args, missing: list[tuple[str, str]], **kwargs):
        super().__init__(*args, auto_id="translate_%s", **kwargs)  # beside the change form's own `language`
        self.fields["language"].choices = missing
