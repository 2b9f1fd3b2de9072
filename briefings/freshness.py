"""Knowing when what readers see has changed, so that work done for them can be kept until then.

Public content changes only when a briefing is published, updated, unpublished, withdrawn or
(un)featured, when a scheduled briefing goes live, or when a theme, region, author or series is
edited. Each of these either raises the number in `PublicContentVersion` (in the same transaction, so
no reader can see the new number before the new content) or moves the time of the latest briefing to
go live. Together with the release of the code they make a token; anything cached under the token
cannot be stale, in any worker, whatever the cache backend.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache as default_cache
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import Author, Briefing, PublicContentVersion, Region, Series, Theme

Value = TypeVar("Value")
VERSION_TABLE = PublicContentVersion._meta.db_table
KEEP_SECONDS = 60 * 60  # a bound on memory, not on freshness: the token already says when an entry is stale


def code_release() -> str:
    """Names the deployed code and templates, so that a deploy does not serve pages cached by the last one."""
    if os.environ.get("RELEASE"):
        return os.environ["RELEASE"]
    digest = hashlib.sha256()
    for folder, pattern in ((Path(__file__).parent, "**/*.py"), (settings.BASE_DIR / "templates", "**/*.html")):
        for path in sorted(folder.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


RELEASE = code_release()


@dataclass(frozen=True)
class PublicState:
    token: str
    changed_at: datetime | None  # the latest change or go-live, for Last-Modified


def public_content_changed() -> None:
    """Call inside the transaction that changes what readers see."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {VERSION_TABLE} (id, number, changed_at) VALUES (1, 1, statement_timestamp()) "
            f"ON CONFLICT (id) DO UPDATE SET number = {VERSION_TABLE}.number + 1, changed_at = statement_timestamp()"
        )


@cache
def state_query() -> tuple[str, tuple]:
    """The SQL of public_state(), built once: it runs on every public request."""
    latest_live = Briefing.objects.published().order_by("-published_at").values("published_at")[:1]
    latest_live_sql, params = latest_live.query.sql_with_params()
    sql = f"SELECT number, changed_at, ({latest_live_sql}) FROM (SELECT 1) AS one LEFT JOIN {VERSION_TABLE} ON id = 1"
    return sql, params


def public_state() -> PublicState:
    """The state of everything readers can see, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(*state_query())
        number, changed_at, latest_live_at = cursor.fetchone()
    token = f"{RELEASE}:{number or 0}:{latest_live_at.isoformat() if latest_live_at else ''}"
    moments = [moment for moment in (changed_at, latest_live_at) if moment]
    return PublicState(token, max(moments, default=None))


def remember(key: tuple, compute: Callable[[], Value], state: PublicState | None = None) -> Value:
    """The value of `compute()`, kept in the cache until public content changes."""
    token = (state or public_state()).token
    digest = hashlib.sha256(repr((token, key)).encode()).hexdigest()
    value = default_cache.get(digest)
    if value is None:
        value = compute()
        default_cache.set(digest, value, KEEP_SECONDS)
    return value


def taxonomy_changed(sender, **kwargs) -> None:
    public_content_changed()


def watch_taxonomy() -> None:
    """Editing a tag changes the pages that show it and the briefings a region's filter finds."""
    for model in (Theme, Region, Author, Series):
        post_save.connect(taxonomy_changed, sender=model, dispatch_uid=f"freshness-save-{model.__name__}")
        post_delete.connect(taxonomy_changed, sender=model, dispatch_uid=f"freshness-delete-{model.__name__}")
    m2m_changed.connect(taxonomy_changed, sender=Region.parents.through, dispatch_uid="freshness-regrouping")
