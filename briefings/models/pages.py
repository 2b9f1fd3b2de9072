"""Public pages made ahead of readers (a briefing's, its versions', its lists', the home page's), kept with what
they read.

A page is made by briefings.publishing.pages after the change that may alter it, and read by the page
cache (briefings.caching) when a process has none of its own. A kept page is served only while nothing
it read has changed since it was made (checked by the reader, briefings.pages), so a page made by any
process, before any restart, is never served stale; a missing or outdated page is rendered as it is asked
for.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import connection, models

from .audit import ContentScope
from .listings import Listing

MOST_GO_LIVES_CHECKED = 500  # a page older than this many go-lives is made again rather than checked


class KeptPageQuerySet(models.QuerySet):
    def at(self, release: str, path: str) -> KeptPage | None:
        """The page kept for this release at `path`, current or not: the caller checks (see `gone_live`)."""
        sql = (
            f"SELECT id, made_in, latest_live_at, scopes, status, headers, body FROM {self.model._meta.db_table} "
            f"WHERE release = %s AND path = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [release, path])
            row = cursor.fetchone()
        if row is None:
            return None
        pk, made_in, latest_live_at, scopes, status, headers, body = row
        return self.model(pk=pk, release=release, path=path, made_in=made_in, latest_live_at=latest_live_at,
                          scopes=scopes, status=status, headers=json.loads(headers), body=bytes(body))  # fmt: skip

    def gone_live(self, page: KeptPage, latest_live_at: datetime | None) -> list | None:
        """None if a scope the page read changed since it was made (or the page is gone), else the listings
        gone live since then (published_at, kind, tag, briefing), for the caller to check."""
        sql = (
            f"SELECT (SELECT json_agg(json_build_array(gone.published_at, gone.kind, gone.tag, gone.briefing_id)) "
            f" FROM (SELECT * FROM {Listing._meta.db_table} listing "
            f"  WHERE listing.published_at > COALESCE(page.latest_live_at, '-infinity') "
            f"  AND listing.published_at <= %s LIMIT {MOST_GO_LIVES_CHECKED + 1}) gone) "
            f"FROM {self.model._meta.db_table} page WHERE page.id = %s AND page.made_in = %s AND NOT EXISTS ("
            f" SELECT 1 FROM {ContentScope._meta.db_table} scope "
            f" WHERE scope.name = ANY(page.scopes) AND scope.number > page.made_in)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [latest_live_at, page.pk, page.made_in])
            row = cursor.fetchone()
        return None if row is None else row[0] or []


class KeptPage(models.Model):
    """A public page as a reader gets it, made in public content version `made_in`."""

    release = models.CharField(max_length=64, help_text="The code that made it (briefings.freshness.RELEASE).")
    path = models.CharField(max_length=1000)
    briefing = models.ForeignKey(
        "Briefing", on_delete=models.CASCADE, null=True, related_name="kept_pages", help_text="Empty for a list."
    )
    version = models.PositiveIntegerField(null=True, help_text="The version's page; empty for the briefing's.")
    made_in = models.PositiveBigIntegerField(help_text="The public content version it was made in.")
    latest_live_at = models.DateTimeField(null=True, help_text="The newest go-live when it was made.")
    scopes = ArrayField(models.CharField(max_length=60), help_text="What it read (briefings.scopes).")
    status = models.PositiveSmallIntegerField()
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    made_at = models.DateTimeField(auto_now=True)

    objects = KeptPageQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "path"], name="one_kept_page_per_release")]
        indexes = [GinIndex(fields=["scopes"], name="kept_page_scopes")]

    def __str__(self) -> str:
        return self.path
