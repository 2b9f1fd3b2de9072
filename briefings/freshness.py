"""Knowing when what readers see has changed, so that work done for them can be kept until then.

Public content changes only when a briefing is published, updated, unpublished or withdrawn, when a
scheduled briefing goes live, or when a theme, region, author or series is edited. Each of these
either raises the number in `PublicContentVersion` (in the same transaction, so no reader can see the
new number before the new content) or moves the time of the latest briefing to go live. Together they
make a token; anything cached under the token cannot be stale, in any worker, whatever the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import Author, Briefing, PublicContentVersion, Region, Series, Theme

Value = TypeVar("Value")
VERSION_TABLE = PublicContentVersion._meta.db_table
KEEP_SECONDS = 60 * 60  # a bound on memory, not on freshness: the token already says when an entry is stale


def public_content_changed() -> None:
    """Call inside the transaction that changes what readers see."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {VERSION_TABLE} (id, number) VALUES (1, 1) "
            f"ON CONFLICT (id) DO UPDATE SET number = {VERSION_TABLE}.number + 1"
        )


def public_content_token() -> str:
    """Names the state of everything readers can see; changes whenever any of it does."""
    latest_live = Briefing.objects.published().order_by("-published_at").values("published_at")[:1]
    latest_live_sql, params = latest_live.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT number FROM {VERSION_TABLE} WHERE id = 1), ({latest_live_sql})", params)
        number, latest_live_at = cursor.fetchone()
    return f"{number or 0}:{latest_live_at.isoformat() if latest_live_at else ''}"


def remember(key: tuple, compute: Callable[[], Value]) -> Value:
    """The value of `compute()`, kept in the cache until public content changes."""
    digest = hashlib.sha256(repr((public_content_token(), key)).encode()).hexdigest()
    value = cache.get(digest)
    if value is None:
        value = compute()
        cache.set(digest, value, KEEP_SECONDS)
    return value


def taxonomy_changed(sender, **kwargs) -> None:
    public_content_changed()


def watch_taxonomy() -> None:
    """Editing a tag changes the pages that show it and the briefings a region's filter finds."""
    for model in (Theme, Region, Author, Series):
        post_save.connect(taxonomy_changed, sender=model, dispatch_uid=f"freshness-save-{model.__name__}")
        post_delete.connect(taxonomy_changed, sender=model, dispatch_uid=f"freshness-delete-{model.__name__}")
    m2m_changed.connect(taxonomy_changed, sender=Region.parents.through, dispatch_uid="freshness-regrouping")
