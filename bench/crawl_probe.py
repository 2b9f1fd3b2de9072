"""What the crawler benchmark walks, printed as JSON: every listed briefing's page and its
first version, every theme, region, author and series page, every archive year and month, and the feed
of every theme, region and author. Interleaved at random (the same each run), as a crawler following
links meets them; the database time spent so far with `--database-ms`; the pages kept for readers
(made ahead) and the room they take with `--kept-pages`.

Run with the benchmark's environment: `python bench/crawl_probe.py [--database-ms | --kept-pages]`.
"""

import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from briefings import freshness  # noqa: E402
from briefings.models import Briefing, KeptPage  # noqa: E402
from briefings.publishing.pages import of_lists  # noqa: E402


def addresses() -> list[str]:
    """Each listed briefing and its first version, and every list the site makes ahead but the RSS feeds
    (the Atom ones stand for them)."""
    found = []
    for slug in Briefing.objects.listed().values_list("slug", flat=True).iterator(chunk_size=5000):
        found += [f"/briefings/{slug}/", f"/briefings/{slug}/v/1/"]
    found += [page.path for page in of_lists() if not page.path.endswith(".rss")]
    random.Random(11).shuffle(found)
    return found


def database_ms() -> float:
    """Time PostgreSQL has spent running statements in this database since its statistics began."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT active_time FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def kept_pages() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [KeptPage._meta.db_table])
        size = cursor.fetchone()[0]
    return {"pages": KeptPage.objects.filter(release=freshness.RELEASE).count(), "bytes": size}


if __name__ == "__main__":
    if "--database-ms" in sys.argv:
        print(json.dumps(database_ms()))
    elif "--kept-pages" in sys.argv:
        print(json.dumps(kept_pages()))
    else:
        print(json.dumps(addresses()))
