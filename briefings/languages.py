"""The languages briefings are written in: ISO 639-1 codes from the `LANGUAGES` setting (SITE_LANGUAGES in
the environment), the site's own language first. A translation is a briefing in another of them."""

from __future__ import annotations

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured, ValidationError


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
    return LANG_INFO.get(code, {}).get("name_local", code)


def validate_language(value: str) -> None:
    if value not in codes():
        listed = ", ".join(f"{code} ({name(code)})" for code in codes())
        raise ValidationError(f"“{value}” is not one of the site's languages: {listed}.", code="unknown_language")
