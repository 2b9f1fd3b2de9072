"""What a kept page showed, so that a change throws away only the pages it can change.

A change of public content names its scopes: the briefing it changed (`briefing:12`), and, when the
briefing came into or left some lists, those lists (`theme:3`, `region:142`, `month:202405` …), each
also by its briefing's month and year (`theme:3@2024-05`, `theme:3@2024`: a briefing page's "related"
reads the earlier briefings of its lists, so it depends on the months of its own year so far and the
years before). Each
scope's row records the number of the change that last touched it (briefings.models.ContentScope);
a tag renamed or the region tree changed touch `everything`. Every change touches `site`: a page
showing the whole site (the home page, the sitemap index) reads it, and goes stale with any change.

A scoped page (a briefing's, a tag's, a month's, a tag's feed) says while it renders which scopes it
read (`depends_on`); it stays current until one of them changes, or `everything` does, or a scheduled
briefing in one of them goes live. Every other page is shared: any change at all makes it stale, as
search, sitemaps and indexes show the whole archive.

Each process learns the changes from the database with the public state (briefings/freshness.py) and
keeps them in a `ScopeLog`: deciding whether a kept page is current costs no query.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

EVERYTHING = "everything"
SITE = "site"  # touched by every change: what a page made ahead of readers that shows the whole site reads
EARLIER_KINDS = ("theme", "tagged-region")  # the lists a briefing page's "related" reads earlier briefings from
EARLIEST_YEAR = 2000  # "earlier" scopes are by month and year from then, as one before it
MOST_KEPT_SCOPES = 200_000  # a bound on memory: past it, pages rendered before are rendered again
MOST_KEPT_GO_LIVES = 20_000


def of_briefing(briefing_id: int) -> str:
    return f"briefing:{briefing_id}"


def of_work(original_id: int) -> str:
    """An original and its translations: a briefing's page links to the others readers may see."""
    return f"work:{original_id}"


def of_list(kind: str, tag: int) -> str:
    return f"{kind}:{tag}"


def of_earlier(kind: str, tag: int, published_at: datetime) -> str:
    """The briefings of a list first published in one month, or (before EARLIEST_YEAR) in any earlier year."""
    if published_at.year < EARLIEST_YEAR:
        return f"{kind}:{tag}@before-{EARLIEST_YEAR}"
    return f"{kind}:{tag}@{published_at.year}-{published_at.month:02}"


def of_earlier_year(kind: str, tag: int, year: int) -> str:
    return f"{kind}:{tag}@{year}"


def earlier_than(kind: str, tag: int, moment: datetime) -> set[str]:
    """What a page reading a list's briefings published up to `moment` depends on: each month of its
    year so far, each year before it, and everything before EARLIEST_YEAR (UTC)."""
    names = {f"{kind}:{tag}@before-{EARLIEST_YEAR}"}
    names.update(of_earlier_year(kind, tag, year) for year in range(EARLIEST_YEAR, moment.year))
    names.update(f"{kind}:{tag}@{moment.year}-{month:02}" for month in range(1, moment.month + 1))
    return names


def of_listing(kind: str, tag: int, briefing_id: int, published_at: datetime) -> set[str]:
    """The scopes a briefing's place in a list (a row of briefings.models.Listing) belongs to."""
    names = {of_briefing(briefing_id), of_list(kind, tag), SITE}
    if kind in EARLIER_KINDS:
        names |= {of_earlier(kind, tag, published_at), of_earlier_year(kind, tag, published_at.year)}
    return names


# The scopes the page being rendered has read; None while no page is being recorded.
reading: ContextVar[set[str] | None] = ContextVar("reading", default=None)


def depends_on(*names: str) -> None:
    """Say that the page being rendered shows what these scopes hold."""
    read = reading.get()
    if read is not None:
        read.update(names)


@contextmanager
def recording() -> Iterator[set[str]]:
    """The scopes read by the code run inside, filled in as it runs."""
    read: set[str] = set()
    token = reading.set(read)
    try:
        yield read
    finally:
        reading.reset(token)


@dataclass(frozen=True)
class Rendering:
    """When a kept page was rendered, and what it read (None: a shared page)."""

    number: int  # the public content version it was rendered in
    latest_live_at: datetime | None  # the newest go-live then
    scopes: frozenset[str] | None


@dataclass
class ScopeLog:
    """This process's knowledge of the changes since `floor_number` (and go-lives since `floor_live_at`)."""

    floor_number: int | None = None
    floor_live_at: datetime | None = None
    number: int = 0  # the latest version seen
    numbers: dict[str, int] = field(default_factory=dict)
    go_lives: list[tuple[datetime, frozenset[str]]] = field(default_factory=list)
    kept: dict[str, tuple[int, object]] = field(default_factory=dict)  # values read, by name, with their version

    def learn(
        self, since: int, number: int, changed: Iterable[tuple[str, int]], latest_live_at: datetime | None,
        gone_live: Iterable[tuple],
    ) -> None:  # fmt: skip
        """Take in what the database said: every scope changed after version `since` up to `number`, and
        the listing rows that went live since the last look."""
        went_back = number < self.number  # the database was restored from a backup: start again
        if self.floor_number is None:
            self.floor_number = since
        elif went_back or len(self.numbers) > MOST_KEPT_SCOPES:
            self.numbers.clear()
            self.kept.clear()
            self.floor_number = number
            self.floor_live_at = None
        self.number = number
        for name, changed_in in changed:
            self.numbers[name] = max(changed_in, self.numbers.get(name, 0))
        if self.floor_live_at is None or len(self.go_lives) > MOST_KEPT_GO_LIVES:
            self.go_lives.clear()
            self.floor_live_at = latest_live_at
            return
        for published_at, kind, tag, briefing_id in gone_live:
            self.go_lives.append((published_at, frozenset(of_listing(kind, tag, briefing_id, published_at))))

    def is_current(self, rendering: Rendering, number: int, latest_live_at: datetime | None) -> bool:
        """Whether a page rendered as `rendering` shows what readers may see now."""
        if rendering.scopes is None:
            return (rendering.number, rendering.latest_live_at) == (number, latest_live_at)
        if not self.knows(rendering.number, number):
            return False
        if rendering.latest_live_at != latest_live_at and not self.none_gone_live(rendering):
            return False
        return all(self.numbers.get(name, 0) <= rendering.number for name in (*rendering.scopes, EVERYTHING))

    def knows(self, then: int, number: int) -> bool:
        """Whether this process knows every change between version `then` and `number`, the version now: not
        when `then` is older than what it learned, or newer than now (its changes since rolled back)."""
        return self.floor_number is not None and self.floor_number <= then <= number

    def keep(self, name: str, number: int, value: object) -> None:
        """Keep a value read in version `number` that only a change of `everything` (a tag edited) changes."""
        self.kept[name] = (number, value)

    def kept_value(self, name: str, number: int) -> object | None:
        """The value kept under `name` if no change of `everything` came after it was read, else None."""
        read_in, value = self.kept.get(name, (None, None))
        if read_in is None or not self.knows(read_in, number):
            return None
        return value if self.numbers.get(EVERYTHING, 0) <= read_in else None

    def none_gone_live(self, rendering: Rendering) -> bool:
        """Whether no briefing in the page's scopes went live after it was rendered."""
        since = rendering.latest_live_at
        if since is None or self.floor_live_at is None or since < self.floor_live_at:
            return False
        return not any(since < at and names & rendering.scopes for at, names in self.go_lives)
