"""Makes an archive TIMES as large out of the imported one it runs in (a copy of its database): each
briefing copied TIMES - 1 times, with its revisions, tags, byline, audit rows and PDF records, under a
new slug, a title with the copy's number and a first publication moved back by 37 days a copy. Then
the kept lists and counts are rebuilt and the copies' list cards made, and the common words the original
counted are forgotten (the build counts the copy's own). Importing 100,000 briefings takes
hours on two cores; this takes minutes, and the archive has the same shape (the words of each copy are
its original's).

Run with the benchmark's environment: `python bench/copy_probe.py TIMES`.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from briefings.publishing.cards import keep_missing  # noqa: E402
from briefings.publishing.listings import rebuild  # noqa: E402

DAYS_BACK_PER_COPY = 37
# Each table that holds a briefing's rows, and what changes in a copy (others are copied as they are;
# an `id` not named here is left to its sequence).
CHANGED = {
    "briefings_briefing": {
        "id": "id + {k} * {b}",
        "slug": "slug || '-c{k}'",
        "title": "title || ' · {k}'",
        "published_at": "published_at - interval '{days} days'",
        "live_revision_id": "live_revision_id + {k} * {r}",
        "latest_revision_id": "latest_revision_id + {k} * {r}",
    },
    "briefings_revision": {
        "id": "id + {k} * {r}",
        "briefing_id": "briefing_id + {k} * {b}",
        "slug": "slug || '-c{k}'",
        "title": "title || ' · {k}'",
    },
    "briefings_revisiontheme": {"revision_id": "revision_id + {k} * {r}"},
    "briefings_revisionregion": {"revision_id": "revision_id + {k} * {r}"},
    "briefings_revisionauthor": {"revision_id": "revision_id + {k} * {r}"},
    "briefings_briefingauthor": {"briefing_id": "briefing_id + {k} * {b}"},
    "briefings_briefing_themes": {"briefing_id": "briefing_id + {k} * {b}"},
    "briefings_briefing_regions": {"briefing_id": "briefing_id + {k} * {b}"},
    "briefings_statechange": {
        "briefing_id": "briefing_id + {k} * {b}",
        "revision_id": "revision_id + {k} * {r}",
        "effective_at": "effective_at - interval '{days} days'",
    },
    "briefings_versionpdf": {"revision_id": "revision_id + {k} * {r}"},
}


def columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position", [table]
    )
    return [name for (name,) in cursor.fetchall()]


def copy_rows(cursor, times: int) -> None:
    cursor.execute("SELECT max(id) FROM briefings_briefing")
    last_briefing = cursor.fetchone()[0]
    cursor.execute("SELECT max(id) FROM briefings_revision")
    last_revision = cursor.fetchone()[0]
    for table, changed in CHANGED.items():
        names = [name for name in columns(cursor, table) if name != "id" or "id" in changed]
        for k in range(1, times):
            values = {"k": k, "b": last_briefing, "r": last_revision, "days": k * DAYS_BACK_PER_COPY}
            chosen = [changed[name].format(**values) if name in changed else name for name in names]
            key = next(name for name in ("briefing_id", "revision_id", "id") if name in names)  # the originals'
            bound = last_revision if key == "revision_id" else last_briefing
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(names)}) "
                f"SELECT {', '.join(chosen)} FROM {table} WHERE {key} <= {bound}"
            )
    for table in ("briefings_briefing", "briefings_revision"):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def dropped_indexes(cursor) -> list[str]:
    """Drop the copied tables' indexes that no constraint needs, returning how to make them again: one
    index built over all the rows is far quicker than rows added one by one to a trigram or RUM index."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u', 'x'))",
        [list(CHANGED)],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


if __name__ == "__main__":
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        definitions = dropped_indexes(cursor)
        copy_rows(cursor, int(sys.argv[1]))
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the copies' references checked before indexing
        for definition in definitions:
            cursor.execute(definition)
        cursor.execute("TRUNCATE briefings_commonword, briefings_topmatch, briefings_briefingwords")
    rebuild()
    keep_missing()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM briefings_briefing")
        print(json.dumps({"briefings": cursor.fetchone()[0], "seconds": round(time.perf_counter() - started, 1)}))
