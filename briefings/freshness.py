"""Knowing when what readers see has changed, so that work done for them can be kept until then.

Public content changes only when a briefing is published, updated, unpublished, withdrawn or
(un)featured, when a scheduled briefing goes live, or when a theme, region, author or series is
edited. Each of these either raises the number in `PublicContentVersion` (in the same transaction, so
no reader can see the new number before the new content) or moves the time of the latest briefing to
go live. Together with the release of the code they make a token; anything cached under the token
cannot be stale, in any worker, whatever the cache backend. Each change also names the parts of the
site it changes (briefings/scopes.py), so that pages showing none of them can be kept across it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import select
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial, wraps
from pathlib import Path
from typing import TypeVar

import psycopg
import redis
from django.conf import settings
from django.core.cache import cache as default_cache
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from . import beacon, outage, scopes
from .models import Author, Briefing, ContentScope, Listing, PublicContentVersion, Region, Series, Theme

Value = TypeVar("Value")
logger = logging.getLogger(__name__)
VERSION_TABLE = PublicContentVersion._meta.db_table
SCOPE_TABLE = ContentScope._meta.db_table
LISTING_TABLE = Listing._meta.db_table
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
    number: int = 0  # of the latest change
    latest_live_at: datetime | None = None  # the newest go-live


CHANNEL = "briefings_public_content"
GO_LIVE_MARGIN = timedelta(seconds=1)  # ask the database through the last second before a go-live
LISTEN_RETRY_SECONDS = 30
FIRST_LOOK_BACK = 10_000  # changes a process starting up learns of, so that pages kept before stay usable


def public_content_changed(changed: Iterable[str] | None = None) -> None:
    """Call inside the transaction that changes what readers see, naming the scopes it changes
    (briefings/scopes.py; none named: everything). On commit, before the change's own request answers,
    the beacon says so to every worker's next request; NOTIFY tells the listeners too."""
    names = sorted({*changed, scopes.SITE}) if changed is not None else [scopes.EVERYTHING]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH raised AS (INSERT INTO {VERSION_TABLE} (id, number, changed_at) "
            f"VALUES (1, 1, statement_timestamp()) ON CONFLICT (id) DO UPDATE "
            f"SET number = {VERSION_TABLE}.number + 1, changed_at = statement_timestamp() RETURNING number) "
            f"INSERT INTO {SCOPE_TABLE} (name, number) "
            f"SELECT name, raised.number FROM raised, UNNEST(%s::varchar[]) name "
            f"ON CONFLICT (name) DO UPDATE SET number = EXCLUDED.number",
            [names],
        )
        cursor.execute(f"NOTIFY {CHANNEL}")
    transaction.on_commit(beacon.signal)
    transaction.on_commit(partial(forget_pages_made_ahead, names), robust=True)
    WATCHER.forget()


def forget_pages_made_ahead(names: list[str]) -> None:
    """Have the task queue forget the pages made ahead that a change made stale, and make them again."""
    from .tasks import forget_pages  # the task queue's module imports the publishing code that calls this

    forget_pages.defer(changed=names)


@cache
def state_query() -> tuple[str, tuple]:
    """The state, the next scheduled go-live, the scopes changed since a version and the listings gone
    live since a moment, in one query. Parameters: the version (None: the first look), the moment."""
    latest_live = Briefing.objects.published().order_by("-published_at").values("published_at")[:1]
    next_live = Briefing.objects.scheduled().order_by("published_at").values("published_at")[:1]
    latest_sql, latest_params = latest_live.query.sql_with_params()
    next_sql, next_params = next_live.query.sql_with_params()
    sql = (
        f"SELECT number, changed_at, latest, next_live, since, "
        f"(SELECT json_agg(json_build_array(scope.name, scope.number)) FROM {SCOPE_TABLE} scope "
        f" WHERE scope.number > since), "
        f"(SELECT json_agg(json_build_array(listing.published_at, listing.kind, listing.tag, listing.briefing_id)) "
        f" FROM {LISTING_TABLE} listing WHERE listing.published_at > %s AND listing.published_at <= latest) "
        f"FROM (SELECT ({latest_sql}) AS latest, ({next_sql}) AS next_live) AS moments "
        f"LEFT JOIN {VERSION_TABLE} ON id = 1, "
        f"LATERAL (SELECT COALESCE(%s, GREATEST(COALESCE(number, 0) - {FIRST_LOOK_BACK}, 0))) AS looked(since)"
    )
    return sql, latest_params + next_params


def read_public_state(last: PublicState | None, log: scopes.ScopeLog) -> tuple[PublicState, datetime | None]:
    """The state now; what changed since `last` goes into `log`."""
    sql, moment_params = state_query()
    params = [last.latest_live_at if last else None, *moment_params, last.number if last else None]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        number, changed_at, latest_live_at, next_live_at, since, changed, gone_live = cursor.fetchone()
    number = number or 0
    gone_live = [(datetime.fromisoformat(at), kind, tag, briefing) for at, kind, tag, briefing in gone_live or []]
    log.learn(since, number, changed or [], latest_live_at, gone_live)
    token = f"{RELEASE}:{number}:{latest_live_at.isoformat() if latest_live_at else ''}"
    moments = [moment for moment in (changed_at, latest_live_at) if moment]
    return PublicState(token, max(moments, default=None), number, latest_live_at), next_live_at


class Watcher:
    """This process's knowledge of the public state, kept until the database says it changed.

    A connection of its own LISTENs for the notice every change sends on commit; looking for a notice
    is a poll of its socket, and a look at the beacon (briefings/beacon.py) shows whether a change was
    committed since, so a page served from the cache costs no query. The state is read again when a
    notice has come or the beacon holds a value this process has not seen, when a scheduled briefing
    is about to go live, after anything this process changed itself, and on every request while
    either cannot be read.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.process = None
        self.listener = None
        self.listen_again_at = 0.0
        self.known = None  # (PublicState, next go-live)
        self.last_read: PublicState | None = None
        self.log = scopes.ScopeLog()
        self.beacon_seen: int | None = None

    def forget(self) -> None:
        self.known = None

    def start_afresh(self) -> None:
        """Know nothing, as a process just started (the listening connection stays)."""
        with self.lock:
            self.known, self.last_read, self.log = None, None, scopes.ScopeLog()

    def close(self) -> None:
        """Stop listening (the connection would otherwise last as long as the process)."""
        with self.lock:
            if self.listener is not None:
                self.listener.close()
            self.listener, self.known, self.last_read = None, None, None
            self.log = scopes.ScopeLog()

    def state(self) -> PublicState:
        with self.lock:
            if self.process != os.getpid():  # a forked worker starts afresh
                self.process, self.listener, self.known, self.last_read = os.getpid(), None, None, None
                self.log = scopes.ScopeLog()
            if outage.BREAKER.is_open():
                return self.as_last_read()
            has_changed = self.beacon_has_changed()  # before the notice: a notice must not skip a look
            if not self.has_no_notice() or has_changed:
                self.known = None
            if self.known and self.known[1] and timezone.now() >= self.known[1] - GO_LIVE_MARGIN:
                self.known = None
            if self.known is None or self.listener is None:
                try:
                    self.known = read_public_state(self.last_read, self.log)
                except DatabaseError as error:
                    if not outage.is_unavailable(error):
                        raise
                    outage.BREAKER.failed(error)
                    return self.as_last_read()
                self.last_read = self.known[0]
            return self.known[0]

    def as_last_read(self) -> PublicState:
        """While the database is away: the state last read, under which the pages readers saw are cached."""
        if self.last_read is None:
            raise outage.DatabaseUnavailable("The database is away and this process has read nothing yet.")
        return self.last_read

    def beacon_has_changed(self) -> bool:
        """Whether a change was committed since the last look, its notice perhaps still on the way."""
        value = beacon.read()
        has_changed = value is None or value != self.beacon_seen
        self.beacon_seen = value
        return has_changed

    def has_no_notice(self) -> bool:
        """Whether the listening connection is up and nothing came on it since the last look."""
        if self.listener is None:
            if time.monotonic() >= self.listen_again_at:
                self.listener = self.listen()
            return False  # notices sent before it listened are lost: read the state
        try:
            readable, _, _ = select.select([self.listener.fileno()], [], [], 0)
            if not readable:
                return True
            notices = list(self.listener.notifies(timeout=0))
        except (psycopg.Error, OSError, ValueError):
            notices = None
        if notices is None or self.listener.closed or self.listener.broken:  # the server went away
            self.listener.close()
            self.listener = None
            return False
        return not notices

    def listen(self) -> psycopg.Connection | None:
        parameters = connection.get_connection_params()
        parameters.pop("cursor_factory", None)
        try:
            listener = psycopg.connect(**parameters, autocommit=True, connect_timeout=2)
            listener.execute(f"LISTEN {CHANNEL}")
            return listener
        except psycopg.Error as error:
            logger.warning("Cannot listen for changes of public content (%s); asking on every request.", error)
            self.listen_again_at = time.monotonic() + LISTEN_RETRY_SECONDS
            return None


WATCHER = Watcher()


def public_state() -> PublicState:
    """The state of everything readers can see."""
    return WATCHER.state()


def is_current(rendering: scopes.Rendering, state: PublicState) -> bool:
    """Whether a page kept as rendered then shows what readers may see in `state`."""
    return WATCHER.log.is_current(rendering, state.number, state.latest_live_at)


def kept_until_tags_change(read: Callable[[], Value]) -> Callable[[], Value]:
    """`read`, done once and kept in this process until a theme, region, author or series is edited (which
    changes `everything`): for what nearly every list page reads and editors seldom change. Callers
    share the value, so they must not change it."""

    @wraps(read)
    def kept() -> Value:
        state, log = public_state(), WATCHER.log
        value = log.kept_value(read.__qualname__, state.number)
        if value is None:
            value = read()
            log.keep(read.__qualname__, state.number, value)
        return value

    return kept


def page_key(address: str) -> str:
    """Where a public page is kept, with what it read (see `is_current`), for this release of the code."""
    return hashlib.sha256(repr((RELEASE, "page", address)).encode()).hexdigest()


def cache_key(state: PublicState, key: tuple) -> str:
    """A cache key for `key` that no longer matches once public content changes, or the code: a value
    kept by another release may be shaped otherwise."""
    return hashlib.sha256(repr((RELEASE, state.token, key)).encode()).hexdigest()


def remember(key: tuple, compute: Callable[[], Value]) -> Value:
    """The value of `compute()`, kept in the cache until public content changes."""
    digest = cache_key(public_state(), key)
    value = recall(digest)
    if value is None:
        value = compute()
        keep(digest, value)
    return value


# The cache only saves work: while its server is unreachable, readers get pages rendered afresh.
CACHE_UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
CACHE_WARNING_INTERVAL = 60  # seconds between warnings while the cache server stays unreachable
last_cache_warning = 0.0


def recall(key: str):
    """What the cache keeps under `key`, or None."""
    try:
        return default_cache.get(key)
    except CACHE_UNREACHABLE as error:
        warn_cache_unreachable(error)
        return None


def keep(key: str, value) -> None:
    try:
        default_cache.set(key, value, KEEP_SECONDS)
    except CACHE_UNREACHABLE as error:
        warn_cache_unreachable(error)


def warn_cache_unreachable(error: Exception) -> None:
    global last_cache_warning
    if time.monotonic() - last_cache_warning >= CACHE_WARNING_INTERVAL:
        last_cache_warning = time.monotonic()
        logger.warning("The cache server is unreachable (%s); serving pages without it.", error)


def taxonomy_changed(sender, **kwargs) -> None:
    public_content_changed()


def watch_taxonomy() -> None:
    """Editing a tag changes the pages that show it and the briefings a region's filter finds."""
    for model in (Theme, Region, Author, Series):
        post_save.connect(taxonomy_changed, sender=model, dispatch_uid=f"freshness-save-{model.__name__}")
        post_delete.connect(taxonomy_changed, sender=model, dispatch_uid=f"freshness-delete-{model.__name__}")
    m2m_changed.connect(taxonomy_changed, sender=Region.parents.through, dispatch_uid="freshness-regrouping")
