"""Briefings' cards in lists: the kept ones (briefings.models.cards), and the others made as a list needs them."""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.text import get_text_list
from django.utils.translation import gettext

from .models import Briefing
from .models.cards import Card
from .typography import typeset

CARD_TEMPLATE = "briefings/includes/_briefing_summary.html"
# Raise when the code below changes what a card says; the template and settings are read for themselves.
CARD_VERSION = 2


@functools.cache
def card_format() -> str:
    """What kept cards must have been made with to be shown: this code's version, the card template and
    the settings it reads. Cards of another format are made again (publishing.cards.keep_missing)."""
    made_with = [str(CARD_VERSION), get_template(CARD_TEMPLATE).template.source]
    made_with += [settings.TIME_ZONE, settings.LANGUAGE_CODE, settings.MEDIA_URL]
    return hashlib.sha256("\0".join(made_with).encode()).hexdigest()[:16]


def card_of(briefing: Briefing) -> Card:
    """A briefing's card, unsaved, from its live version read as `BriefingQuerySet.for_listing` reads it, in
    the briefing's language whatever the page asking for it."""
    revision = briefing.live_revision
    with translation.override(revision.language):
        series = typeset(revision.series.title) if revision.series else ""
        if revision.series and revision.part:
            series += " · " + (gettext("Part %(part)s") % {"part": revision.part}).replace(" ", "\N{NO-BREAK SPACE}")
        first_theme = next(iter(revision.themes.all()), None)
        card = Card(
            briefing=briefing,
            format=card_format(),
            series=series,
            theme=first_theme.name_in(revision.language) if first_theme else "",
            title=typeset(revision.title),
            standfirst=typeset(revision.standfirst),
            byline=byline(author.name for author in revision.authors),
            image=revision.hero_image.name or "",
            language=revision.language,
        )
        card.html = render_to_string(CARD_TEMPLATE, {"card": card})
    return card


def byline(names) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = [typeset(name) for name in names]
    return get_text_list(names, gettext("and"))


def cards(ids: list[int]) -> list[Card]:
    """These briefings' cards, in the order of `ids`: those kept, and the others made now."""
    found = Card.objects.of(ids, card_format())
    missing = [pk for pk in ids if pk not in found]
    if missing:
        found |= {briefing.pk: card_of(briefing) for briefing in Briefing.objects.for_listing_in_order(missing)}
    return [found[pk] for pk in ids if pk in found]
