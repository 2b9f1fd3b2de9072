"""RSS and Atom feeds with the full, sanitised text: everything, per theme, region, author, theme × region,
and the corrections feed."""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import XMLGenerator

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import get_language, gettext

from . import scopes, taxonomy
from .addresses import address, redirects_retired_slugs
from .models import Author, Briefing, Listing, Region, StateChange, Theme
from .models.feed_entries import feed_entries
from .models.listings import NO_TAG, Kind, List

FEED_LENGTH = 30
CONTROL_BYTES = bytes(code for code in range(32) if chr(code) not in "\t\n\r")
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class WrittenAtOnce:
    """Django's feed writers send the response a few characters at a time, through an unbuffered text
    wrapper: building the text first and writing it once takes a tenth of a feed's time less."""

    def write(self, outfile, encoding):
        text = io.StringIO()
        super().write(text, encoding)
        outfile.write(text.getvalue().encode(encoding))


def without_control_characters(value):
    """Text (or a list of texts) without the control characters XML 1.0 forbids, which an editor may paste
    from a word processor and Django's feed writer refuses with an error. Checked as bytes: the writer's
    regular expression over a feed's full texts took a tenth of its time."""
    if isinstance(value, list):
        return [without_control_characters(each) for each in value]
    if not isinstance(value, str):
        return value
    encoded = value.encode()
    return value if len(encoded.translate(None, CONTROL_BYTES)) == len(encoded) else CONTROL_CHARACTERS.sub("", value)


class XmlSafe(WrittenAtOnce):
    """A feed writer given only text XML can hold, its entries' full texts written without checking again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{name: without_control_characters(value) for name, value in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **{name: without_control_characters(value) for name, value in kwargs.items()})

    def add_content(self, handler, name: str, item: dict, attributes: dict) -> None:
        if item.get("content_html"):
            handler.startElement(name, attributes)
            XMLGenerator.characters(handler, item["content_html"])
            handler.endElement(name)


class FullContentRss(XmlSafe, Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        self.add_content(handler, "content:encoded", item, {})


class FullContentAtom(XmlSafe, Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        self.add_content(handler, "content", item, {"type": "html"})


class BriefingFeed(Feed):
    """The newest listed briefings in a scope; subclasses narrow the scope."""

    feed_type = FullContentRss

    def title(self, obj) -> str:
        return f"{settings.SITE_NAME}: {self.scope_title(obj)}" if obj else settings.SITE_NAME

    def scope_title(self, obj) -> str:
        return str(obj)

    def description(self, obj) -> str:
        if obj:
            return gettext("The latest policy briefings on %(scope)s.") % {"scope": self.scope_title(obj)}
        return gettext("The latest policy briefings.")

    subtitle = description

    def link(self, obj) -> str:
        return obj.get_absolute_url() if obj else reverse("briefings:home")

    def lists(self, obj) -> list[List]:
        """The kept lists (briefings.models.listings) whose briefings, in all of them, the feed gives."""
        return [(Kind.ALL, NO_TAG)]

    def get_feed(self, obj, request):
        self.request = request  # for the enclosures' full addresses
        return super().get_feed(obj, request)

    def items(self, obj):
        lists = self.lists(obj)
        newest = list(Listing.objects.briefings_in(*lists)[:FEED_LENGTH])
        if obj is not None and not newest:
            raise Http404("Nothing is published here.")
        scopes.depends_on(*(scopes.of_list(*each) for each in lists), *(scopes.of_briefing(pk) for pk in newest))
        return feed_entries(newest)

    def item_title(self, briefing: Briefing) -> str:
        return briefing.live_revision.title

    def item_description(self, briefing: Briefing) -> str:
        # RSS descriptions and Atom summaries are HTML to a feed reader; the standfirst is plain text.
        return escape(briefing.live_revision.standfirst)

    def item_link(self, briefing: Briefing) -> str:
        return briefing.get_absolute_url()

    def item_pubdate(self, briefing: Briefing):
        return briefing.published_at

    def item_updateddate(self, briefing: Briefing):
        return briefing.updated_at or briefing.published_at

    def item_author_name(self, briefing: Briefing) -> str:
        return ", ".join(briefing.author_names)

    def item_categories(self, briefing: Briefing) -> list[str]:
        return briefing.theme_names + briefing.region_names

    def item_extra_kwargs(self, briefing: Briefing) -> dict:
        return {"content_html": briefing.live_revision.body_html}

    def item_enclosures(self, briefing: Briefing) -> list[Enclosure]:
        """The version's PDF, once made: an Atom enclosure link, an RSS enclosure."""
        pdf = briefing.live_revision.pdf_for_readers(briefing)
        if pdf is None:
            return []
        url = address("briefings:briefing-version-pdf", slug=briefing.slug, number=briefing.live_revision.number)
        return [Enclosure(self.request.build_absolute_uri(url), str(pdf.size), "application/pdf")]


class ThemeFeed(BriefingFeed):
    def get_object(self, request, slug):
        return taxonomy.tag_or_404(Theme, slug)

    def lists(self, theme):
        return [(Kind.THEME, theme.pk)]


class RegionFeed(BriefingFeed):
    def get_object(self, request, slug):
        return taxonomy.tag_or_404(Region, slug)

    def lists(self, region):
        return [(Kind.REGION, region.pk)]


class AuthorFeed(BriefingFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def lists(self, author):
        return [(Kind.AUTHOR, author.pk)]


class ThemeRegionFeed(BriefingFeed):
    def get_object(self, request, theme, region):
        return taxonomy.tag_or_404(Theme, theme), taxonomy.tag_or_404(Region, region)

    def scope_title(self, obj) -> str:
        theme, region = obj
        return gettext("%(theme)s in %(region)s") % {"theme": theme, "region": region}

    def link(self, obj) -> str:
        theme, region = obj
        return f"{theme.get_absolute_url()}?region={region.slug}"

    def lists(self, obj):
        theme, region = obj
        return [(Kind.THEME, theme.pk), (Kind.REGION, region.pk)]


class CorrectionsFeed(Feed):
    """Every correction and withdrawal across the site, newest first, each linking to the corrected version."""

    feed_type = FullContentRss

    def title(self) -> str:
        return gettext("%(site_name)s: corrections") % {"site_name": settings.SITE_NAME}

    def description(self) -> str:
        return gettext("Every correction and withdrawal published on this site.")

    subtitle = description

    def link(self) -> str:
        return reverse("briefings:home")

    def items(self):
        scopes.depends_on(scopes.SITE)
        return (
            StateChange.objects.corrections()
            .filter(briefing__in=Briefing.objects.published().read_in(get_language()))
            .select_related("briefing__live_revision", "revision")
            .only(
                "action", "note", "effective_at", "briefing__slug", "briefing__live_revision__title", "revision__number"
            )
            .order_by("-effective_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, change: StateChange) -> str:
        label = gettext("Withdrawn: %(title)s") if change.is_withdrawal else gettext("Correction: %(title)s")
        return label % {"title": change.briefing.live_revision.title}

    def item_description(self, change: StateChange) -> str:
        return escape(change.note)

    def item_link(self, change: StateChange) -> str:
        change.revision.briefing = change.briefing
        return change.revision.get_absolute_url()

    def item_guid(self, change: StateChange) -> str:
        return f"{self.item_link(change)}#change-{change.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, change: StateChange):
        return change.effective_at


def rss_and_atom(feed_class: type[Feed]):
    """One view answering both formats, chosen by the address's extension."""
    atom_class = type(f"Atom{feed_class.__name__}", (feed_class,), {"feed_type": FullContentAtom})
    feeds = {"rss": feed_class(), "atom": atom_class()}

    def view(request, format: str, **kwargs):
        return feeds[format](request, **kwargs)

    return view


everything = rss_and_atom(BriefingFeed)
theme = redirects_retired_slugs(slug=Theme)(rss_and_atom(ThemeFeed))
region = redirects_retired_slugs(slug=Region)(rss_and_atom(RegionFeed))
author = redirects_retired_slugs(slug=Author)(rss_and_atom(AuthorFeed))
theme_region = redirects_retired_slugs(theme=Theme, region=Region)(rss_and_atom(ThemeRegionFeed))
corrections = rss_and_atom(CorrectionsFeed)
