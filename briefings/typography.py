"""Typography for the text that does not go through Markdown (titles, standfirsts, names, notes): curly
quotes, dashes, ellipses and non-breaking spaces, as markdown-it's typographer gives the body."""

from __future__ import annotations

import re

NBSP = "\u00a0"
OPENS_AFTER = r"(^|[\s(\[{\u2013\u2014/])"  # where a quote mark opens rather than closes

RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"---"), "\u2014"),
    (re.compile(r"--"), "\u2013"),
    (re.compile(r"(?<=\s)-(?=\s)"), "\u2013"),  # a spaced hyphen is a dash
    (re.compile(r"\.\.\."), "\u2026"),
    (re.compile(OPENS_AFTER + '"'), "\\1\u201c"),
    (re.compile('"'), "\u201d"),
    (re.compile(OPENS_AFTER + "'(?=\\w)"), "\\1\u2018"),
    (re.compile("'"), "\u2019"),
    # Never start a line with a dash, nor end one with an initial or before a number it names.
    (re.compile(r" (?=[\u2013\u2014] )"), NBSP),
    (re.compile(r"(?<=\b[A-Z]\.) (?=[A-Z])"), NBSP),
    (re.compile(r"\b(Part|No\.|p\.|pp\.|[Vv]ol\.) (?=\d)"), "\\1" + NBSP),
]


def typeset(text: str) -> str:
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text
