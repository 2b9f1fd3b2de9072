"""A crawler and an editor under load, against the production server (briefings/gunicorn.py) started
afresh, with nothing cached in its memory. Writes bench/results/crawl.md.

    .venv/bin/python manage.py pgcluster run -- .venv/bin/python bench/crawl.py --sizes 10000 100000

(`make bench-crawl` does this; needs Debian's wrk.)

*Walk*: wrk walks every address of the archive (bench/crawl_probe.py: each briefing and its first
version, every theme, region, author and series, archive year and month, and tag feed), each asked
once, two threads from two places in the list, at the site's own address, for SECONDS: nearly every
request is for a page nobody asked for before. Pages are made ahead first (`manage.py make_pages`: all
of them after a change to the code, else only the missing ones; the time and room it takes are
reported). Beside it, in the same run, the
ceiling of the stack (bench/ceiling.py); the walk's throughput as a share of it, median and p99
latency, errors, and database time per request.

*Publish under load*: readers at 64 connections on popular pages (home, a theme, a region, five
briefings) while an editor publishes a correction of one of those briefings every 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import PROJECT, PYTHON, RESULTS, SITE_HOST, bench_environment, build, free_port, manage, probe, start_server
from serving import rotating_script, stop, wrk

CONNECTIONS = 16
READERS = 64
GOAL_SHARE = 0.30
GOAL_P99_UNDER_PUBLISHING_MS = 100


def walking_script(addresses: list[str], threads: int) -> Path:
    """A wrk script in which each thread walks the list from its own place, each address once."""
    listed = Path(tempfile.mkstemp(suffix=".txt")[1])
    listed.write_text("\n".join(addresses) + "\n")
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        "local started = 0\n"
        "function setup(thread)\n  thread:set('id', started)\n  started = started + 1\nend\n"
        f"function init(args)\n  paths = {{}}\n  for line in io.lines('{listed}') do paths[#paths + 1] = line end\n"
        f"  i = math.floor(#paths * id / {threads})\nend\n"
        f"wrk.headers['Host'] = '{SITE_HOST}'\n"  # a crawler asks for the site's own address
        "function request()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )
    return script


def make_pages(size: int) -> dict:
    """Make every page not yet made ahead for this code (all of them after a change to it)."""
    started = time.monotonic()
    output = manage(size, "make_pages", "--processes", str(os.cpu_count() or 1), capture_output=True, text=True)
    made = int(re.search(r"(\d+) page\(s\) made", output.stdout).group(1))
    seconds = round(time.monotonic() - started, 1)
    return {"made": made, "seconds": seconds, **probe("bench/crawl_probe.py", size, "--kept-pages")}


def walk(size: int, seconds: int) -> dict:
    addresses = probe("bench/crawl_probe.py", size)
    made = make_pages(size)
    port = free_port()
    server = start_server(size, port, app="bench.ceiling:application")
    try:
        ceiling = wrk(port, "/", CONNECTIONS, seconds)
    finally:
        stop(server)
    server = start_server(size, port)
    before = probe("bench/crawl_probe.py", size, "--database-ms")
    try:
        walked = wrk(port, "/", CONNECTIONS, seconds, script=walking_script(addresses, threads=2))
    finally:
        stop(server)  # its connections close, so their statistics are written
    time.sleep(1)
    database_ms = probe("bench/crawl_probe.py", size, "--database-ms") - before
    return {
        "addresses": len(addresses),
        "made_ahead": made,
        "ceiling": ceiling,
        "walk": walked,
        "share": round(walked["requests_per_second"] / ceiling["requests_per_second"], 3),
        "database_ms_per_request": round(database_ms / max(walked["requests"], 1), 2),
    }


def publish_under_load(size: int, seconds: int) -> dict:
    slugs = [f"bench-{number}" for number in (11, 22, 33, 44, 55)]
    popular = ["/", "/themes/space/", "/regions/asia/", *(f"/briefings/{slug}/" for slug in slugs)]
    port = free_port()
    server = start_server(size, port)
    publisher = None
    try:
        wrk(port, "/", READERS, 2, script=rotating_script(popular))  # every popular page rendered once
        publisher = subprocess.Popen(
            [PYTHON, "bench/publish_probe.py", str(seconds), *slugs], cwd=PROJECT, env=bench_environment(size),
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        readers = wrk(port, "/", READERS, seconds, script=rotating_script(popular))
        published = json.loads(publisher.communicate(timeout=60)[0].strip().splitlines()[-1])
    finally:
        if publisher and publisher.poll() is None:
            publisher.kill()
        stop(server)
    return {"readers": readers, **published}


def report(results: dict[int, dict], seconds: int) -> str:
    lines = [
        "# A crawler, and an editor under load",
        "",
        f"{os.cpu_count()} cores; gunicorn with the production settings (each worker's memory as the cache),",
        f"started afresh; wrk on the same machine, {seconds} s each. Goal: the walk at {GOAL_SHARE:.0%} of the",
        f"ceiling or more; readers' p99 under {GOAL_P99_UNDER_PUBLISHING_MS} ms while corrections are published.",
        "",
        "| briefings | addresses | ceiling req/s | walk req/s | share | median / p99 ms | errors | DB ms per request |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, result in results.items():
        crawl, walked = result["walk"], result["walk"]["walk"]
        lines.append(
            f"| {size:,} | {crawl['addresses']:,} | {crawl['ceiling']['requests_per_second']:,.0f} "
            f"| {walked['requests_per_second']:,.0f} | {crawl['share']:.0%} "
            f"| {walked['median_ms']:.1f} / {walked['p99_ms']:.1f} | {walked['errors']} "
            f"| {crawl['database_ms_per_request']} |"
        )
    lines += [
        "",
        "Pages are made ahead of readers before the walk (`manage.py make_pages`, one process a core: those not",
        "yet made for this code, none if an earlier run made them all). What that costs:",
        "",
        "| briefings | pages kept | made in this run | in (s) | room in PostgreSQL |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size, result in results.items():
        made = result["walk"]["made_ahead"]
        room = made["bytes"] / 2**20
        lines.append(f"| {size:,} | {made['pages']:,} | {made['made']:,} | {made['seconds']:,} | {room:,.0f} MB |")
    lines += [
        "",
        f"Publish under load: {READERS} connections on home, a theme, a region and five briefings; a correction",
        "of one of those briefings published every 2 s.",
        "",
        "| briefings | corrections | readers req/s | median / p99 / max ms | errors |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size, result in results.items():
        loaded, readers = result["publish_under_load"], result["publish_under_load"]["readers"]
        lines.append(
            f"| {size:,} | {loaded['published']} | {readers['requests_per_second']:,.0f} "
            f"| {readers['median_ms']:.1f} / {readers['p99_ms']:.1f} / {readers['max_ms']:.0f} | {readers['errors']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=int, default=30)
    arguments = parser.parse_args()
    results = {}
    for size in arguments.sizes:
        print(f"{size:,} briefings: building the archive if needed …", flush=True)
        build(size)
        print(f"{size:,} briefings: the walk …", flush=True)
        results[size] = {"walk": walk(size, arguments.seconds)}
        print(f"{size:,} briefings: publishing under load …", flush=True)
        results[size]["publish_under_load"] = publish_under_load(size, arguments.seconds)
    table = report(results, arguments.seconds)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "crawl.md").write_text(table)
    (RESULTS / "crawl.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table)


if __name__ == "__main__":
    sys.exit(main())
