"""The database going away is a normal condition: readers keep getting cached pages, everything else
answers 503 at once with a Retry-After, editors get their typed text back, and the log says it once.

Each process keeps a breaker. The first request that finds the database unreachable opens it (one log
line); while it is open no request waits for a connection, and one request a second checks with a
fresh connection whether the database is back. When it is, the pool's idle connections (broken by the
outage) are checked and replaced before any request uses them, and the log says so (one line).
"""

from __future__ import annotations

import logging
import re
import threading
import time

import psycopg
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)
PROBE_INTERVAL = 1.0  # seconds between checks while the database is away
RETRY_AFTER = 5  # seconds a client is asked to wait
CONNECT_TIMEOUT = 1
# PostgreSQL's "connection exception" class, and the server shutting down, starting or refusing.
UNAVAILABLE_STATES = re.compile(r"^(08...|57P0[123])$")
# Form fields sent again unseen: tokens, bookkeeping of formsets, ids.
UNSHOWN_FIELD = re.compile(
    r"^(csrfmiddlewaretoken|base_revision|_.*)$|-(TOTAL_FORMS|INITIAL_FORMS|MIN_NUM_FORMS|MAX_NUM_FORMS|id|DELETE)$"
)


class DatabaseUnavailable(Exception):
    """The database is away, and what was asked for cannot be answered without it."""


def is_unavailable(error: BaseException) -> bool:
    """Whether an error says the database cannot be reached, as opposed to refusing one statement."""
    if isinstance(error, DatabaseUnavailable):
        return True
    cause = error.__cause__ if isinstance(error, DatabaseError) else error
    if not isinstance(cause, (psycopg.OperationalError, psycopg.InterfaceError)):
        return False
    return cause.sqlstate is None or bool(UNAVAILABLE_STATES.match(cause.sqlstate))


class Breaker:
    def __init__(self):
        self.lock = threading.Lock()
        self.probing = threading.Lock()
        self.since: float | None = None
        self.next_probe_at = 0.0

    def failed(self, error: BaseException) -> None:
        with self.lock:
            if self.since is None:
                self.since = time.monotonic()
                self.next_probe_at = self.since + PROBE_INTERVAL
                logger.error("Database unavailable (%s); serving cached pages, 503 for the rest.", one_line(error))

    def is_open(self) -> bool:
        """Whether the database is away. One caller a second checks, with a connection of its own."""
        if self.since is None:
            return False
        if time.monotonic() >= self.next_probe_at and self.probing.acquire(blocking=False):
            try:
                self.next_probe_at = time.monotonic() + PROBE_INTERVAL
                if database_answers():
                    self.closed()
            finally:
                self.probing.release()
        return self.since is not None

    def closed(self) -> None:
        try:
            connection.pool.check()  # connections opened before the outage are broken: replace them now
        except psycopg.Error:
            return  # gone again: the next probe will tell
        with self.lock:
            if self.since is not None:
                logger.warning("Database back after %.0f s.", time.monotonic() - self.since)
            self.since = None


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


def database_answers() -> bool:
    parameters = {k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"}
    try:
        with psycopg.connect(**parameters, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as probe:
            probe.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


BREAKER = Breaker()


def unavailable(request: HttpRequest) -> HttpResponse:
    """A 503 that keeps what was sent: a form comes back filled in, to send again once the database is back."""
    request.is_database_outage = True  # see QuietOutageFilter
    context = {"retry_after": RETRY_AFTER}
    if request.method == "POST":
        context["fields"] = [resent_field(name, value) for name, values in request.POST.lists() for value in values]
        context["action"] = request.get_full_path()
    response = render(request, "503.html", context, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def resent_field(name: str, value: str) -> dict:
    """A field of the form as the 503 page sends it again: text an editor wrote is shown, the rest hidden."""
    is_written = " " in value.strip() or len(value) > 20  # words or a slug, not a code, number or token
    lines = value.count("\n") + 1
    return {
        "name": name,
        "value": value,
        "is_shown": is_written and not UNSHOWN_FIELD.search(name),
        "rows": min(24, lines + 1),
    }


class OutageMiddleware:
    """Answers 503 at once while the breaker is open, and turns the error that opens it into a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if BREAKER.is_open():
            return unavailable(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_unavailable(exception):
            return None
        BREAKER.failed(exception)
        return unavailable(request)


class QuietOutageFilter(logging.Filter):
    """Drops the per-request log lines of an outage: the breaker has said it once."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(getattr(record, "request", None), "is_database_outage", False)
