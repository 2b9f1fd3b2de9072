"""Search latency at scale, over HTTP against the production server settings.

For each size: generate N briefings of about 1,000 words in the briefing format, import them with
`import_briefings --publish` into a database of their own, start gunicorn with production settings
on loopback, and time typical queries next to the home page in the same run: asked repeatedly, and
asked right after public content changed (the first ask, with nothing cached for it). Prints a table
and writes it, with the raw figures, to bench/results/.

    .venv/bin/python manage.py pgcluster run -- .venv/bin/python bench/search.py --sizes 10000 100000

(`make bench-search` does this.) Generated corpora and their databases are kept for the next run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import time
from urllib.parse import urlencode

import psycopg
from corpus import (
    COMMON_WORD,
    PHRASE,
    RARE_WORD,
    RESULTS,
    build,
    database_url,
    free_port,
    manage,
    percentile,
    start_server,
)

QUERIES = {
    "common word": {"q": COMMON_WORD},
    "rare word": {"q": RARE_WORD},
    "phrase": {"q": f'"{PHRASE}"'},
    "filtered": {"q": "defence", "theme": "space", "region": "asia"},
}


def time_requests(port: int, path: str, count: int, warmup: int, before_each=None) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings = []
    for index in range(warmup + count):
        if before_each:
            before_each()
        started = time.perf_counter()
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        if index >= warmup:
            timings.append(elapsed)
    connection.close()
    return timings


def content_changer(size: int):
    """What a publish does to cached work, alone: each call makes every cached answer out of date."""
    connection = psycopg.connect(database_url(size), autocommit=True)

    def change() -> None:
        connection.execute("UPDATE briefings_publiccontentversion SET number = number + 1")
        connection.execute("NOTIFY briefings_public_content")
        time.sleep(0.01)  # as a reader's next request would come after the publish, not within it

    connection.execute("INSERT INTO briefings_publiccontentversion (id, number) VALUES (1, 0) ON CONFLICT DO NOTHING")
    return change


def summary(path: str, timings: list[float], first_asks: list[float]) -> dict:
    return {
        "path": path,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "first_ask_median_ms": round(statistics.median(first_asks), 1),
        "first_ask_p95_ms": round(percentile(first_asks, 0.95), 1),
    }


def measure(size: int, requests: int) -> dict:
    """Each page asked `requests` times in a row, then a quarter as often right after a content change."""
    port = free_port()
    server = start_server(size, port)
    change_content = content_changer(size)
    try:
        paths = {"home page": "/"} | {kind: "/search/?" + urlencode(params) for kind, params in QUERIES.items()}
        figures = {}
        for kind, path in paths.items():
            timings = time_requests(port, path, requests, warmup=10)
            first_asks = time_requests(port, path, max(20, requests // 4), warmup=2, before_each=change_content)
            figures[kind] = summary(path, timings, first_asks)
        return figures
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def report(results: dict, rank_ordered: bool) -> str:
    lines = [
        "# Search latency",
        "",
        f"{'RUM index' if rank_ordered else 'GIN index (RUM not installed)'}; gunicorn, 2 sync workers, "
        f"production settings; {os.cpu_count()} cores. Sequential requests on one keep-alive connection.",
        "",
        "*Repeated*: the same page asked again and again, as popular queries are. *First ask*: the page asked",
        "right after public content changed (as a publish does), so nothing cached for it can be used.",
        "",
        "| briefings | page | repeated: median ms | repeated: p95 ms | first ask: median ms | first ask: p95 ms |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for size, data in results.items():
        for kind, figure in data["figures"].items():
            lines.append(
                f"| {size:,} | {kind} | {figure['median_ms']} | {figure['p95_ms']} "
                f"| {figure.get('first_ask_median_ms', '–')} | {figure.get('first_ask_p95_ms', '–')} |"
            )
    return "\n".join(lines) + "\n"


def rank_ordered_index(size: int) -> bool:
    output = manage(
        size, "dbshell", "--", "-tAc", "SELECT count(*) FROM pg_indexes WHERE indexname = 'briefing_search_rum'",
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    return output.strip() == "1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    arguments = parser.parse_args()
    results = {}
    for size in arguments.sizes:
        print(f"{size:,} briefings: building the archive if needed …", flush=True)
        load_seconds = build(size)
        print(f"{size:,} briefings: measuring …", flush=True)
        results[size] = {"load_seconds": round(load_seconds), "figures": measure(size, arguments.requests)}
    RESULTS.mkdir(exist_ok=True)
    raw = RESULTS / "search.json"
    earlier = {int(size): data for size, data in json.loads(raw.read_text()).items()} if raw.exists() else {}
    merged = dict(sorted((earlier | results).items()))  # sizes measured in other runs are kept
    table = report(merged, rank_ordered_index(arguments.sizes[-1]))
    (RESULTS / "search.md").write_text(table)
    raw.write_text(json.dumps(merged, indent=2) + "\n")
    print(table)


if __name__ == "__main__":
    main()
