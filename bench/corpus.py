"""Generated archives for the benchmarks: briefings of about 1,000 words in the briefing format, each
size imported once into a database of its own on the private cluster (or BENCH_DATABASE_URL's
server), and the production server started against it."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote

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


SITE_HOST = "127.0.0.1"


def bench_environment(size: int) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url(size),
        "SECRET_KEY": "bench-" + "k" * 60,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://{SITE_HOST}",  # pages are made ahead for the site's own address (wrk sends it)
        "SECURE_SSL_REDIRECT": "false",
        "MEDIA_ROOT": str(WORK / f"media-{size}"),
        "LOG_LEVEL": "WARNING",
    }


def probe(script: str, database, *args: str) -> dict:
    """Run one step of a benchmark inside the site, on its database; returns the JSON it printed last (what
    it writes to stderr, such as a failure's traceback, shows as it runs)."""
    output = subprocess.run(
        [PYTHON, script, *args], cwd=PROJECT, env=bench_environment(database), stdout=subprocess.PIPE, text=True,
        check=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def run_workers(database, count: int, *options: str, **environment: str) -> float:
    """`count` task queue workers emptying the queue side by side; returns the seconds until the last stops."""
    command = [PYTHON, "manage.py", "procrastinate", "worker", "--one-shot", "--no-listen-notify", *options]
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            command,
            cwd=PROJECT,
            env=bench_environment(database) | environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(count)
    ]
    if any(process.wait() for process in processes):
        raise SystemExit("A worker failed.")
    return time.perf_counter() - started


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


COPIED_FROM = 10_000  # larger archives are this one, imported, then copied (bench/copy_probe.py)


def build(size: int) -> float:
    """The archive of `size` briefings, ready in its database, and the static files its pages name;
    returns the seconds it took (0 if it was)."""
    manage(size, "collectstatic", "--noinput", "-v0")
    seconds = import_or_copy(size)
    pdfs_made(size)
    cards_kept(size)
    common_words_counted(size)
    return seconds


def import_or_copy(size: int) -> float:
    """Archives larger than COPIED_FROM, in whole multiples of it, are copies of that one: importing
    100,000 briefings through the importer takes hours on two cores."""
    if size <= COPIED_FROM or size % COPIED_FROM:
        return load(size, generate(size, chunks=max(2, os.cpu_count() or 2)))
    marker = WORK / f"loaded-{size}"
    if marker.exists():
        manage(size, "migrate", "--noinput", "-v0")
        return 0.0
    build(COPIED_FROM)
    started = time.perf_counter()
    admin_url = database_url(size).rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS briefings_bench_{size}"], check=True)
    template = f"CREATE DATABASE briefings_bench_{size} TEMPLATE briefings_bench_{COPIED_FROM}"
    subprocess.run(["psql", admin_url, "-qc", template], check=True)
    probe("bench/copy_probe.py", size, str(size // COPIED_FROM))
    manage(size, "dbshell", "--", "-qc", "VACUUM ANALYZE", stdout=subprocess.DEVNULL)
    marker.touch()
    return time.perf_counter() - started


# Each version's PDF recorded as made, as a site's workers leave them: the PDF sitemap lists them all.
# The files themselves are not needed by the pages measured, so none is written.
PDFS_MADE_SQL = """
    UPDATE briefings_versionpdf SET status = 'ready', file = 'bench/' || revision_id || '.pdf', size = 250000,
        pages = 6, made_at = requested_at
    WHERE status <> 'ready'
"""


def pdfs_made(size: int) -> None:
    manage(size, "dbshell", "--", "-qc", PDFS_MADE_SQL, stdout=subprocess.DEVNULL)


def cards_kept(size: int) -> None:
    """Every card made in the current format, as a site's workers leave them a few minutes after a deploy
    that changes what a card says (briefings.publishing.cards.keep_missing)."""
    manage(size, "shell", "-c", "from briefings.publishing.cards import keep_missing; keep_missing()")


def common_words_counted(size: int) -> None:
    """The archive's common words counted, as a site's nightly task leaves them (once: counting every
    word of 100,000 briefings and starting each list takes minutes)."""
    counted = manage(size, "dbshell", "--", "-tAc", "SELECT EXISTS (SELECT FROM briefings_commonword)",
                     capture_output=True, text=True).stdout  # fmt: skip
    if counted.strip() != "t":
        manage(size, "count_common_words")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(size: int, port: int, app: str = "briefings.wsgi", **settings: str) -> subprocess.Popen:
    """The production server (briefings/gunicorn.py) on loopback; `settings` override its environment."""
    manage(size, "collectstatic", "--noinput", "-v0")
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "python:briefings.gunicorn", app],
        cwd=PROJECT,
        env=bench_environment(size) | {"BIND": f"127.0.0.1:{port}", "ACCESS_LOG": ""} | settings,
    )
    # Each worker listens on a socket of its own (SO_REUSEPORT): connections opened before every worker
    # listens would all stay with the first one.
    shared = settings.get("REUSE_PORT", "true") == "false"
    workers = 1 if shared else int(settings.get("WEB_CONCURRENCY", os.cpu_count() or 1))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if listening_sockets(port) >= workers:
            return server
        time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start.")


def listening_sockets(port: int) -> int:
    """How many sockets listen on the loopback port."""
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return sum(1 for row in rows if row[1] == f"0100007F:{port:04X}" and row[3] == "0A")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


if __name__ == "__main__":
    for size in map(int, sys.argv[1:]):
        print(f"{size:,} briefings: generating and importing (or copying) …", flush=True)
        seconds = build(size)
        print(f"{size:,} briefings: loaded in {seconds:.0f} s", flush=True)
