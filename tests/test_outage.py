"""The production server while its PostgreSQL is stopped and started again.

Reproduces the reports: with the database stopped every public request failed, cached pages included,
after waiting up to 10 s for the pool; a traceback was logged per request (1,051 lines for 16); and 12
of the first 40 requests after the database came back failed on broken pooled connections.
"""

import http.client
import time

import psycopg
import pytest
from django.db import DatabaseError, OperationalError
from psycopg_pool import PoolTimeout

from briefings.outage import is_unavailable
from tests.servers import gunicorn

pytestmark = pytest.mark.django_db

CACHED = ["/", "/briefings/baltic-undersea-cables/", "/themes/", "/feeds/all.atom"]
UNCACHED = ["/regions/", "/authors/", "/search/?q=cables", "/briefings/red-sea-shipping/", "/archive/"]
QUICKLY = 3.0  # seconds: far below the pool's old 10 s wait, far above any answer that does not wait


def fetch(port: int, path: str) -> tuple[int, dict[str, str], str, float]:
    started = time.monotonic()
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    client.request("GET", path, headers={"Host": "127.0.0.1"})
    response = client.getresponse()
    body = response.read().decode()
    client.close()
    return response.status, dict(response.getheaders()), body, time.monotonic() - started


def wait_for(port: int, path: str, status: int, seconds: float = 20, in_a_row: int = 20) -> None:
    """Until the page answers `status` many times in a row, on new connections: every worker has then
    answered it (each checks for the database once a second while it is away)."""
    deadline, answered = time.monotonic() + seconds, 0
    while answered < in_a_row:
        answered = answered + 1 if fetch(port, path)[0] == status else 0
        assert time.monotonic() < deadline, f"{path} did not answer {status} {in_a_row} times in a row"
        time.sleep(0.1)


def cached_by_every_worker(server, path: str) -> str:
    """Ask for the page on new connections until both workers have answered it (the access log names
    the worker of each request), so each holds it in its cache; returns the page."""
    deadline = time.monotonic() + 30
    while (
        len(
            {
                line.split()[0]
                for line in server.access_log.read_text().splitlines()
                if line.endswith(f" {path.split('?')[0]}")
            }
        )
        < 2
    ):
        assert time.monotonic() < deadline, f"{path} did not reach both workers"
        status, _, body, _ = fetch(server.port, path)
        assert status == 200
    return body


def test_readers_get_cached_pages_and_quick_503s_while_the_database_is_stopped(
    stoppable_database, static_root, tmp_path
):
    cluster, url = stoppable_database
    with gunicorn(static_root, tmp_path, DATABASE_URL=url) as server:
        pages = {path: cached_by_every_worker(server, path) for path in CACHED}
        cluster.stop()
        try:
            for _ in range(3):
                for path in CACHED:
                    status, headers, body, _ = fetch(server.port, path)
                    assert (status, body) == (200, pages[path]), path
                    assert "stale-if-error" in headers["Cache-Control"]
                for path in UNCACHED:
                    status, headers, body, seconds = fetch(server.port, path)
                    assert status == 503, path
                    assert headers["Retry-After"] == "5" and "try again" in body.lower()
                    assert seconds < QUICKLY, f"{path} took {seconds:.1f} s"
        finally:
            cluster.start()
        wait_for(server.port, "/series/", 200)
        statuses = [fetch(server.port, path)[0] for path in (UNCACHED + CACHED) * 4]
        assert statuses == [200] * len(statuses), "no request fails once the database is back"

    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log and "Internal Server Error" not in log and "Service Unavailable" not in log
    away, back = log.count("Database unavailable"), log.count("Database back")
    assert 1 <= away <= 2 and back == away, log  # once per worker that met the outage, and once back


def wrapped(error: Exception) -> DatabaseError:
    """The error as Django raises it, with psycopg's as its cause."""
    try:
        raise OperationalError(str(error)) from error
    except OperationalError as django_error:
        return django_error


def test_only_errors_in_reaching_the_database_open_the_breaker():
    assert is_unavailable(wrapped(psycopg.OperationalError("server closed the connection unexpectedly")))
    assert is_unavailable(wrapped(PoolTimeout("couldn't get a connection after 1.00 sec")))
    assert is_unavailable(wrapped(psycopg.errors.AdminShutdown("terminating connection")))
    assert is_unavailable(wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")))
    assert not is_unavailable(wrapped(psycopg.errors.DeadlockDetected("deadlock detected")))
    assert not is_unavailable(wrapped(psycopg.errors.QueryCanceled("statement timeout")))
    assert not is_unavailable(ValueError("not a database error"))
