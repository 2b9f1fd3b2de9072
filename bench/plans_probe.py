"""What the plans benchmark does inside the site, printing JSON: for each page kind of the cold-render
benchmark, every statement the page sends with nothing cached, and its `EXPLAIN (ANALYZE, BUFFERS)`.

Run with the benchmark's environment: `python bench/plans_probe.py`.
"""

import json
import re

from cold_probe import cold_get, pages, read_as  # sets Django up
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from briefings import taxonomy

TAGS_READ_ONCE = "themes and region tree (read once a process, until a tag is edited)"

EXPLAINED = re.compile(r"^\s*(SELECT|WITH|\(SELECT)", re.IGNORECASE)  # what EXPLAIN ANALYZE may run: no writes


def explain(sql: str) -> tuple[float, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)), plan


def statements(client: Client, kind: str, path: str) -> list[dict]:
    """What the page sends rendered, or read as made ahead where `kind` is one read so."""
    read_as(kind)
    cold_get(client, path)  # as a running worker: templates compiled, connections open
    with CaptureQueriesContext(connection) as queries:
        cold_get(client, path)
    return explained(queries)


def tags_read_once() -> list[dict]:
    """What a process sends to read the themes and the region tree, kept until an editor changes a tag."""
    with CaptureQueriesContext(connection) as queries:
        taxonomy.region_tree.__wrapped__()
        taxonomy.themes.__wrapped__()
    return explained(queries)


def explained(queries: CaptureQueriesContext) -> list[dict]:
    found = []
    for query in queries.captured_queries:
        if EXPLAINED.match(query["sql"]):
            milliseconds, plan = explain(query["sql"])
            found.append({"sql": query["sql"], "ms": milliseconds, "plan": plan})
    return found


if __name__ == "__main__":
    client = Client(HTTP_HOST="127.0.0.1")
    plans = {kind: statements(client, kind, paths[0]) for kind, paths in pages().items()}
    plans[TAGS_READ_ONCE] = tags_read_once()
    print(json.dumps(plans))
