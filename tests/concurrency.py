"""Two (or more) real connections meeting at a briefing's row lock, in an order the test chooses."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection, connections, transaction
from django.db.models import QuerySet

from briefings.models import Briefing

LOCK_WAIT_TIMEOUT = 10.0


def waiting_for_locks() -> int:
    """How many other sessions of this database are waiting for a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is otherwise read once per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def sessions() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, wait_event_type, wait_event, left(query, 120) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchall()


def wait_for_waiters(count: int) -> None:
    deadline = time.monotonic() + LOCK_WAIT_TIMEOUT
    while waiting_for_locks() < count:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"Expected {count} session(s) waiting for the briefing's lock; an action took none: {sessions()}"
            )
        time.sleep(0.01)


def meet_at_the_lock(
    briefing: Briefing,
    *actions: Callable[[], object],
    row: QuerySet | None = None,
    hold: Callable[[], object] | None = None,
) -> list[object]:
    """Run each action in a thread of its own (so on a connection of its own) and return their results.

    The briefing's row (or the `row` given, or whatever `hold` locks) is held locked while the actions
    start, one by one, each reaching the lock before the next starts; PostgreSQL then grants the lock in
    that order. Whatever an action read before asking for the lock, it read before any of the others wrote.
    """
    results: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        try:
            results[index] = action()
        except BaseException as error:  # handed to the test, which re-raises it
            results[index] = error
        finally:
            connections.close_all()

    threads = []
    with transaction.atomic():
        if hold is None:
            (row if row is not None else Briefing.objects.filter(pk=briefing.pk)).select_for_update().get()
        else:
            hold()
        for index, action in enumerate(actions):
            thread = threading.Thread(target=run, args=(index, action))
            thread.start()
            threads.append(thread)
            wait_for_waiters(index + 1)
    for thread in threads:
        thread.join(timeout=30)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results
