"""Keeping briefings' cards (briefings.models.cards) in step with their live versions and the tags they name.

A card is written in the transaction that makes a version live, on the briefing's locked row. Editing a
theme, author or series forgets the cards that name it, and the task queue makes them again
(`keep_missing`, also run every few minutes, so cards of a new format follow a deploy). Writers of
cards hold a shared advisory lock and the tag editors an exclusive one, so a card made from a tag's
old name cannot land after that tag's cards were forgotten.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import post_save, pre_delete, pre_save

from ..cards import card_format, card_of
from ..models import Author, Briefing, Listing, Series, Theme
from ..models.cards import Card
from ..models.listings import Kind

CARDS_LOCK = 0x63617264  # "card": the advisory lock between card writers and tag editors
BATCH = 500


def hold_cards(*, exclusive: bool) -> None:
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [CARDS_LOCK])


def keep(briefing: Briefing) -> None:
    """Write the card of a briefing whose live version just changed, in that change's transaction."""
    hold_cards(exclusive=False)
    store([card_of(Briefing.objects.for_listing().get(pk=briefing.pk))])


def store(cards: list[Card]) -> None:
    Card.objects.bulk_create(
        cards, update_conflicts=True, unique_fields=["briefing"], update_fields=["format", "html", *Card.SHOWN]
    )


def keep_missing() -> int:
    """Make every listed or scheduled briefing's card that is missing or of another format, a batch per
    transaction; returns how many were made. Rows being published are left to their publication."""
    made = 0
    while True:
        with transaction.atomic():
            hold_cards(exclusive=False)
            listed = Listing.objects.of(Kind.ALL).values("briefing")
            waiting = Briefing.objects.filter(pk__in=listed).exclude(card__format=card_format()).order_by("pk")
            ids = list(waiting.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[:BATCH])
            if not ids:
                return made
            store([card_of(briefing) for briefing in Briefing.objects.for_listing_in_order(ids)])
            made += len(ids)


# The fields of each tag a card shows.
SHOWN_NAME = {Theme: ("name", "translated_names"), Author: ("name",), Series: ("title",)}


def showing(tag: Theme | Author | Series) -> Q:
    """The cards that may show a tag's name: any theme's (the first is shown), the byline's, the series'."""
    if isinstance(tag, Theme):
        return Q(briefing__live_revision__themes=tag)
    if isinstance(tag, Author):
        return Q(briefing__live_revision__byline__author=tag)
    return Q(briefing__live_revision__series=tag)


def note_renaming(sender, instance, **kwargs) -> None:
    fields = SHOWN_NAME[sender]
    before = sender.objects.filter(pk=instance.pk).values_list(*fields).first() if instance.pk else None
    instance._renames_cards = before is not None and before != tuple(getattr(instance, field) for field in fields)


def forget_showing(sender, instance, **kwargs) -> None:
    """A tag renamed or deleted: forget the cards that show it (lists make them meanwhile), then have the
    task queue make them again."""
    from ..tasks import defer_keep_cards

    with transaction.atomic():  # outside the editor's transaction, the tag is saved: wait for cards made before
        hold_cards(exclusive=True)
        Card.objects.filter(pk__in=Card.objects.filter(showing(instance)).values("pk")).delete()
        transaction.on_commit(defer_keep_cards, robust=True)


def forget_if_renamed(sender, instance, **kwargs) -> None:
    if getattr(instance, "_renames_cards", False):
        forget_showing(sender, instance)


def watch_tags() -> None:
    for model in SHOWN_NAME:
        pre_save.connect(note_renaming, sender=model, dispatch_uid=f"cards-renaming-{model.__name__}")
        post_save.connect(forget_if_renamed, sender=model, dispatch_uid=f"cards-renamed-{model.__name__}")
        pre_delete.connect(forget_showing, sender=model, dispatch_uid=f"cards-deleted-{model.__name__}")
