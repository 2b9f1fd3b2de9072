"""Past one machine: app servers (gunicorn, one process each, on ports of their own, as separate machines
would be) sharing one Redis and one PostgreSQL behind nginx, first one of them, then two. Writes
bench/results/scale.md.

    .venv/bin/python manage.py pgcluster run -- .venv/bin/python bench/scale.py --size 100000

(`make bench-scale` does this; needs Debian's wrk, nginx and redis-server.)

For each number of servers: cached popular pages (home, a theme, a briefing) through nginx, the
crawler's walk (bench/crawl.py) with nothing in the cache and the pages made ahead (made first, as
bench/crawl.py does), and readers at 64 connections while an editor
publishes a correction every 2 s; then a last correction, and each server asked directly whether it
shows it (the change reaching both through Redis's beacon and PostgreSQL's notices).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from corpus import PROJECT, PYTHON, RESULTS, bench_environment, build, free_port, probe, start_server
from crawl import READERS, make_pages, walking_script
from serving import rotating_script, stop, wrk

CONNECTIONS = 16
POPULAR = ["/", "/themes/space/", "/briefings/bench-11/"]
MARKED = "bench-22"  # the briefing the editor corrects last, with a mark each server must show

NGINX_CONF = """
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    upstream app {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
    }}
}}
"""


@contextmanager
def redis_server():
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    time.sleep(0.5)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def app_servers(size: int, count: int, redis_url: str):
    ports = [free_port() for _ in range(count)]
    servers = [start_server(size, port, WEB_CONCURRENCY="1", REDIS_URL=redis_url) for port in ports]
    try:
        yield ports
    finally:
        for server in servers:
            stop(server)


@contextmanager
def load_balancer(ports: list[int]):
    folder = Path(tempfile.mkdtemp(prefix="briefings-nginx-"))
    port = free_port()
    servers = "\n".join(f"        server 127.0.0.1:{app};" for app in ports)
    (folder / "nginx.conf").write_text(NGINX_CONF.format(folder=folder, servers=servers, port=port))
    nginx = subprocess.Popen(["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"])
    time.sleep(0.5)
    try:
        yield port
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)


def shows(port: int, path: str, text: str) -> bool:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    client.request("GET", path, headers={"Host": "127.0.0.1"})
    return text in client.getresponse().read().decode()


def measure(size: int, count: int, redis_url: str, seconds: int, addresses: list[str]) -> dict:
    figures = {}
    with ExitStack() as stack:
        ports = stack.enter_context(app_servers(size, count, redis_url))
        port = stack.enter_context(load_balancer(ports))
        wrk(port, "/", CONNECTIONS, 2, script=rotating_script(POPULAR))  # rendered once, then cached
        figures["cached"] = wrk(port, "/", CONNECTIONS, seconds, script=rotating_script(POPULAR))
        offset = addresses[count * 5000 :] + addresses[: count * 5000]  # another part of the archive each time
        figures["walk"] = wrk(port, "/", CONNECTIONS, seconds, script=walking_script(offset, threads=2))
        editor = subprocess.Popen(
            [PYTHON, "bench/publish_probe.py", str(seconds), *(slug.split("/")[2] for slug in POPULAR[2:])],
            cwd=PROJECT, env=bench_environment(size), stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        figures["publishing"] = wrk(port, "/", READERS, seconds, script=rotating_script(POPULAR))
        published = json.loads(editor.communicate(timeout=60)[0].splitlines()[-1])
        figures["publishing"]["corrections"] = published["published"]
        mark = probe("bench/publish_probe.py", size, "2.5", MARKED)["last_mark"]
        figures["every server shows the last correction"] = all(
            shows(app, f"/briefings/{MARKED}/", mark) for app in ports
        )
    return figures


def report(size: int, results: dict[int, dict], seconds: int) -> str:
    lines = [
        f"# Past one machine: {size:,} briefings",
        "",
        f"{os.cpu_count()} cores shared by everything: nginx, wrk, Redis, PostgreSQL and the app servers, each",
        f"a gunicorn process of its own on its own port. {seconds} s each; requests per second, median / p99 ms.",
        "",
        "| app servers | cached pages | walk (made ahead) | readers while publishing | corrections | all current |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for count, figures in results.items():
        cached, walked, loaded = figures["cached"], figures["walk"], figures["publishing"]
        lines.append(
            f"| {count} | {cached['requests_per_second']:,.0f} ({cached['median_ms']:.1f} / {cached['p99_ms']:.1f}) "
            f"| {walked['requests_per_second']:,.0f} ({walked['median_ms']:.0f} / {walked['p99_ms']:.0f}) "
            f"| {loaded['requests_per_second']:,.0f} ({loaded['median_ms']:.1f} / {loaded['p99_ms']:.0f}) "
            f"| {loaded['corrections']} | {'yes' if figures['every server shows the last correction'] else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20)
    arguments = parser.parse_args()
    build(arguments.size)
    addresses = probe("bench/crawl_probe.py", arguments.size)
    make_pages(arguments.size)
    results = {}
    with redis_server() as redis_url:
        for count in (1, 2):
            print(f"{count} app server(s) …", flush=True)
            results[count] = measure(arguments.size, count, redis_url, arguments.seconds, addresses)
    table = report(arguments.size, results, arguments.seconds)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.md").write_text(table)
    (RESULTS / "scale.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table)


if __name__ == "__main__":
    main()
