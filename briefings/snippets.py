"""The passages of search results that quote a query's words, highlighted.

Each listed briefing keeps the start of its text, its excerpt (search.EXCERPT_CHARS). PostgreSQL's
ts_headline would cut passages from it, but parsing 20 excerpts of 3,000 characters with its text search
parser takes longer than ranking the results. So the query's words are taken as the index stems them
(PostgreSQL's querytree) and found here: a regular expression finds the words that start like one of
them, the same Snowball stemmer PostgreSQL's dictionary uses confirms each, and up to two passages
around the matches are quoted.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import Stemmer
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Private-use characters mark the matches; they are removed from indexed text, so they mean only that.
HIGHLIGHT_START, HIGHLIGHT_STOP, FRAGMENT_BREAK = "\ue000", "\ue001", "\ue002"
MARKERS = str.maketrans("", "", HIGHLIGHT_START + HIGHLIGHT_STOP + FRAGMENT_BREAK)
MAX_WORDS = 35  # a passage's length in words
WORDS_BEFORE = 8  # how many words a passage starts before its first match
PASSAGES = 2
WORDS_WITHOUT_MATCH = 15  # where nothing matches, the excerpt's first words
WORD = re.compile(r"\w+")
PUNCTUATION = re.compile(r"[^\w\s]*")  # what ends a passage's last word: a full stop, a quotation mark
LEXEME = re.compile(r"'((?:[^']|'')*)'")  # a quoted operand of querytree's text

EXCERPTS_SQL = """
    SELECT id, search_excerpt, querytree(websearch_to_tsquery(%(config)s, %(text)s))
    FROM briefings_briefing WHERE id = ANY(%(ids)s)
"""


def passages(ids: list[int], text: str, config: str, stemmer: str | None) -> dict[int, SafeString]:
    """The highlighted passages of these briefings that quote the query, by briefing (those with no text
    to quote left out)."""
    with connection.cursor() as cursor:
        cursor.execute(EXCERPTS_SQL, {"config": config, "text": text, "ids": ids})
        rows = cursor.fetchall()
    if not rows:
        return {}
    lexemes = {lexeme.replace("''", "'") for lexeme in LEXEME.findall(rows[0][2])}
    stem = Stemmer.Stemmer(stemmer).stemWord if stemmer else str  # without one, words are indexed as written
    found = matches(lexemes)
    return {pk: highlight(quoted(excerpt, found, lexemes, stem)) for pk, excerpt, _ in rows if excerpt}


def matches(lexemes: set[str]) -> re.Pattern | None:
    """Words that may stem to one of the lexemes: those starting with it (a final i may be a y)."""
    if not lexemes:
        return None
    starts = sorted({lexeme.removesuffix("i") or lexeme for lexeme in lexemes}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, starts)) + r")\w*", re.IGNORECASE)


@cache
def base_letter(character: str) -> str:
    return unicodedata.normalize("NFKD", character)[0]


def unaccented(text: str) -> str:
    """The text with accents taken off, letter for letter (so its offsets are the text's)."""
    return text if text.isascii() else "".join(c if c.isascii() else base_letter(c) for c in text)


@dataclass
class Passage:
    start: int  # where it starts and ends in the excerpt
    end: int
    lexemes: set[str] = field(default_factory=set)  # the query's words it matches
    hits: list[tuple[int, int]] = field(default_factory=list)  # where

    def quote(self, excerpt: str) -> str:
        """Its text, the matches between markers."""
        parts, position = [], self.start
        for start, end in self.hits:
            parts += [excerpt[position:start], HIGHLIGHT_START, excerpt[start:end], HIGHLIGHT_STOP]
            position = end
        parts.append(excerpt[position : self.end])
        return "".join(parts)


def quoted(excerpt: str, found: re.Pattern | None, lexemes: set[str], stem) -> str:
    """Up to PASSAGES passages of the excerpt around its matches (those matching the most different
    words first, then the most matches), in the text's order, joined by FRAGMENT_BREAK. Only the words
    around the matches are read."""
    text = unaccented(excerpt)
    passages: list[Passage] = []
    for match in found.finditer(text) if found else ():
        lexeme = stem(match.group().lower())
        if lexeme not in lexemes:
            continue
        if not passages or match.start() >= passages[-1].end:
            start = words_back(text, match.start(), WORDS_BEFORE, passages[-1].end if passages else 0)
            passages.append(Passage(start, words_on(text, start, MAX_WORDS)))
        passages[-1].lexemes.add(lexeme)
        passages[-1].hits.append(match.span())
    if not passages:  # the match is further on, or in the title or tags
        passages = [Passage(0, words_on(text, 0, WORDS_WITHOUT_MATCH))]
    best = sorted(passages, key=lambda passage: (-len(passage.lexemes), -len(passage.hits)))[:PASSAGES]
    chosen = sorted(best, key=lambda passage: passage.start)
    quotes = [chosen[0].quote(excerpt)]
    for previous, passage in itertools.pairwise(chosen):
        between = excerpt[previous.end : passage.start]
        quotes += [FRAGMENT_BREAK if between.strip() else between, passage.quote(excerpt)]  # meeting: one passage
    return "".join(quotes)


def words_on(text: str, start: int, count: int) -> int:
    """Where the count-th word from start ends, with the punctuation after it (or where the text does)."""
    end = start
    for word in itertools.islice(WORD.finditer(text, start), count):
        end = word.end()
    return end + len(PUNCTUATION.match(text, end).group())


def words_back(text: str, position: int, count: int, floor: int) -> int:
    """Where the count-th word before position starts, not before floor."""
    window = max(floor, position - 60 * count)  # room for long words
    starts = [word.start() for word in WORD.finditer(text, window, position)]
    if window > floor:
        starts = starts[1:]  # the window may start inside a word
    start = starts[-count] if len(starts) >= count else (starts[0] if starts else position)
    while start > floor and not text[start - 1].isspace() and not text[start - 1].isalnum():
        start -= 1  # an opening bracket or quotation mark belongs to the passage
    return start


def highlight(raw_passages: str) -> SafeString:
    """The passages as HTML: the text escaped, the matched words marked, each passage cut with an ellipsis
    where it starts or stops inside a sentence."""
    passages = [with_ellipses(passage) for passage in raw_passages.split(FRAGMENT_BREAK) if passage.strip()]
    html = escape(" ".join(passages).replace("\u2026 \u2026", " \u2026 "))
    return mark_safe(html.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>"))


SENTENCE_START = re.compile(r"^[\W]*[A-Z0-9\u201c\u2018\"'(]")
SENTENCE_END = re.compile(r"[.!?\u2026][\u201d\u2019\"')]*$")


def with_ellipses(passage: str) -> str:
    passage = passage.strip()
    bare = passage.translate(MARKERS)
    if not SENTENCE_START.match(bare):
        passage = f"\u2026{passage}"
    if not SENTENCE_END.search(bare):
        passage = f"{passage}\u2026"
    return passage
