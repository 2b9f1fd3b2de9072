"""Full-text search of published briefings, in PostgreSQL.

Each briefing's live version is indexed when it is published (title, then standfirst, then authors,
themes and regions, then body, in falling weight) and taken out when it is unpublished or withdrawn.
Where the RUM extension is installed, the index orders matches by rank itself, so the first page of
a query matching most of the archive costs little; elsewhere a GIN index and ts_rank_cd do the same
work, slower.
"""

from __future__ import annotations

import functools
import html
import operator
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import BooleanField, F, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_noop

from . import common_words, languages, snippets
from .languages import TextSearch
from .models import Author, Briefing, Listing, Region, Revision, SearchTerm, Series, Theme
from .models.listings import NO_TAG, Kind, List
from .models.search import has_rank_ordered_index

MAX_QUERY_CHARS = 500
EXCERPT_CHARS = 3000  # snippets quote the start of the text: fetching and reading it costs what it holds
RESULT_LIMIT = 200  # broad queries list their best 200 and say "more than 200" rather than count every match
WORD = re.compile(r"[^\W\d_]{3,40}")
# Each briefing is indexed with its language's stemming (languages.text_search).
INDEX_SQL = """
    UPDATE briefings_briefing SET
        search_vector =
            setweight(to_tsvector(%(config)s::regconfig, %(title)s), 'A')
            || setweight(to_tsvector(%(config)s::regconfig, %(standfirst)s), 'B')
            || setweight(to_tsvector(%(config)s::regconfig, %(tags)s), 'C')
            || setweight(to_tsvector(%(config)s::regconfig, %(body)s), 'D'),
        search_excerpt = %(excerpt)s
    WHERE id = %(id)s
"""


def clean_query(text: str) -> str:
    """What a reader typed, made safe to hand to PostgreSQL: no NUL bytes, bounded length."""
    return " ".join(text.replace("\x00", " ").split())[:MAX_QUERY_CHARS]


def plain_text(revision: Revision) -> str:
    """The body as a reader sees it, without markup or footnote back-links."""
    return " ".join(html.unescape(strip_tags(revision.body_html)).replace("↩", " ").split())


FOOTNOTE_MARKER = re.compile(r"\u2060?<sup id=\"fnref[^\"]*\">.*?</sup>|&#8288;")
FOOTNOTES = re.compile(r'<div class="footnote">.*</div>', re.DOTALL)
TABLES = re.compile(r"<table>.*?</table>", re.DOTALL)  # figures, not sentences: a snippet quotes prose
HEADING = re.compile(r"<h[2-6][^>]*>(.*?)</h[2-6]>", re.DOTALL)
BLOCK_END = re.compile(r"</(p|li|td|th|blockquote|dd|dt|figcaption)>")


def prose_text(revision: Revision) -> str:
    """The running text a snippet quotes: no note markers or notes, each heading a sentence of its own."""
    text = TABLES.sub(" ", FOOTNOTES.sub(" ", FOOTNOTE_MARKER.sub("", revision.body_html)))
    text = HEADING.sub(lambda heading: f" {as_sentence(strip_tags(heading.group(1)))} ", text)
    text = html.unescape(strip_tags(BLOCK_END.sub(r"</\1> ", text)))
    return " ".join(text.replace("\u2060", "").split())


def as_sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?:…" else f"{text}."


def index_briefing(briefing: Briefing) -> None:
    """Index the live version; call inside the transaction that publishes it."""
    revision = briefing.live_revision
    tags = [author.name for author in revision.fetch_authors()]
    tags += [theme.name for theme in revision.themes.all()] + [region.name for region in revision.regions.all()]
    body = plain_text(revision)
    excerpt = f"{as_sentence(revision.standfirst)} {prose_text(revision)}".translate(snippets.MARKERS)[:EXCERPT_CHARS]
    with connection.cursor() as cursor:
        cursor.execute(
            INDEX_SQL,
            {
                "id": briefing.pk,
                "config": languages.text_search(revision.language).config,
                "title": revision.title,
                "standfirst": revision.standfirst,
                "tags": " ".join(tags),
                "body": body,
                "excerpt": excerpt,
            },
        )
    remember_words(f"{revision.title} {revision.standfirst} {body} {' '.join(tags)}")
    if has_rank_ordered_index():
        common_words.keep_top_matches(briefing.pk)


def unindex_briefing(briefing: Briefing) -> None:
    Briefing.objects.filter(pk=briefing.pk).update(search_vector=None, search_excerpt="")
    if has_rank_ordered_index():
        common_words.keep_top_matches(briefing.pk)


def remember_words(text: str) -> None:
    """Keep the archive's vocabulary for "did you mean"; suggestions are checked against live results."""
    words = sorted({word.lower() for word in WORD.findall(text)})  # one order everywhere: no deadlocks
    SearchTerm.objects.bulk_create([SearchTerm(word=word) for word in words], ignore_conflicts=True)


def searching(language: str | None) -> TextSearch:
    """How a query is read: in the language the reader chose to search, else the interface's."""
    return languages.text_search(language or get_language())


@dataclass(frozen=True)
class Reading:
    """The text search configurations a query is read with: a briefing matches in any of them."""

    configs: tuple[str, ...]

    @property
    def sql(self) -> str:
        """The query as a tsquery, in SQL taking `params`."""
        return "(" + " || ".join(["websearch_to_tsquery(%s::regconfig, %s)"] * len(self.configs)) + ")"

    def params(self, text: str) -> list[str]:
        return [value for config in self.configs for value in (config, text)]

    def query(self, text: str) -> SearchQuery:
        readings = [SearchQuery(text, search_type="websearch", config=config) for config in self.configs]
        return functools.reduce(operator.or_, readings)


def matching(text: str, reading: Reading) -> QuerySet[Briefing]:
    """Listed briefings matching a query in web-search syntax (words, "phrases", -not, OR)."""
    return Briefing.objects.listed().filter(search_vector=reading.query(text))


MAY_HOLD_PHRASE = re.compile(r'"|\w[^\w\s"]\w')  # quotes, or words joined as in "anti-ship" or "U.S."
PHRASE_OPERATOR = re.compile(r"<(\d+|-)>")  # no lexeme holds "<" or ">": the parser splits words there


def loosened(text: str, reading: Reading) -> str | None:
    """The query as PostgreSQL reads it, with each phrase's words wanted anywhere (`<->` and `<N>` made
    `&`); None if it has no phrase, or leaves something out ("not this phrase" is not "not these words")."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {reading.sql}::text", reading.params(text))
        query = cursor.fetchone()[0]
    if "!" in query or not PHRASE_OPERATOR.search(query):
        return None
    return PHRASE_OPERATOR.sub("&", query)


def holding_all(query: str) -> QuerySet[Briefing]:
    """Listed briefings matching a query as PostgreSQL writes one (a tsquery's text, given as a value the
    planner sees, never a query worked out in the statement: see `phrase_hits`)."""
    return Briefing.objects.listed().filter(
        RawSQL("search_vector @@ %s::tsquery", [query], output_field=BooleanField())
    )


# Each filter of a search, and the kind of kept list that holds its briefings; narrowest kind first (as
# archives usually are), the list a walk follows.
FILTERS = {"series": Kind.SERIES, "author": Kind.AUTHOR, "region": Kind.REGION, "theme": Kind.THEME}


@dataclass(frozen=True)
class Narrowing:
    """A reader's filters of a search: the tags chosen (by filter name), a year, published-between dates,
    a language (the query is then read in it)."""

    filters: dict
    year: int | None = None
    start: date | None = None
    end: date | None = None
    language: str | None = None

    @property
    def text_search(self) -> TextSearch:
        return searching(self.language)

    @property
    def reading(self) -> Reading:
        """The chosen language's configuration; else the interface's and the site's own language's, whose
        briefings the interface's lists show too (an English original of a work without French)."""
        if self.language:
            return Reading((self.text_search.config,))
        site = languages.text_search(settings.LANGUAGE_CODE).config
        return Reading(tuple(dict.fromkeys([self.text_search.config, site])))

    @property
    def lists(self) -> list[List]:
        """The kept lists holding the briefings the chosen tags pass, narrowest kind first."""
        return [(kind, self.filters[name].pk) for name, kind in FILTERS.items() if name in self.filters]

    @property
    def walk(self) -> list[List]:
        """The lists a walk along kept list rows reads: the narrowest chosen (or the list of every briefing)
        first, the others looked up."""
        return self.lists or [(Kind.ALL, NO_TAG)]

    @property
    def span(self) -> common_words.Span:
        """The first moment the year and dates chosen pass and the first moment after them (None where
        open), each day from midnight in the site's time zone."""
        firsts = [day for day in (self.year and date(self.year, 1, 1), self.start) if day]
        lasts = [day for day in (self.year and date(self.year, 12, 31), self.end) if day]
        first, last = max(firsts, default=None), min(lasts, default=None)
        after = last + timedelta(days=1) if last and last < date.max else None
        return (first and midnight(first)), (after and midnight(after))

    def of(self, briefings: QuerySet[Briefing]) -> QuerySet[Briefing]:
        """These briefings, as these filters pass them: each looked up in the chosen tags' kept lists."""
        first, after = self.span
        chosen = {"published_at__gte": first, "published_at__lt": after, "language": self.language}
        return briefings.in_lists(*self.lists).filter(**{lookup: value for lookup, value in chosen.items() if value})


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def by_relevance(briefings: QuerySet[Briefing], text: str, reading: Reading) -> QuerySet[Briefing]:
    if has_rank_ordered_index():
        # Ordered by the distance alone: a second sort key would stop the index from giving the order.
        distance = RawSQL(f"search_vector <=> {reading.sql}", reading.params(text))
        return briefings.annotate(distance=distance).order_by("distance")
    rank = SearchRank(F("search_vector"), reading.query(text), cover_density=True)
    return briefings.annotate(rank=rank).order_by("-rank", "-published_at")


def passages(ids: list[int], text: str, reading: TextSearch) -> dict[int, SafeString]:
    """The passages of these briefings that quote the query, highlighted, by briefing."""
    return snippets.passages(ids, text, reading.config, reading.stemmer)


@dataclass(frozen=True)
class BoundedCount:
    value: int
    is_capped: bool


Hit = tuple[int, int]  # a matching briefing: id, year of publication (in the site's time zone, as filters read it)
# The year read in SQL: a timestamp is loaded in Python by Django's time zone adapter, a tenth of a page of hits.
YEAR = ExtractYear("published_at")


@dataclass(frozen=True)
class FacetOption:
    slug: str
    label: str
    count: int


Facet = tuple[str, str, list[FacetOption]]  # heading, query parameter, options
FACET_OPTIONS = 15


# Each tag facet: its heading (the page translates it), query parameter, tag model and label field, and the
# kept list that counts it (for regions, a region's list holds the briefings of the regions inside it; only
# regions some briefing names are offered).
TAG_FACETS = [
    (gettext_noop("Theme"), "theme", Theme, "name", Kind.THEME),
    (gettext_noop("Region"), "region", Region, "name", Kind.REGION),
    (gettext_noop("Author"), "author", Author, "name", Kind.AUTHOR),
    (gettext_noop("Series"), "series", Series, "title", Kind.SERIES),
]


def facets(hits: list[Hit]) -> list[Facet]:
    """Counts per theme, region, author, series, year and language among these results, from their kept list
    rows and their own, so the cost follows the number of results shown, not the size of the archive."""
    tags = [(kind, model, label) for _, _, model, label, kind in TAG_FACETS]
    options: dict[Kind | None, list[FacetOption]] = {kind: [] for *_, kind in TAG_FACETS} | {None: []}
    for kind, slug, name, count in Listing.objects.tags_counted_among([pk for pk, _ in hits], tags):
        options[kind].append(FacetOption(slug, languages.local_name(name) if kind is None else name, count))
    found = [
        (heading, parameter, by_count(options[kind])[:FACET_OPTIONS]) for heading, parameter, _, _, kind in TAG_FACETS
    ]
    years = Counter(year for _, year in hits)
    return [
        *found,
        (
            gettext_noop("Year"),
            "year",
            [FacetOption(str(year), str(year), years[year]) for year in sorted(years, reverse=True)],
        ),
        # Each language by its own name; none where all share one.
        (gettext_noop("Language"), "language", by_count(options[None]) if len(options[None]) > 1 else []),
    ]


def by_count(options: list[FacetOption]) -> list[FacetOption]:
    return sorted(options, key=lambda option: (-option.count, option.label))


@dataclass(frozen=True)
class Found:
    """What a search found: its first RESULT_LIMIT + 1 hits in order (one more tells that there are
    more), the facet counts over the listed ones and, when nothing matched, a respelling that finds something."""

    hits: list[Hit]
    facets: list[Facet]
    suggestion: str | None


def find(text: str, narrowing: Narrowing, *, by_date: bool = False) -> Found:
    """Order the matches of `text`, narrowed by the reader's filters, by relevance (or newest first), and
    describe the best of them."""
    reading = narrowing.reading
    # Kept matches are of every language and of one reading: a search in one language, or read in two, reads
    # the index.
    has_kept_matches = has_rank_ordered_index() and not narrowing.language and len(reading.configs) == 1
    word = common_words.sole_common_word(text, reading.configs[0]) if has_kept_matches else None
    if word is not None:
        hits = common_word_hits(word, narrowing, by_date=by_date)
    else:
        may_hold_phrase = not by_date and has_rank_ordered_index() and MAY_HOLD_PHRASE.search(text)
        hits = phrase_hits(text, narrowing) if may_hold_phrase else None
        if hits is None:
            matches = narrowing.of(matching(text, reading))
            newest_first = matches.order_by("-published_at", "-pk")
            hits = first_hits(newest_first if by_date else by_relevance(matches, text, reading))
    if not hits:
        return Found(hits=[], facets=[], suggestion=suggestion(text, reading))
    return Found(hits=hits, facets=facets(hits[:RESULT_LIMIT]), suggestion=None)


def first_hits(ordered: QuerySet[Briefing]) -> list[Hit]:
    return list(ordered.values_list("pk", YEAR)[: RESULT_LIMIT + 1])


def phrase_hits(text: str, narrowing: Narrowing) -> list[Hit] | None:
    """The hits of a query with a phrase, found among the briefings holding its words; None where the
    best of those do not have it, or the query has no phrase to loosen.

    The index checks a phrase by reading the positions of its words in every briefing holding them all
    (30 ms for a phrase of common words in 100,000 briefings), but finds those briefings and orders them
    by their distance to the phrase from the index alone (13 ms), the ones without the phrase last (their
    distance is infinite). So the first RESULT_LIMIT + 1 of those are checked against the phrase itself:
    if all have it, nothing that has it can come before them; if there are no more, those that have it
    are all its matches.

    The loosened query is a value in the statement, not worked out inside it: the planner sees what it
    asks. Worked out inside, a query leaving a phrase out was sent through the index as one walking all
    of it, which the RUM index cannot always do without crashing the server (a word's list that vacuum
    emptied); such queries are not loosened, and are asked in full as before."""
    reading = narrowing.reading
    query = loosened(text, reading)
    if query is None:
        return None
    has_phrase = RawSQL(f"search_vector @@ {reading.sql}", reading.params(text), output_field=BooleanField())
    candidates = by_relevance(narrowing.of(holding_all(query)), text, reading).annotate(has_phrase=has_phrase)
    rows = list(candidates.values_list("pk", YEAR, "has_phrase")[: RESULT_LIMIT + 1])
    hits = [(pk, year) for pk, year, matches in rows if matches]
    return hits if len(rows) <= RESULT_LIMIT or len(hits) == len(rows) else None


def common_word_hits(word: int, narrowing: Narrowing, *, by_date: bool) -> list[Hit]:
    """The hits of a query for one common word: its kept matches first, in order, then (where filters
    pass fewer than the results listed) its other matches newest first; or all newest first."""
    lists, span, count = narrowing.walk, narrowing.span, RESULT_LIMIT + 1
    if by_date:
        return common_words.newest_hits(word, lists, span, count)
    hits = common_words.kept_hits(word, lists, span, count)
    if len(hits) <= RESULT_LIMIT:
        hits += common_words.newest_hits(word, lists, span, count - len(hits), unkept=True)
    return hits


def suggestion(text: str, reading: Reading) -> str | None:
    """A respelling of the query from the archive's own words that finds something, if there is one."""
    words = WORD.findall(text)
    if not words or len(words) > 6:
        return None
    suggested = text
    for word in words:
        if SearchTerm.objects.filter(word=word.lower()).exists():
            continue
        candidates = (
            SearchTerm.objects.annotate(similarity=RawSQL("similarity(word, %s)", [word.lower()]))
            .filter(word__trigram_similar=word.lower())
            .order_by("-similarity")
            .values_list("word", flat=True)[:5]
        )
        replacement = next((candidate for candidate in candidates if matching(candidate, reading).exists()), None)
        if replacement is None:
            return None
        suggested = re.sub(rf"\b{re.escape(word)}\b", replacement, suggested)
    return suggested if suggested != text and matching(suggested, reading).exists() else None
