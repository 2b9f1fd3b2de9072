"""Hostile text typed by staff reaches feed readers as text: every feed field read through real parsers.

Reproduces the report that a standfirst went unescaped into Atom `<summary type="html">` and RSS
`<description>`, so that markup in it ran in a feed reader.
"""

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from briefings import publishing
from tests.helpers import edit, make_author, make_briefing, make_theme, region

pytestmark = pytest.mark.django_db

HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"

FEEDS = [
    "/feeds/all.rss",
    "/feeds/all.atom",
    "/feeds/corrections.rss",
    "/feeds/corrections.atom",
    "/feeds/themes/space.rss",
    "/feeds/themes/space.atom",
    "/feeds/regions/japan.rss",
    "/feeds/regions/asia.atom",
    "/feeds/authors/jane-doe.rss",
    "/feeds/authors/jane-doe.atom",
    "/feeds/themes/space/regions/japan.rss",
    "/feeds/themes/space/regions/japan.atom",
]


class Tags(HTMLParser):
    """The elements and attributes an HTML fragment makes, as a browser would parse it."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def html_fields(feed: ET.Element) -> list[str]:
    """Every field a feed reader renders as HTML."""
    rss = [*feed.iter("description"), *feed.iter(CONTENT)]
    atom = [element for element in feed.iter() if element.get("type") == "html"]
    return [element.text or "" for element in rss + atom]


def text_fields(feed: ET.Element) -> list[str]:
    names = {"title", f"{ATOM}title", "category", f"{ATOM}name", "author"}
    texts = [element.text or "" for element in feed.iter() if element.tag in names]
    return texts + [element.get("term", "") for element in feed.iter(f"{ATOM}category")]


@pytest.fixture
def hostile_briefing():
    briefing = make_briefing(
        title=f"Title {HOSTILE}",
        standfirst=f"Standfirst {HOSTILE}",
        body="Body with <img src=x onerror=alert(3)> inside.",
        themes=[make_theme("Space")],
        regions=[region("Japan")],
        authors=[make_author("Jane Doe")],
        publish=True,
    )
    edit(briefing, body="Corrected body.")
    publishing.publish(briefing, by=None, change_kind="correction", note=f"Note {HOSTILE}")
    return briefing


@pytest.mark.parametrize("url", FEEDS)
def test_no_feed_field_carries_markup_from_typed_text(client, hostile_briefing, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # well-formed XML: nothing typed broke out of its element

    fields = html_fields(feed)
    assert fields, "the feed has HTML fields to check"
    for html in fields:
        for tag, attributes in Tags(html).elements:
            assert tag != "script", html
            assert not any(name.startswith("on") for name in attributes), html
    texts = text_fields(feed)
    assert any(HOSTILE in text for text in texts), "titles are carried as text, whole"


def test_the_standfirst_reads_as_the_editor_typed_it(client, hostile_briefing):
    feed = ET.fromstring(client.get("/feeds/all.atom").content)
    summary = next(feed.iter(f"{ATOM}summary"))
    assert summary.get("type") == "html"
    shown = Tags(summary.text)
    assert shown.elements == []  # plain text once the reader's HTML parser is done with it
    assert "&quot;&gt;&lt;img" in summary.text


@pytest.fixture
def pasted_briefing():
    """Text pasted from a word processor: its line breaks are vertical tabs, its page breaks form feeds."""
    briefing = make_briefing(
        title="Orbital\x0bdebris",
        standfirst="Who\x0ccleans up\x08?",
        body="A paragraph\x0bwith a soft break.\n\nAnother\x1fone.",
        themes=[make_theme("Space")],
        regions=[region("Japan")],
        authors=[make_author("Jane Doe")],
        publish=True,
    )
    edit(briefing, body="Corrected\x0bbody.")
    publishing.publish(briefing, by=None, change_kind="correction", note="Fixed\x0ba figure.")
    return briefing


@pytest.mark.parametrize("url", FEEDS)
def test_control_characters_typed_by_staff_leave_every_feed_well_formed(client, pasted_briefing, url):
    response = client.get(url)
    assert response.status_code == 200
    ET.fromstring(response.content)
    assert not any(byte in response.content for byte in b"\x08\x0b\x0c\x1f")
    assert b"Orbitaldebris" in response.content


def test_an_entrys_full_text_keeps_its_words_without_the_control_characters(client, pasted_briefing):
    feed = ET.fromstring(client.get("/feeds/all.atom").content)
    content = next(feed.iter(f"{ATOM}content")).text
    assert "Correctedbody." in content
    assert next(feed.iter(f"{ATOM}summary")).text == "Whocleans up?"
