"""What the serving benchmark needs from inside the site, printed as JSON: SQL queries per page (first
render and from the cache), a staff session for the admin pages, a briefing with many revisions and
the ids of a theme and a region to filter by.

Run with the benchmark's environment: `python bench/site_probe.py PATH …`.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from briefings import publishing  # noqa: E402
from briefings.models import Briefing, Region, Theme  # noqa: E402

HISTORY_SLUG = "bench-long-history"
REVISIONS = 500


def queries_per_page(paths: list[str]) -> dict[str, dict[str, int]]:
    cache.clear()
    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as first:
            client.get(path)
        with CaptureQueriesContext(connection) as cached:
            client.get(path)
        counts[path] = {"first_render": len(first), "cached": len(cached)}
    return counts


def staff_session() -> str:
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def long_history() -> int:
    """A briefing edited REVISIONS times (made once, kept)."""
    briefing = Briefing.objects.filter(slug=HISTORY_SLUG).first()
    if briefing is None:
        briefing = Briefing()
        start = {"title": "A briefing edited many times", "slug": HISTORY_SLUG, "body": "Start."}
        publishing.save_draft(briefing, content=start, by=None)
    for number in range(briefing.revisions.count(), REVISIONS):
        body = f"Pass {number}.\n\n" + "A paragraph of analysis. " * 200
        publishing.save_draft(briefing, content={"body": body}, by=None, note=f"Pass {number}")
    return briefing.pk


if __name__ == "__main__":
    print(
        json.dumps(
            {
                "queries": queries_per_page(sys.argv[1:]),
                "session": staff_session(),
                "long_history_id": long_history(),
                "tags": {"theme": Theme.objects.get(slug="space").pk, "region": Region.objects.get(slug="japan").pk},
            }
        )
    )
