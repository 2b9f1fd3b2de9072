"""Throughput of the production server against the ceiling of the same stack, at two archive sizes.

For each size: generate and import N briefings (see corpus.py), start gunicorn with the production
settings (briefings/gunicorn.py) on loopback and load it with wrk for 15 s at 16 and at 64
connections: home, a briefing, a theme, a region with regions inside, a feed and a search. In the same
run a bare Django view returning a fixed string is measured under the same server settings (ceiling.py);
each page's throughput is printed as a ratio of it, with median and 99th-percentile latency, errors
and SQL queries per page. Then 100,000 requests across every page kind and 500 briefings, with the
workers' resident memory once settled (every page cached) and after each round; then the admin's
latency with the whole archive and a briefing of 500 revisions. Prints a table and writes it, with the
raw figures, to bench/results/.

    .venv/bin/python manage.py pgcluster run -- .venv/bin/python bench/serving.py --sizes 1000 50000

(`make bench-serving` does this; wrk is the Debian package.) Corpora and databases are kept for the next run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from corpus import (
    PROJECT,
    PYTHON,
    RESULTS,
    bench_environment,
    build,
    free_port,
    manage,
    percentile,
    start_server,
)

PAGES = {
    "home": "/",
    "briefing": "/briefings/bench-{middle}/",
    "theme": "/themes/space/",
    "region with sub-regions": "/regions/asia/",
    "feed": "/feeds/all.atom",
    "search": "/search/?q=security",
}
GOALS = {"briefing": 0.70}  # of the ceiling; every other page: LIST_GOAL
LIST_GOAL = 0.50
MEMORY_REQUESTS = 100_000
MEMORY_BRIEFINGS = 500  # with the list pages, fewer pages than a worker's cache holds
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(port: int, path: str, connections: int, seconds: int, script: Path | None = None) -> dict:
    """Load one address with wrk; throughput, latency percentiles and errors."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{port}{path}"]
    if script:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = {
        int(share): float(value) * UNITS[unit]
        for share, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    }
    longest = re.search(r"Latency\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+)(us|ms|s)", output)
    socket_errors = sum(map(int, re.findall(r"(?:connect|read|write|timeout) (\d+)", output)))
    bad_statuses = int(re.search(r"Non-2xx or 3xx responses: (\d+)", output).group(1)) if "Non-2xx" in output else 0
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "median_ms": latency[50],
        "p99_ms": latency[99],
        "max_ms": float(longest.group(1)) * UNITS[longest.group(2)],
        "errors": socket_errors + bad_statuses,
    }


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)


def worker_pids(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return sorted(map(int, children))


def resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def rotating_script(paths: list[str]) -> Path:
    """A wrk script that asks for each path in turn."""
    listed = ", ".join(json.dumps(path) for path in paths)
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        f"local paths = {{{listed}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )
    return script


def probe(size: int, paths: list[str]) -> dict:
    manage(size, "collectstatic", "--noinput", "-v0")  # pages name their static files by the manifest
    output = subprocess.run(
        [PYTHON, "bench/site_probe.py", *paths],
        cwd=PROJECT, env=bench_environment(size), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(output)


def warm_up(port: int, path: str, rounds: int = 10) -> None:
    """Load the page until every worker has rendered and cached it: no request of a 2 s run is slow."""
    for _ in range(rounds):
        if wrk(port, path, 16, 2)["p99_ms"] < 100:
            return
    raise SystemExit(f"{path} was still slow to answer after {rounds} rounds.")


def measure_pages(size: int, paths: dict[str, str], seconds: int, connections: list[int]) -> dict:
    figures = {}
    port = free_port()
    server = start_server(size, port, app="bench.ceiling:application")
    try:
        figures["ceiling"] = {str(count): wrk(port, "/", count, seconds) for count in connections}
    finally:
        stop(server)
    server = start_server(size, port)
    try:
        for kind, path in paths.items():
            warm_up(port, path)
            figures[kind] = {str(count): wrk(port, path, count, seconds) for count in connections}
    finally:
        stop(server)
    return figures


def settle(port: int, script: Path, server: subprocess.Popen, rounds: int = 20) -> dict[int, float]:
    """Serve the rotation until every worker has cached its pages and no worker's resident memory moves
    by more than 1% over a 10 s round; the workers' memory then."""
    previous: dict[int, float] = {}
    for _ in range(rounds):
        wrk(port, "/", 16, 10, script)
        now = {pid: resident_mb(pid) for pid in worker_pids(server)}
        if previous.keys() == now.keys() and all(abs(now[pid] - previous[pid]) < 0.01 * previous[pid] for pid in now):
            return now
        previous = now
    raise SystemExit(f"Worker memory was still moving after {rounds} rounds: {previous}")


def measure_memory(size: int, paths: dict[str, str]) -> dict:
    """Workers' resident memory once it has settled with every page cached, then after each 15 s round of
    MEMORY_REQUESTS more across every page kind; the largest growth over any round."""
    middle = size // 2
    briefings = [f"/briefings/bench-{number}/" for number in range(middle, middle + min(MEMORY_BRIEFINGS, size // 2))]
    script = rotating_script(list(paths.values()) + briefings)
    port = free_port()
    server = start_server(size, port)
    try:
        before = settle(port, script, server)
        rounds = []
        served = 0
        while served < MEMORY_REQUESTS:
            served += wrk(port, "/", 16, 15, script)["requests"]
            rounds.append({pid: resident_mb(pid) for pid in worker_pids(server)})
    finally:
        stop(server)
        script.unlink()
    growth = max((sample[pid] - before[pid]) / before[pid] for sample in rounds for pid in before if pid in sample)
    return {
        "requests": served,
        "before_mb": before,
        "after_mb": rounds[-1],
        "rounds_mb": rounds,
        "largest_growth": round(growth, 4),
    }


def timed_get(port: int, path: str, session: str, count: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    timings = []
    for index in range(count + 3):
        started = time.perf_counter()
        connection.request("GET", path, headers={"Host": "127.0.0.1", "Cookie": f"sessionid={session}"})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        if index >= 3:
            timings.append((time.perf_counter() - started) * 1000)
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.close()
    return timings


def measure_admin(size: int, session: str, long_history_id: int, tags: dict[str, int], count: int = 30) -> dict:
    changelist = "/admin/briefings/briefing/"
    pages = {
        "briefings change list": "/admin/briefings/briefing/",
        "change list, searched: a word in no title": "/admin/briefings/briefing/?q=security",
        "change list, searched: letters in most titles": "/admin/briefings/briefing/?q=bretek",
        "change list, searched: an author's name": "/admin/briefings/briefing/?q=%22analyst+c%22",
        "change list, filtered by theme and status": f"{changelist}?themes__id__exact={tags['theme']}&status=published",
        "change list, filtered by region and year": f"{changelist}?regions__id__exact={tags['region']}&published=2020",
        "audit trail": "/admin/briefings/statechange/",
        "briefing of 500 revisions: edit": f"/admin/briefings/briefing/{long_history_id}/change/",
        "briefing of 500 revisions: history": f"/admin/briefings/briefing/{long_history_id}/history/",
        "briefing of 500 revisions: last history page": f"/admin/briefings/briefing/{long_history_id}/history/?page=10",
        "briefing of 500 revisions: compare first and last": (
            f"/admin/briefings/briefing/{long_history_id}/compare/?from=1&to=500"
        ),
    }
    port = free_port()
    server = start_server(size, port)
    try:
        figures = {}
        for kind, path in pages.items():
            timings = timed_get(port, path, session, count)
            figures[kind] = {
                "path": path,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 0.95), 1),
            }
        return figures
    finally:
        stop(server)


WORKER_SETTINGS = [
    {"WEB_CONCURRENCY": "2", "WEB_THREADS": "1", "REUSE_PORT": "false"},
    {"WEB_CONCURRENCY": "4", "WEB_THREADS": "1", "REUSE_PORT": "false"},
    {"WEB_CONCURRENCY": "2", "WEB_THREADS": "4", "REUSE_PORT": "false"},
    {"WEB_CONCURRENCY": "4", "WEB_THREADS": "4", "REUSE_PORT": "false"},
    {"WEB_CONCURRENCY": "2", "WEB_THREADS": "4", "REUSE_PORT": "true"},
    {"WEB_CONCURRENCY": "4", "WEB_THREADS": "4", "REUSE_PORT": "true"},
]
FEW_CONNECTIONS = 16
FEW_CONNECTION_RUNS = 8


def compare_workers(size: int, paths: dict[str, str], seconds: int, connections: int = 64) -> str:
    """Throughput of the ceiling and of cached pages under each worker setting, to choose the default.

    Kept-alive connections stay with the worker that accepted them, so the same load can be spread well
    or badly: the briefing page is also loaded FEW_CONNECTION_RUNS times with fresh connections, and
    the worst of those runs is reported.
    """
    lines = [
        "# Worker settings",
        "",
        f"{size:,} briefings, {os.cpu_count()} cores. wrk {connections} connections for {seconds} s each; then "
        f"{FEW_CONNECTION_RUNS} runs of 3 s at {FEW_CONNECTIONS} connections, each opening new connections: "
        "the worst and the median of those runs.",
        "",
        f"| workers | threads | class | SO_REUSEPORT | ceiling req/s | briefing req/s | home req/s | briefing p99 ms "
        f"| briefing at {FEW_CONNECTIONS} connections, worst / median req/s |",
        "|---:|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for settings in WORKER_SETTINGS:
        port = free_port()
        figures = {}
        for kind, app, path in (("ceiling", "bench.ceiling:application", "/"), ("briefing", None, paths["briefing"]),
                                ("home", None, paths["home"])):  # fmt: skip
            server = start_server(size, port, app=app or "briefings.wsgi", **settings)
            try:
                wrk(port, path, 4, 1)
                figures[kind] = wrk(port, path, connections, seconds)
                if kind == "briefing":
                    few = [wrk(port, path, FEW_CONNECTIONS, 3) for _ in range(FEW_CONNECTION_RUNS)]
            finally:
                stop(server)
        threads = int(settings["WEB_THREADS"])
        few_rates = sorted(run["requests_per_second"] for run in few)
        lines.append(
            f"| {settings['WEB_CONCURRENCY']} | {threads} | {'gthread' if threads > 1 else 'sync'} "
            f"| {'yes' if settings['REUSE_PORT'] == 'true' else 'no'} "
            f"| {figures['ceiling']['requests_per_second']:,.0f} | {figures['briefing']['requests_per_second']:,.0f} "
            f"| {figures['home']['requests_per_second']:,.0f} | {figures['briefing']['p99_ms']:.1f} "
            f"| {few_rates[0]:,.0f} / {statistics.median(few_rates):,.0f} |"
        )
    return "\n".join(lines) + "\n"


def report(results: dict) -> str:
    lines = [
        "# Serving throughput",
        "",
        f"gunicorn as set in briefings/gunicorn.py, production settings, {os.cpu_count()} cores, wrk on the same "
        "machine (2 threads). *Ceiling*: a bare Django view returning a fixed string, same server and middleware.",
        "",
        "| briefings | page | connections | req/s | of ceiling | goal | median ms | p99 ms | errors "
        "| SQL first / cached |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size, data in results.items():
        for kind, by_connections in data["pages"].items():
            for connections, figure in by_connections.items():
                ceiling = data["pages"]["ceiling"][connections]["requests_per_second"]
                ratio = figure["requests_per_second"] / ceiling
                goal = "" if kind == "ceiling" else f"{GOALS.get(kind, LIST_GOAL):.0%}"
                queries = data["queries"].get(data["paths"].get(kind, ""), {})
                sql = f"{queries['first_render']} / {queries['cached']}" if queries else ""
                lines.append(
                    f"| {size:,} | {kind} | {connections} | {figure['requests_per_second']:,.0f} | {ratio:.0%} "
                    f"| {goal} | {figure['median_ms']:.2f} | {figure['p99_ms']:.2f} | {figure['errors']} | {sql} |"
                )
    lines += ["", "## Worker memory", ""]
    lines += ["| briefings | requests | RSS settled (MB) | RSS after (MB) | largest growth, any 15 s round |"]
    lines += ["|---:|---:|---|---|---:|"]
    for size, data in results.items():
        memory = data["memory"]
        before = ", ".join(f"{mb:.0f}" for mb in memory["before_mb"].values())
        after = ", ".join(f"{mb:.0f}" for mb in memory["after_mb"].values())
        lines.append(f"| {size:,} | {memory['requests']:,} | {before} | {after} | {memory['largest_growth']:.1%} |")
    lines += ["", "## Admin latency (staff session, sequential)", ""]
    lines += ["| briefings | page | median ms | p95 ms |", "|---:|---|---:|---:|"]
    for size, data in results.items():
        for kind, figure in data["admin"].items():
            lines.append(f"| {size:,} | {kind} | {figure['median_ms']} | {figure['p95_ms']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 50_000])
    parser.add_argument("--seconds", type=int, default=15, help="wrk duration per page and connection count")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument(
        "--compare-workers", action="store_true", help="only compare worker settings (bench/results/workers.md)"
    )
    arguments = parser.parse_args()
    if arguments.compare_workers:
        size = arguments.sizes[0]
        build(size)
        table = compare_workers(size, {kind: path.format(middle=size // 2) for kind, path in PAGES.items()}, 10)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "workers.md").write_text(table)
        print(table)
        return
    results = {}
    for size in arguments.sizes:
        print(f"{size:,} briefings: generating and importing …", flush=True)
        build(size)
        paths = {kind: path.format(middle=size // 2) for kind, path in PAGES.items()}
        inside = probe(size, list(paths.values()))
        print(f"{size:,} briefings: pages …", flush=True)
        pages = measure_pages(size, paths, arguments.seconds, arguments.connections)
        print(f"{size:,} briefings: memory over {MEMORY_REQUESTS:,} requests …", flush=True)
        memory = measure_memory(size, paths)
        print(f"{size:,} briefings: admin …", flush=True)
        admin = measure_admin(size, inside["session"], inside["long_history_id"], inside["tags"])
        results[size] = {"paths": paths, "queries": inside["queries"], "pages": pages, "memory": memory, "admin": admin}
    RESULTS.mkdir(exist_ok=True)
    raw = RESULTS / "serving.json"
    earlier = {int(size): data for size, data in json.loads(raw.read_text()).items()} if raw.exists() else {}
    merged = dict(sorted((earlier | results).items()))
    table = report(merged)
    (RESULTS / "serving.md").write_text(table)
    raw.write_text(json.dumps(merged, indent=2) + "\n")
    print(table)


if __name__ == "__main__":
    main()
