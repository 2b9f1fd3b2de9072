"""What the alerts benchmark does inside the site, printing JSON:

- `setup READERS LISTS` writes READERS subscribers spread unevenly over LISTS lists of every kind (a few
  lists hold most readers, as on a real site; three in ten readers follow a second list);
- `match REPEATS` publishes a briefing that belongs to many lists and times matching it (the same function
  the worker runs): wall and database time and queries, beside the bare INSERT of as many alert rows;
- `queue-message READERS` queues a message from the editors to a list of READERS readers, all immediate,
  for the workers to send (after forgetting every earlier alert and job).

Run with the benchmark's environment: `python bench/alert_probe.py setup 100000 1000`.
"""

import json
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from briefings import publishing  # noqa: E402
from briefings.models import (  # noqa: E402
    Alert,
    Author,
    Briefing,
    ContentChange,
    EditorMessage,
    Region,
    Series,
    Subscriber,
    SubscriberList,
    Subscription,
    Theme,
)
from briefings.publishing import alerts  # noqa: E402

# Each kind's share of the lists (searches re-run per publish, so they are the dear ones).
SHARES = {"theme": 0.04, "region": 0.30, "author": 0.06, "series": 0.02, "theme-region": 0.53, "search": 0.05}
SEARCH_WORDS = ["drones", "satellites", "ammunition", "cables", "arctic", "budgets", "shipyards", "sanctions"]


def tags(model, prefix: str, count: int, **extra) -> list:
    made = [
        model(slug=f"{prefix}-{n}", **{key: value.format(n=n) for key, value in extra.items()}) for n in range(count)
    ]
    model.objects.bulk_create(made, ignore_conflicts=True)
    return list(model.objects.filter(slug__startswith=f"{prefix}-").order_by("pk"))


def make_lists(count: int) -> None:
    sizes = {kind: round(share * (count - 1)) for kind, share in SHARES.items()}
    sizes["theme-region"] += count - 1 - sum(sizes.values())  # every briefing's list and these make `count`
    themes = tags(Theme, "bench-theme", sizes["theme"], name="Theme {n}")
    authors = tags(Author, "bench-author", sizes["author"], name="Author {n}", role="Fellow")
    series = tags(Series, "bench-series", sizes["series"], title="Series {n}")
    regions = list(Region.objects.order_by("pk")[: sizes["region"]])
    sizes["theme-region"] += sizes["region"] - len(regions)  # fewer regions than asked: more pairs
    lists = [SubscriberList(kind="everything", key="everything", title="Every new briefing")]
    lists += [SubscriberList(kind="theme", key=f"theme:{t.pk}", title=t.name, theme=t) for t in themes]
    lists += [SubscriberList(kind="region", key=f"region:{r.pk}", title=r.name, region=r) for r in regions]
    lists += [SubscriberList(kind="author", key=f"author:{a.pk}", title=a.name, author=a) for a in authors]
    lists += [SubscriberList(kind="series", key=f"series:{s.pk}", title=s.title, series=s) for s in series]
    pairs = [(theme, region) for region in regions for theme in themes][: sizes["theme-region"]]
    lists += [
        SubscriberList(kind="theme-region", key=f"theme-region:{t.pk}:{r.pk}", title=f"{t.name} in {r.name}", theme=t,
                       region=r)
        for t, r in pairs
    ]  # fmt: skip
    for n in range(sizes["search"]):  # each word alone, then with a theme
        search = {"q": SEARCH_WORDS[n % len(SEARCH_WORDS)]}
        if n >= len(SEARCH_WORDS):
            search["theme"] = themes[n // len(SEARCH_WORDS)].slug
        key = SubscriberList.search_key(search)
        lists.append(SubscriberList(kind="search", key=key, title=f"Search {n}", search=search))
    SubscriberList.objects.bulk_create(lists)


def setup(readers: int, lists: int) -> dict:
    """The readers and lists asked for; a database kept from a run of another size is written again."""
    if Subscriber.objects.count() == readers and SubscriberList.objects.filter(key__contains=":").count() >= lists - 1:
        return {"created": 0}
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE briefings_subscriber, briefings_subscriberlist CASCADE")
    make_lists(lists)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            "INSERT INTO briefings_subscriber (address, created_at) "
            "SELECT 'reader' || n || '@example.org', now() FROM generate_series(1, %s) n",
            [readers],
        )
        # The first lists (every briefing, the themes) hold most readers: the n-th list is picked with
        # probability falling as a power of its rank.
        for share in (1.0, 0.3):
            cursor.execute(
                "WITH lists AS (SELECT array_agg(id ORDER BY id) ids FROM briefings_subscriberlist) "
                "INSERT INTO briefings_subscription (subscriber_id, subscriber_list_id, frequency, created_at) "
                "SELECT s.id, lists.ids[1 + floor(power(random(), 3) * array_length(lists.ids, 1))::int], "
                "(ARRAY['immediately', 'immediately', 'immediately', 'daily', 'weekly'])"
                "[1 + floor(random() * 5)::int], "
                "now() FROM briefings_subscriber s, lists WHERE random() < %s "
                "ON CONFLICT DO NOTHING",
                [share],
            )
        cursor.execute("ANALYZE")
    return {"created": readers}


@contextmanager
def database_time():
    """Seconds spent waiting on the database, and statements sent, while the block runs."""
    spent = {"seconds": 0.0, "queries": 0}

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["seconds"] += time.perf_counter() - started
            spent["queries"] += 1

    with connection.execute_wrapper(timed):
        yield spent


def publish_popular() -> ContentChange:
    """A briefing in the two most followed themes, about Japan (in Eastern Asia, in Asia), by the first author."""
    theme_ids = SubscriberList.objects.filter(kind="theme").order_by("pk").values_list("theme", flat=True)[:2]
    region = Region.objects.get(slug="japan")
    content = {"title": "Satellites, drones and budgets", "slug": f"bench-alert-{time.time_ns()}", "standfirst": "",
               "body": "Drones and satellites change what budgets buy."}  # fmt: skip
    briefing_tags = publishing.BriefingTags(
        themes=list(Theme.objects.filter(pk__in=theme_ids)), regions=[region],
        authors=list(Author.objects.filter(slug="bench-author-0")),
    )  # fmt: skip
    briefing = Briefing()
    with transaction.atomic():
        publishing.save_draft(briefing, content=content, tags=briefing_tags, by=None)
        publishing.publish(briefing, by=None)
    return ContentChange.objects.filter(briefing=briefing).get()


def bare_insert(change: ContentChange, rows: int) -> float:
    """The same number of alert rows written without any matching: the floor under matching."""
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO briefings_alert (change_id, subscriber_id, subscription_id, frequency, status, created_at, "
            "attempts, error) SELECT %s, subscriber_id, id, frequency, 'queued', now(), 0, '' "
            "FROM briefings_subscription ORDER BY id LIMIT %s ON CONFLICT DO NOTHING",
            [change.pk, rows],
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def match(repeats: int) -> dict:
    change = publish_popular()
    runs, baseline = [], []
    for _ in range(repeats):
        Alert.objects.filter(change=change).delete()
        ContentChange.objects.filter(pk=change.pk).update(matched_at=None)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE procrastinate_jobs CASCADE")
        started = time.perf_counter()
        with database_time() as spent:
            matched = alerts.match_change(change.pk)
        runs.append({"wall": time.perf_counter() - started, "db": spent["seconds"], "queries": spent["queries"]})
        baseline.append(bare_insert(change, matched))
    middle = {key: statistics.median(run[key] for run in runs) for key in ("wall", "db")}
    return {
        "subscribers": Subscriber.objects.count(),
        "subscriptions": Subscription.objects.count(),
        "lists": SubscriberList.objects.count(),
        "matched": matched,
        "wall_s": round(middle["wall"], 3),
        "db_s": round(middle["db"], 3),
        "queries": runs[-1]["queries"],
        "bare_insert_s": round(statistics.median(baseline), 3),
        "ratio": round(middle["db"] / statistics.median(baseline), 1),
    }


def queue_message(readers: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE briefings_alert, procrastinate_jobs CASCADE")
    theme = Theme.objects.get_or_create(slug="bench-send", defaults={"name": "Sending"})[0]
    scope = SubscriberList.objects.get_or_create(
        key=f"theme:{theme.pk}", defaults={"kind": "theme", "title": theme.name, "theme": theme}
    )[0]
    if scope.subscriptions.count() < readers:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO briefings_subscription (subscriber_id, subscriber_list_id, frequency, created_at) "
                "SELECT id, %s, 'immediately', now() FROM briefings_subscriber ORDER BY id LIMIT %s "
                "ON CONFLICT DO NOTHING",
                [scope.pk, readers],
            )
    queued = alerts.send_message(
        EditorMessage(subscriber_list=scope, subject="A note", body="A short note to readers.")
    )
    return {"queued": queued}


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    actions = {
        "setup": lambda: setup(int(rest[0]), int(rest[1])),
        "match": lambda: match(int(rest[0])),
        "queue-message": lambda: queue_message(int(rest[0])),
    }
    print(json.dumps(actions[command]()))
