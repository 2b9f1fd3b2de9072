"""Comparing two versions of a briefing: word by word on the body, field by field on the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html.parser import HTMLParser

from django.db.models.fields.files import FieldFile
from django.utils.text import capfirst
from django.utils.translation import gettext_noop

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


# The labels of the fields named after their model field, which pages of changes translate as the others.
FIELD_LABELS = (
    gettext_noop("Hero image alt text"),
    gettext_noop("Hero image credit"),
    gettext_noop("Series"),
    gettext_noop("Part"),
    gettext_noop("Language"),
    gettext_noop("Update note"),
)


def describe(revision: Revision) -> dict[str, str]:
    """A revision's fields as the text an editor reads: title, address and tags first, the body last."""
    fields = {gettext_noop("Title"): revision.title, gettext_noop("Slug"): revision.slug}
    fields[gettext_noop("Standfirst")] = revision.standfirst
    fields[gettext_noop("Authors")] = ", ".join(author.name for author in revision.authors)
    fields[gettext_noop("Themes")] = ", ".join(sorted(theme.name for theme in revision.themes.all()))
    fields[gettext_noop("Regions")] = ", ".join(sorted(region.name for region in revision.regions.all()))
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


# Readers compare what they read: the rendered text, block by block, not the Markdown source.

BLOCK_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "li", "tr", "pre", "figcaption", "dt", "dd"}


@dataclass(frozen=True)
class Block:
    kind: str  # the element it came from ("p", "h2", "li", "tr"…), or "note" for a footnote
    text: str


@dataclass(frozen=True)
class BlockChange:
    kind: str
    op: str  # "equal", "insert", "delete", "replace" or "skip" (unchanged blocks left out)
    segments: list[Segment]


class BlockReader(HTMLParser):
    """The text of each paragraph, heading, list item, table row and note, as a reader sees it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.kind, self.depth, self.text = "", 0, []
        self.in_notes = self.in_marker = self.in_backref = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "div" and attributes.get("class") == "footnote":
            self.in_notes = True
        elif tag == "sup" and (attributes.get("id") or "").startswith("fnref"):
            self.in_marker = True
        elif tag == "a" and attributes.get("class") == "footnote-backref":
            self.in_backref = True
        elif tag in ("td", "th") and self.depth and "".join(self.text).strip():
            self.text.append(" · ")
        if tag in BLOCK_TAGS:
            if not self.depth:
                self.kind = "note" if self.in_notes and tag == "li" else tag
                self.text = []
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "sup":
            self.in_marker = False
        elif tag == "a":
            self.in_backref = False
        elif tag in BLOCK_TAGS and self.depth:
            self.depth -= 1
            if not self.depth:
                text = " ".join("".join(self.text).replace("\u2060", "").split())
                if text:
                    self.blocks.append(Block(self.kind, text))

    def handle_data(self, data):
        if self.depth and not self.in_backref:
            self.text.append(f"[{data.strip()}]" if self.in_marker else data)


def rendered_blocks(body_html: str) -> list[Block]:
    reader = BlockReader()
    reader.feed(body_html)
    reader.close()
    return reader.blocks


def compare_rendered(old_html: str, new_html: str, *, context: int = 1) -> list[BlockChange]:
    """The body's blocks with changed words marked, keeping `context` unchanged blocks around each change."""
    old, new = rendered_blocks(old_html), rendered_blocks(new_html)
    matcher = SequenceMatcher(None, [b.text for b in old], [b.text for b in new], autojunk=False)
    changes: list[BlockChange] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            changes += [BlockChange(b.kind, "equal", [Segment("equal", b.text)]) for b in old[i1:i2]]
            continue
        removed, added = old[i1:i2], new[j1:j2]
        for before, after in zip(removed, added, strict=False):
            changes.append(BlockChange(after.kind, "replace", diff_words(before.text, after.text)))
        changes += [BlockChange(b.kind, "delete", [Segment("delete", b.text)]) for b in removed[len(added) :]]
        changes += [BlockChange(b.kind, "insert", [Segment("insert", b.text)]) for b in added[len(removed) :]]
    return elide_unchanged_blocks(changes, context=context)


def elide_unchanged_blocks(changes: list[BlockChange], *, context: int) -> list[BlockChange]:
    changed = [index for index, change in enumerate(changes) if change.op != "equal"]
    kept = {near for index in changed for near in range(index - context, index + context + 1)}
    shown: list[BlockChange] = []
    for index, change in enumerate(changes):
        if index in kept:
            shown.append(change)
        elif not shown or shown[-1].op != "skip":
            shown.append(BlockChange("", "skip", []))
    return shown
