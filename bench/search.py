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
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg

PROJECT = Path(__file__).resolve().parents[1]
WORK = PROJECT / "var" / "bench"
RESULTS = PROJECT / "bench" / "results"
PYTHON = sys.executable

THEMES = ["Defence policy", "Space", "Intelligence sharing", "Maritime security", "Defence industry", "Cyber"]
REGIONS = ["Japan", "Ukraine", "India", "France", "Kenya", "Brazil", "Poland", "Australia", "Indo-Pacific"]
AUTHORS = [f"Analyst {letter}" for letter in "ABCDEFGHIJKLMNOP"]
COMMON_WORD = "security"  # in every briefing
RARE_WORD = "heliopause"  # in about one briefing in a thousand
PHRASE = "maritime domain awareness"  # in about one briefing in fifty
QUERIES = {
    "common word": {"q": COMMON_WORD},
    "rare word": {"q": RARE_WORD},
    "phrase": {"q": f'"{PHRASE}"'},
    "filtered": {"q": "defence", "theme": "space", "region": "asia"},
}
WORDS_PER_BRIEFING = 1000
SEED_BRIEFINGS = 200  # imported first, alone, so that parallel importers find every tag already made


def vocabulary(size: int = 20_000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "den", "mar", "pol", "tek", "ran", "sul", "bre"]
    rng = random.Random(7)
    words = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


def briefing_text(number: int, words: list[str], weights: list[float]) -> str:
    rng = random.Random(number)
    body_words = rng.choices(words, weights=weights, k=WORDS_PER_BRIEFING)
    body_words[rng.randrange(50, 900)] = COMMON_WORD
    if number % 1000 == 7:
        body_words[rng.randrange(50, 900)] = RARE_WORD
    if number % 50 == 3:
        body_words[600:603] = PHRASE.split()
    paragraphs = [" ".join(body_words[start : start + 120]) + "." for start in range(0, len(body_words), 120)]
    body = "\n\n".join(
        f"## Part {index}\n\n{text}" if index % 3 == 0 else text for index, text in enumerate(paragraphs)
    )
    title = " ".join(rng.choices(words[:2000], k=6)).capitalize()
    front = {
        "title": f"{title} {number}",
        "slug": f"bench-{number}",
        "standfirst": " ".join(rng.choices(words[:3000], k=25)).capitalize() + ".",
        "authors": f"[{', '.join(rng.sample(AUTHORS, 2))}]",
        "published": f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}T09:00:00Z",
        "themes": f"[{', '.join(rng.sample(THEMES, 2))}]",
        "regions": f"[{', '.join(rng.sample(REGIONS, 2))}]",
    }
    header = "\n".join(f"{key}: {value}" for key, value in front.items())
    return f"---\n{header}\n---\n{body}\n"


def write_chunk(folder: Path, start: int, stop: int) -> None:
    words = vocabulary()
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf: a few words are everywhere
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(start, stop):
        (folder / f"bench-{number:06}.md").write_text(briefing_text(number, words, weights))


def generate(size: int, chunks: int) -> list[Path]:
    """The corpus in the briefing format: a first folder that brings in every tag, then folders to
    import in parallel."""
    root = WORK / f"corpus-{size}"
    folders = [root / f"part-{index}" for index in range(chunks + 1)]
    if (root / "complete").exists():
        return folders
    shutil.rmtree(root, ignore_errors=True)
    first = min(SEED_BRIEFINGS, size)
    bounds = [0] + [first + (size - first) * index // chunks for index in range(chunks + 1)]
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        list(pool.map(write_chunk, folders, bounds[:-1], bounds[1:]))
    (root / "complete").touch()
    return folders


def database_url(size: int) -> str:
    socket_dir = quote(str(PROJECT / "var" / "postgres" / "socket"), safe="")
    base = os.environ.get("BENCH_DATABASE_URL") or f"postgresql://briefings@{socket_dir}"
    return f"{base}/briefings_bench_{size}"


def manage(size: int, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = bench_environment(size)
    return subprocess.run([PYTHON, "manage.py", *args], cwd=PROJECT, env=env, check=True, **kwargs)


def bench_environment(size: int) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url(size),
        "SECRET_KEY": "bench-" + "k" * 60,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "MEDIA_ROOT": str(WORK / f"media-{size}"),
        "LOG_LEVEL": "WARNING",
    }


def ensure_database(size: int) -> None:
    name = f"briefings_bench_{size}"
    admin_url = database_url(size).rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", admin_url, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not exists:
        subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)


def load(size: int, folders: list[Path]) -> float:
    """Import the corpus, one importer per folder at once; returns the seconds it took (0 if loaded)."""
    ensure_database(size)
    manage(size, "migrate", "--noinput", "-v0")
    marker = WORK / f"loaded-{size}"
    if marker.exists():
        return 0.0
    started = time.perf_counter()
    manage(size, "import_briefings", str(folders[0]), "--publish", stdout=subprocess.DEVNULL)
    rest = [
        subprocess.Popen(
            [PYTHON, "manage.py", "import_briefings", str(folder), "--publish"],
            cwd=PROJECT,
            env=bench_environment(size),
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for folder in folders[1:]
    ]
    if any(process.wait() for process in rest):
        raise SystemExit("An import failed.")
    manage(size, "dbshell", "--", "-qc", "VACUUM ANALYZE", stdout=subprocess.DEVNULL)
    marker.touch()
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(size: int, port: int) -> subprocess.Popen:
    manage(size, "collectstatic", "--noinput", "-v0")
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "briefings.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--log-level", "warning"],
        cwd=PROJECT, env=bench_environment(size),
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start.")


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


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def content_changer(size: int):
    """What a publish does to cached work, alone: each call makes every cached answer out of date."""
    connection = psycopg.connect(database_url(size), autocommit=True)

    def change() -> None:
        connection.execute("UPDATE briefings_publiccontentversion SET number = number + 1")

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
        print(f"{size:,} briefings: generating …", flush=True)
        folders = generate(size, chunks=max(2, os.cpu_count() or 2))
        print(f"{size:,} briefings: importing …", flush=True)
        load_seconds = load(size, folders)
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
