"""The one place Markdown becomes HTML: parsed with markdown-it-py, then sanitised with nh3.

The admin's live preview, the stored HTML of every revision and the public page all come from
`render_markdown`, so what an editor previews is exactly what readers get. markdown-it parses in time
that grows with the length of the text, whatever an editor (or an attacker at the preview) types:
runs of brackets or emphasis, deep nesting and long reference lists cost no more than prose.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

MAX_NESTING = 20  # lists and quotes nested deeper are kept as text, not as ever deeper blocks
TOC_LEVELS = (2, 3)

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
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
# A table column's alignment, as a class the stylesheet honours (the sanitiser keeps no inline style).
ALIGNMENT_CLASSES = {"align-left", "align-center", "align-right"}
ALLOWED_CLASSES = {"td": ALIGNMENT_CLASSES, "th": ALIGNMENT_CLASSES}
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
    env: dict = {"toc": []}
    raw_html = PARSER.render(text, env)
    return RenderedMarkdown(
        html=sanitise(raw_html),
        dropped=find_dropped(raw_html),
        toc_html=sanitise(toc_html(env["toc"])),
        heading_count=len(env["toc"]),
        word_count=len(WORD.findall(text)),
    )


def slugify(text: str) -> str:
    """A heading's anchor: ASCII letters, digits and dashes (the same as Python-Markdown's, so old links hold)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_text).strip().lower())


def plain_text(inline: Token) -> str:
    return "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline"))


def name_headings(state) -> None:
    """Give every heading an anchor, unique in the document, and list levels 2-3 for the contents."""
    taken: set[str] = set()
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        title = plain_text(state.tokens[index + 1])
        anchor = base = slugify(title) or "section"
        counter = 1
        while anchor in taken:
            anchor, counter = f"{base}_{counter}", counter + 1
        taken.add(anchor)
        token.attrSet("id", anchor)
        if int(token.tag[1]) in TOC_LEVELS:
            state.env["toc"].append((int(token.tag[1]), anchor, title))


def toc_html(headings: list[tuple[int, str, str]]) -> str:
    """The contents as nested lists: each level-3 heading under the level-2 heading before it."""
    if not headings:
        return ""
    html, is_nested = ['<div class="toc">\n<ul>\n'], False
    for position, (level, anchor, title) in enumerate(headings):
        deeper = position and level > headings[position - 1][0] and not is_nested
        if deeper:
            html[-1] = html[-1].removesuffix("</li>\n") + "<ul>\n"
            is_nested = True
        elif is_nested and level == TOC_LEVELS[0]:
            html.append("</ul>\n</li>\n")
            is_nested = False
        html.append(f'<li><a href="#{anchor}">{escape(title)}</a></li>\n')
    if is_nested:
        html.append("</ul>\n</li>\n")
    return "".join(html) + "</ul>\n</div>\n"


# Footnotes in the markup Python-Markdown wrote, so that stored revisions and new ones look alike.


def footnote_ref(self, tokens, index, options, env) -> str:
    number, later = tokens[index].meta["id"] + 1, tokens[index].meta["subId"]
    ref = f"fnref{later + 1 if later else ''}:{number}"
    # A word joiner ties the marker to the word before it, so that it never starts a line.
    return f'&#8288;<sup id="{ref}"><a class="footnote-ref" href="#fn:{number}">{number}</a></sup>'


def footnote_open(self, tokens, index, options, env) -> str:
    return f'<li id="fn:{tokens[index].meta["id"] + 1}">\n'


def footnote_anchor(self, tokens, index, options, env) -> str:
    number, later = tokens[index].meta["id"] + 1, tokens[index].meta["subId"]
    space = "" if later else "&#160;"
    return (
        f'{space}<a class="footnote-backref" href="#fnref{later + 1 if later else ""}:{number}" '
        f'title="Back to reference {number}">&#8617;</a>'
    )


def table_cell(self, tokens, index, options, env) -> str:
    """Column alignment as a class: the sanitiser keeps no inline style, and CSS outranks `align`."""
    token = tokens[index]
    style = token.attrGet("style") or ""
    if "text-align:" in style:
        token.attrs.pop("style")
        token.attrSet("class", f"align-{style.split(':', 1)[1].strip()}")
    return self.renderToken(tokens, index, options, env)


def link_open(self, tokens, index, options, env) -> str:
    """A bare address shown as its own text is marked, so that print does not repeat it after itself."""
    token = tokens[index]
    if token.markup in ("linkify", "autolink"):
        token.attrSet("class", "url")
    return self.renderToken(tokens, index, options, env)


def make_parser() -> MarkdownIt:
    options = {"html": True, "linkify": True, "typographer": True, "maxNesting": MAX_NESTING}
    parser = MarkdownIt("commonmark", options).enable(
        ["table", "strikethrough", "linkify", "replacements", "smartquotes"]
    )
    parser.use(footnote_plugin)
    # Every link becomes a link, so that the sanitiser drops a dangerous one and the editor hears why.
    parser.validateLink = lambda url: True
    parser.core.ruler.push("name_headings", name_headings)
    rules = {
        "footnote_ref": footnote_ref,
        "footnote_open": footnote_open,
        "footnote_anchor": footnote_anchor,
        "footnote_close": lambda *args: "</li>\n",
        "footnote_block_open": lambda *args: '<div class="footnote">\n<hr>\n<ol>\n',
        "footnote_block_close": lambda *args: "</ol>\n</div>\n",
        "th_open": table_cell,
        "td_open": table_cell,
        "link_open": link_open,
    }
    for name, rule in rules.items():
        parser.add_render_rule(name, rule)
    return parser


PARSER = make_parser()


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


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
            elif name == "class" and tag in ALLOWED_CLASSES:
                for unknown in sorted(set((value or "").split()) - ALLOWED_CLASSES[tag]):
                    self.note(f"class {unknown} on <{tag}>: only column alignment classes are allowed")
            elif name not in allowed:
                self.note(f"{name} attribute on <{tag}>: not an allowed attribute")
            elif name in URL_ATTRIBUTES and not is_safe_url(value or ""):
                scheme = urlsplit((value or "").strip()).scheme.lower()
                self.note(f"{scheme}: link on <{tag}>: only http, https and mailto links are allowed")

    handle_startendtag = handle_starttag


def is_safe_url(url: str) -> bool:
    scheme = urlsplit(url.strip()).scheme.lower()
    return not scheme or scheme in URL_SCHEMES
