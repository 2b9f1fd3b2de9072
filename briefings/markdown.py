"""The one place Markdown becomes HTML: rendered with Python-Markdown, then sanitised with nh3.

The admin's live preview, the stored HTML of every revision and the public page all come from
`render_markdown`, so what an editor previews is exactly what readers get.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3

EXTENSIONS = [
    "footnotes",
    "tables",
    "toc",
    "smarty",
    "fenced_code",
    "sane_lists",
    "pymdownx.magiclink",
    "pymdownx.tilde",
]
EXTENSION_CONFIGS = {
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d", "SUPERSCRIPT_TEXT": "{}"},
    "toc": {"permalink": False, "toc_depth": "2-3", "title": ""},
}

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang"},
    "a": {"href", "class"},
    "abbr": {"title"},
    "div": {"class"},
    "img": {"src", "alt", "width", "height"},
    "li": {"id"},
    "ol": {"start"},
    "sup": {"id", "class"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
URL_ATTRIBUTES = {"href", "src", "cite"}
DROPPED_WITH_CONTENT = {"script", "style"}


@dataclass
class RenderedMarkdown:
    html: str
    dropped: list[str] = field(default_factory=list)
    toc_html: str = ""
    heading_count: int = 0
    word_count: int = 0


def render_markdown(text: str) -> RenderedMarkdown:
    """Render Markdown to sanitised HTML, and say what the sanitiser had to drop, and why.

    Also returns the table of contents and the word count, so pages never render per request.
    """
    converter = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    raw_html = converter.convert(text)
    return RenderedMarkdown(
        html=sanitise(raw_html),
        dropped=find_dropped(raw_html),
        toc_html=sanitise(converter.toc),
        heading_count=count_headings(converter.toc_tokens),
        word_count=len(WORD.findall(text)),
    )


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def count_headings(tokens: list[dict]) -> int:
    return sum(1 + count_headings(token["children"]) for token in tokens)


def render_markdown_html(text: str) -> str:
    """The markdownx preview hook: the same rendering, HTML only."""
    return render_markdown(text).html


def find_dropped(raw_html: str) -> list[str]:
    finder = DroppedMarkupFinder()
    finder.feed(raw_html)
    finder.close()
    return finder.dropped


class DroppedMarkupFinder(HTMLParser):
    """Lists what the sanitiser's allow-lists will remove, in words an editor understands."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.dropped: list[str] = []

    def note(self, message: str) -> None:
        if message not in self.dropped:
            self.dropped.append(message)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            if tag in DROPPED_WITH_CONTENT:
                self.note(f"<{tag}> element and its content: scripts and styles cannot run in a briefing")
            else:
                self.note(f"<{tag}> tag (its text is kept): only formatting that Markdown produces is allowed")
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"]
        for name, value in attrs:
            if name.startswith("on"):
                self.note(f"{name} attribute on <{tag}>: event handlers could run code in readers' browsers")
            elif name not in allowed:
                self.note(f"{name} attribute on <{tag}>: not an allowed attribute")
            elif name in URL_ATTRIBUTES and not is_safe_url(value or ""):
                scheme = urlsplit((value or "").strip()).scheme.lower()
                self.note(f"{scheme}: link on <{tag}>: only http, https and mailto links are allowed")

    handle_startendtag = handle_starttag


def is_safe_url(url: str) -> bool:
    scheme = urlsplit(url.strip()).scheme.lower()
    return not scheme or scheme in URL_SCHEMES
