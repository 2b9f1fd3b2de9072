"""Comparing two versions of a briefing: word by word on the body, field by field on the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db.models.fields.files import FieldFile
from django.utils.text import capfirst

from .models import CONTENT_FIELDS, Revision

TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    """A run of text that is unchanged ("equal"), added ("insert") or removed ("delete")."""

    op: str
    text: str


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    segments: list[Segment]

    @property
    def is_changed(self) -> bool:
        return self.old != self.new


def diff_words(old: str, new: str) -> list[Segment]:
    old_tokens, new_tokens = TOKEN.findall(old), TOKEN.findall(new)
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    segments: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("equal", "delete", "replace"):
            removed = "".join(old_tokens[i1:i2])
            segments.append(Segment("equal" if op == "equal" else "delete", removed))
        if op in ("insert", "replace"):
            segments.append(Segment("insert", "".join(new_tokens[j1:j2])))
    return merge_runs(segments)


def merge_runs(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].op == segment.op:
            merged[-1] = Segment(segment.op, merged[-1].text + segment.text)
        elif segment.text:
            merged.append(segment)
    return merged


def describe(revision: Revision) -> dict[str, str]:
    """A revision's fields as the text an editor reads: title, address and tags first, the body last."""
    fields = {"Title": revision.title, "Slug": revision.slug, "Standfirst": revision.standfirst}
    fields["Authors"] = ", ".join(author.name for author in revision.authors)
    fields["Themes"] = ", ".join(sorted(theme.name for theme in revision.themes.all()))
    fields["Regions"] = ", ".join(sorted(region.name for region in revision.regions.all()))
    for name in CONTENT_FIELDS:
        label = capfirst(Revision._meta.get_field(name).verbose_name)
        fields.setdefault(label, as_text(getattr(revision, name)))
    fields["Body"] = fields.pop("Body")
    return fields


def as_text(value) -> str:
    if isinstance(value, FieldFile):
        return value.name or ""
    return "" if value is None else str(value)


def compare(old: Revision, new: Revision) -> list[FieldChange]:
    """Every field of two revisions, with word-level segments for those that differ."""
    old_fields, new_fields = describe(old), describe(new)
    return [
        FieldChange(label, old_fields[label], new_fields[label], diff_words(old_fields[label], new_fields[label]))
        for label in old_fields
    ]


# Fields that mean something to editors only; readers' diffs leave them out.
EDITOR_ONLY_FIELDS = {"Slug", "Hero image"}


def elide_unchanged(segments: list[Segment], *, context: int = 200) -> list[Segment]:
    """Shorten long unchanged stretches to their edges, so readers see changes in context, not the whole text."""
    shortened: list[Segment] = []
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        keep_before = context if index > 0 else 0
        keep_after = context if index < last else 0
        if segment.op != "equal" or len(segment.text) <= keep_before + keep_after + context:
            shortened.append(segment)
            continue
        if keep_before:
            shortened.append(Segment("equal", segment.text[:keep_before]))
        shortened.append(Segment("skip", "…"))
        if keep_after:
            shortened.append(Segment("equal", segment.text[-keep_after:]))
    return shortened
