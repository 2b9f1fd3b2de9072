"""What the PDF benchmark does inside the site, printing JSON: `setup COUNT` writes the briefings (a
300-word one, a 3,000-word one with 30 notes and a table, and COUNT short ones for the workers);
`render REPEATS` times one PDF of each of the two beside its web page rendered with nothing cached;
`reset` forgets every PDF and job so that the workers start from an empty queue.

Run with the benchmark's environment: `python bench/pdf_probe.py setup 1000`.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from briefings import freshness, publishing  # noqa: E402
from briefings.models import Author, Briefing, Theme, VersionPdf  # noqa: E402
from briefings.pdfs import render_pdf  # noqa: E402

WORDS = "allied planners weigh the costs of long wars against the habits of peacetime budgets and industry".split()
SAMPLES = {"300 words": ("bench-pdf-short", 300, 3), "3,000 words, 30 notes": ("bench-pdf-long", 3000, 30)}


def body(words: int, notes: int) -> str:
    text = [WORDS[index % len(WORDS)] for index in range(words)]
    paragraphs = [" ".join(text[start : start + 100]).capitalize() + "." for start in range(0, words, 100)]
    for note in range(notes):
        paragraphs[note * len(paragraphs) // notes] += f"[^{note + 1}]"
    sections = [f"## Section {index // 5 + 1}\n\n{p}" if index % 5 == 0 else p for index, p in enumerate(paragraphs)]
    table = "| Year | Output | Target |\n| ---: | ---: | ---: |\n" + "".join(
        f"| {2015 + row} | {row * 40} | {row * 55} |\n" for row in range(12)
    )
    sources = "".join(f"[^{n + 1}]: Source {n + 1}, https://example.org/reports/{n + 1}\n" for n in range(notes))
    return "\n\n".join(sections[:3] + [table] + sections[3:]) + "\n\n" + sources


def publish(slug: str, words: int, notes: int) -> None:
    tags = publishing.BriefingTags(
        themes=[Theme.objects.get_or_create(slug="defence", defaults={"name": "Defence"})[0]],
        regions=[],
        authors=[Author.objects.get_or_create(slug="analyst", defaults={"name": "Analyst A", "role": "Fellow"})[0]],
    )
    content = {"title": f"Benchmark briefing {slug}", "slug": slug, "standfirst": "What a benchmark measures."}
    briefing = Briefing()
    publishing.save_draft(briefing, content={**content, "body": body(words, notes)}, tags=tags, by=None)
    publishing.publish(briefing, by=None)


def setup(count: int) -> dict:
    """The briefings that are not there yet (a database kept from an earlier run has some)."""
    wanted = [*SAMPLES.values(), *((f"bench-pdf-{number:05}", 300, 3) for number in range(count))]
    existing = set(Briefing.objects.filter(slug__startswith="bench-pdf-").values_list("slug", flat=True))
    missing = [sample for sample in wanted if sample[0] not in existing]
    for slug, words, notes in missing:
        with transaction.atomic():
            publish(slug, words, notes)
    return {"created": len(missing)}


def render(repeats: int) -> dict:
    client = Client(HTTP_HOST="127.0.0.1")
    figures = {}
    for label, (slug, _, _) in SAMPLES.items():
        revision_id = Briefing.objects.get(slug=slug).live_revision_id
        pdf_seconds, page_seconds, pages = [], [], 0
        render_pdf(revision_id)  # warm: fonts loaded, templates compiled, as in a running worker and site
        client.get(f"/briefings/{slug}/")
        for _ in range(repeats):
            started = time.perf_counter()
            pages = render_pdf(revision_id).pages
            pdf_seconds.append(time.perf_counter() - started)
            cache.clear()
            freshness.WATCHER.forget()
            started = time.perf_counter()
            assert client.get(f"/briefings/{slug}/").status_code == 200
            page_seconds.append(time.perf_counter() - started)
        pdf, page = statistics.median(pdf_seconds), statistics.median(page_seconds)
        figures[label] = {"pdf_s": round(pdf, 3), "page_s": round(page, 4), "ratio": round(pdf / page), "pages": pages}
    return figures


def reset() -> dict:
    VersionPdf.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE procrastinate_jobs CASCADE")
    return {"reset": True}


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    result = {"setup": lambda: setup(int(rest[0])), "render": lambda: render(int(rest[0])), "reset": reset}[command]()
    print(json.dumps(result))
