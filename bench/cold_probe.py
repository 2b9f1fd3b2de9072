"""What the cold-render benchmark does inside the site, printing JSON: each public page kind rendered
REPEATS times, in rounds of one request of each kind, with nothing cached (the cache emptied and the
public content token forgotten before each request, as after a publish), through Django's test client
and the whole middleware: median and p95 ms and SQL queries. robots.txt, a fixed page through the same
path, is the baseline. Briefing and version pages, the home page, a theme's, a region's, the feeds and
the sitemap index are measured twice: rendered (pages made ahead left aside), and read as made ahead
(briefings.publishing.pages, made for them first).

Run with the benchmark's environment: `python bench/cold_probe.py REPEATS`.
"""

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from briefings import freshness  # noqa: E402
from briefings import pages as made_ahead  # noqa: E402
from briefings.models import Briefing  # noqa: E402
from briefings.publishing.pages import Page, make, make_briefings  # noqa: E402

MADE_AHEAD = {  # each kind read as made ahead, and the kind whose addresses it reads
    "briefing, made ahead": "briefing",
    "version, made ahead": "version",
    "home, made ahead": "home",
    "theme, made ahead": "theme",
    "region with sub-regions (Asia), made ahead": "region with sub-regions (Asia)",
    "feed: every briefing, made ahead": "feed: every briefing",
    "feed: corrections, made ahead": "feed: corrections",
    "feed: theme, made ahead": "feed: theme",
    "feed: region, made ahead": "feed: region",
    "feed: author, made ahead": "feed: author",
    "sitemap index, made ahead": "sitemap index",
}


def pages() -> dict[str, list[str]]:
    """Each page kind and the addresses to ask for it (briefings drawn at random, the same each run)."""
    drawn = list(Briefing.objects.published().order_by("?").values_list("pk", "slug")[:50])
    random.Random(3).shuffle(drawn)
    make_briefings(pk for pk, _ in drawn)
    slugs = [slug for _, slug in drawn]
    busiest = Briefing.objects.published().dates("published_at", "month").last()
    months = [f"{month:%Y-%m}" for month, _ in Briefing.objects.months_published()]
    months = random.Random(5).sample(months, min(20, len(months)))
    rendered = {
        "baseline: robots.txt": ["/robots.txt"],
        "home": ["/"],
        "briefing": [f"/briefings/{slug}/" for slug in slugs],
        "version": [f"/briefings/{slug}/v/1/" for slug in slugs],
        "theme": ["/themes/space/"],
        "region with sub-regions (Asia)": ["/regions/asia/"],
        "author": ["/authors/analyst-a/"],
        "archive month": [f"/archive/{busiest.year}/{busiest.month}/"],
        "feed: every briefing": ["/feeds/all.atom"],
        "feed: corrections": ["/feeds/corrections.atom"],
        "feed: theme": ["/feeds/themes/space.atom"],
        "feed: region": ["/feeds/regions/asia.atom"],
        "feed: author": ["/feeds/authors/analyst-a.atom"],
        "sitemap index": ["/sitemap.xml"],
        "sitemap: a month's briefings": [f"/sitemap-briefings-{month}.xml" for month in months],
        "sitemap: a month's PDFs": [f"/sitemap-pdfs-{month}.xml" for month in months],
        "search: common word": ["/search/?q=security"],
        "search: rare word": ["/search/?q=heliopause"],
        "search: phrase": ['/search/?q="maritime+domain+awareness"'],
        "search: filtered": ["/search/?q=security&theme=space&region=japan"],
    }
    lists = [path for kind in MADE_AHEAD.values() if kind not in ("briefing", "version") for path in rendered[kind]]
    make(Page(path) for path in lists)
    twins = {kind: made for made, kind in MADE_AHEAD.items()}
    return {
        name: paths for kind, paths in rendered.items() for name in ([kind, twins[kind]] if kind in twins else [kind])
    }


def cold_get(client: Client, path: str) -> tuple[float, int, int]:
    cache.clear()
    freshness.WATCHER.forget()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path)
        seconds = time.perf_counter() - started
    return seconds, len(queries), response.status_code


KEPT_PAGE = made_ahead.recall


def read_as(kind: str) -> None:
    """Pages of `kind` read as made ahead where it is a made-ahead kind, else rendered."""
    made_ahead.recall = KEPT_PAGE if kind in MADE_AHEAD else lambda path, state: None


def measure(repeats: int) -> dict:
    """Every kind asked once a round, `repeats` rounds: a moment the shared machine runs slow falls on
    all kinds alike (the baseline too), not on whichever kind it was asking then."""
    client = Client(HTTP_HOST="127.0.0.1")
    kinds = pages()
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    counts: dict[str, set[int]] = {kind: set() for kind in kinds}
    for index in range(-1, repeats):  # round -1 warms: templates compiled, as in a running worker
        for kind, paths in kinds.items():
            read_as(kind)
            path = paths[max(index, 0) % len(paths)]
            seconds, queries, status = cold_get(client, path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            if index >= 0:
                times[kind].append(seconds * 1000)
                counts[kind].add(queries)
    return {"briefings": Briefing.objects.published().count(), "pages": summaries(times, counts)}


def summaries(times: dict[str, list[float]], counts: dict[str, set[int]]) -> dict:
    figures = {}
    for kind, taken in times.items():
        taken.sort()
        figures[kind] = {
            "median_ms": round(statistics.median(taken), 1),
            "p95_ms": round(taken[min(len(taken) - 1, round(0.95 * (len(taken) - 1)))], 1),
            "queries": sorted(counts[kind]),
        }
    return figures


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]))))
