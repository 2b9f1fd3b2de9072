"""The languages briefings are written in: ISO 639-1 codes from the `LANGUAGES` setting (SITE_LANGUAGES in
the environment), the site's own language first. A translation is a briefing in another of them."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.text import capfirst


def site_languages(codes: list[str]) -> list[tuple[str, str]]:
    """(code, English name) of each code, for the LANGUAGES setting; refuses a code that is not ISO 639-1."""
    unknown = [code for code in codes if len(code) != 2 or code not in LANG_INFO]
    if unknown or not codes:
        raise ImproperlyConfigured(
            f"SITE_LANGUAGES must list ISO 639-1 codes such as en,fr; not {', '.join(unknown) or 'nothing'}."
        )
    return [(code, LANG_INFO[code]["name"]) for code in codes]


def codes() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


def name(code: str) -> str:
    """The language's English name, for editors."""
    return dict(settings.LANGUAGES).get(code, code)


def local_name(code: str) -> str:
    """The language's name in itself, for readers choosing one (Français)."""
    return capfirst(LANG_INFO.get(code, {}).get("name_local", code))


def validate_language(value: str) -> None:
    if value not in codes():
        listed = ", ".join(f"{code} ({name(code)})" for code in codes())
        raise ValidationError(f"“{value}” is not one of the site's languages: {listed}.", code="unknown_language")


# The Snowball stemmers PostgreSQL and PyStemmer share, by ISO 639-1 code. Each has a text search
# configuration of the site's own, briefings_<stemmer>, that also ignores accents (migration 0039); a
# language without one is searched word for word (briefings_simple).
STEMMERS = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nb": "norwegian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}


@dataclass(frozen=True)
class TextSearch:
    """How text in a language is searched: PostgreSQL's configuration, and the stemmer snippets use."""

    config: str
    stemmer: str | None  # None: words are matched as written


def text_search(code: str) -> TextSearch:
    stemmer = STEMMERS.get(code)
    return TextSearch(f"briefings_{stemmer or 'simple'}", stemmer)
