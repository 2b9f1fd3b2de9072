"""PDFs: seconds to make one, for a 300-word briefing and a 3,000-word one with 30 notes, each beside its
web page rendered with nothing cached in the same run (the ratio); then PDFs a minute through the task
queue for COUNT briefings, with one worker process and with two. Writes bench/results/pdfs.md.

    .venv/bin/python manage.py pgcluster run -- .venv/bin/python bench/pdfs.py --count 1000

(`make bench-pdfs` does this.) The database (briefings_bench_pdfs) is kept for the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess

from corpus import RESULTS, ensure_database, manage, probe, run_workers

DATABASE = "pdfs"  # briefings_bench_pdfs
PROBE = "bench/pdf_probe.py"


def pdfs_per_minute(count: int, workers: int) -> dict:
    """Queue every PDF (make_pdfs --all), then let the workers empty the queue and stop."""
    probe(PROBE, DATABASE, "reset")
    manage(DATABASE, "make_pdfs", "--all", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = run_workers(DATABASE, workers)
    made = int(
        manage(
            DATABASE, "dbshell", "--", "-tAc", "SELECT count(*) FROM briefings_versionpdf WHERE status = 'ready'",
            capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    if made < count + 2:
        raise SystemExit(f"{made} PDFs made, {count + 2} expected.")
    return {"workers": workers, "pdfs": made, "seconds": round(seconds, 1), "per_minute": round(made / seconds * 60)}


def report(single: dict, throughput: list[dict], count: int) -> str:
    lines = [
        "# PDFs",
        "",
        f"WeasyPrint {weasyprint_version()}, {os.cpu_count()} cores. One PDF: the median of the timed renders;",
        "the page is the same briefing's web page rendered with nothing cached (the ratio is PDF ÷ page).",
        "",
        "| briefing | PDF pages | PDF: median s | page: median s | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, figure in single.items():
        lines.append(f"| {label} | {figure['pages']} | {figure['pdf_s']} | {figure['page_s']} | {figure['ratio']}× |")
    lines += [
        "",
        f"Through the queue: {count:,} 300-word briefings and the two above, queued by `make_pdfs --all`, made by",
        "`manage.py procrastinate worker` processes until the queue is empty.",
        "",
        "| workers | PDFs | seconds | PDFs a minute | against one worker |",
        "|---:|---:|---:|---:|---:|",
    ]
    for figure in throughput:
        speedup = figure["per_minute"] / throughput[0]["per_minute"]
        lines.append(
            f"| {figure['workers']} | {figure['pdfs']:,} | {figure['seconds']} | {figure['per_minute']} "
            f"| {speedup:.2f}× |"
        )
    return "\n".join(lines) + "\n"


def weasyprint_version() -> str:
    import weasyprint

    return weasyprint.__version__


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="briefings made through the queue")
    parser.add_argument("--repeats", type=int, default=7, help="timed renders of each single PDF")
    arguments = parser.parse_args()
    ensure_database(DATABASE)
    manage(DATABASE, "migrate", "--noinput", "-v0")
    print(f"Writing {arguments.count:,} briefings …", flush=True)
    probe(PROBE, DATABASE, "setup", str(arguments.count))
    print("Timing single PDFs …", flush=True)
    single = probe(PROBE, DATABASE, "render", str(arguments.repeats))
    throughput = []
    for workers in (1, 2):
        print(f"Making every PDF with {workers} worker(s) …", flush=True)
        throughput.append(pdfs_per_minute(arguments.count, workers))
    table = report(single, throughput, arguments.count)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pdfs.md").write_text(table)
    (RESULTS / "pdfs.json").write_text(json.dumps({"single": single, "throughput": throughput}, indent=2) + "\n")
    print(table)


if __name__ == "__main__":
    main()
