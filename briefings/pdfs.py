"""A published version as a PDF, from the same revision as its page: rendered by WeasyPrint in a worker."""

from __future__ import annotations

import copy
import mimetypes
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import unquote

import tinyhtml5
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from .citations import Citation
from .models import Briefing, Revision, RevisionAuthor, StateChange


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    marks_withdrawal: bool


class OwnFiles(URLFetcher):
    """The fonts, stylesheet and images come from this site's own files: a PDF never asks another host."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        static_prefix, media_prefix = site_address(settings.STATIC_URL), site_address(settings.MEDIA_URL)
        if url.startswith(static_prefix) and (path := finders.find(unquote(url.removeprefix(static_prefix)))):
            with open(path, "rb") as file:
                return self.response(url, file.read())
        name = unquote(url.removeprefix(media_prefix))
        if url.startswith(media_prefix) and default_storage.exists(name):
            with default_storage.open(name) as file:
                return self.response(url, file.read())
        raise ValueError(f"{url} is not one of this site's files, so it is left out of the PDF.")

    @staticmethod
    def response(url: str, body: bytes) -> URLFetcherResponse:
        content_type = mimetypes.guess_type(url)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, headers={"Content-Type": content_type})


def site_address(path: str) -> str:
    """Where a path of this site is, for the PDF's links and for what it embeds."""
    return settings.SITE_URL + path


def render_pdf(revision_id: int) -> RenderedPdf:
    revision = printed_revision(revision_id)
    document = HTML(string=printed_html(revision), base_url=site_address("/"), url_fetcher=OwnFiles()).render()
    content = document.write_pdf(pdf_tags=True, pdf_variant="pdf/ua-1", custom_metadata=True)
    return RenderedPdf(content, len(document.pages), marks_withdrawal=revision.briefing.is_withdrawn)


def printed_html(revision: Revision) -> str:
    with translation.override(revision.language):  # dates and labels in the briefing's language
        return render_to_string("briefings/pdf/version.html", print_context(revision))


def printed_revision(revision_id: int) -> Revision:
    byline = Prefetch("byline", RevisionAuthor.objects.select_related("author"))
    return (
        Revision.objects.select_related("briefing", "series")
        .prefetch_related("themes", "regions", byline)
        .get(pk=revision_id)
    )


def print_context(revision: Revision) -> dict:
    briefing: Briefing = revision.briefing
    publication = StateChange.objects.publications().filter(revision=revision).order_by("effective_at", "id").first()
    permalink = site_address(revision.get_absolute_url())
    tags = [tag.name_in(revision.language) for tag in (*revision.themes.all(), *revision.regions.all())]
    return {
        "site_name": settings.SITE_NAME,
        "media_url": settings.MEDIA_URL,
        "marks_withdrawal": briefing.is_withdrawn,
        "briefing": briefing,
        "revision": revision,
        "published_at": publication.effective_at if publication else briefing.published_at,
        "publication": publication,
        "permalink": permalink,
        "keywords": ", ".join(tags),
        "body_html": with_notes_at_their_calls(revision.body_html),
        "citation": Citation(briefing, revision, permalink),
    }


def with_notes_at_their_calls(body_html: str) -> str:
    """Move each note from the list at the end to its first call, where WeasyPrint floats it to the foot
    of that page (`float: footnote`); later calls of the same note keep its number."""
    root = tinyhtml5.parse(f"<div>{body_html}</div>", namespace_html_elements=False).find("body/div")
    parents = {child: parent for parent in root.iter() for child in parent}
    notes = {item.get("id"): item for block in root.iter("div") if block.get("class") == "footnote"
             for item in block.iter("li") if (item.get("id") or "").startswith("fn:")}  # fmt: skip
    placed: set[str] = set()
    for call in list(root.iter("sup")):
        link = call.find("a")
        target = (link.get("href") or "").lstrip("#") if link is not None else ""
        if target not in notes:
            continue
        if target in placed:
            replace(parents, call, element("sup", text=link.text))
        else:
            replace(parents, call, note_span(notes[target]))
            placed.add(target)
    for block in [block for block in root.iter("div") if block.get("class") == "footnote"]:
        parents[block].remove(block)
    return (root.text or "") + "".join(ET.tostring(child, encoding="unicode", method="html") for child in root)


def note_span(item: ET.Element) -> ET.Element:
    """A note's paragraphs as one inline run, without the link back to its call."""
    span = element("span", attrib={"class": "note"})
    for index, paragraph in enumerate(item.findall("p") or [item]):
        paragraph = copy.deepcopy(paragraph)
        for backref in [a for a in paragraph.iter("a") if a.get("class") == "footnote-backref"]:
            drop(paragraph, backref)
        append_run(span, paragraph, separator=" " if index else "")
    return span


def drop(paragraph: ET.Element, child: ET.Element) -> None:
    """Remove a child with the no-break space written before it, keeping the text after it."""
    siblings = list(paragraph)
    position = siblings.index(child)
    before = siblings[position - 1] if position else None
    tail = child.tail or ""
    if before is not None:
        before.tail = (before.tail or "").rstrip("\xa0 ") + tail
    else:
        paragraph.text = (paragraph.text or "").rstrip("\xa0 ") + tail
    paragraph.remove(child)


def append_run(span: ET.Element, paragraph: ET.Element, separator: str) -> None:
    text = separator + (paragraph.text or "")
    if len(span):
        span[-1].tail = (span[-1].tail or "") + text
    else:
        span.text = (span.text or "") + text
    span.extend(list(paragraph))


def element(tag: str, *, text: str | None = None, attrib: dict | None = None) -> ET.Element:
    new = ET.Element(tag, attrib or {})
    new.text = text
    return new


def replace(parents: dict, old: ET.Element, new: ET.Element) -> None:
    parent = parents[old]
    new.tail = old.tail
    parent.insert(list(parent).index(old), new)
    parent.remove(old)
