"""Cold renders: every public page kind asked with nothing cached (as after each publish, or as a crawler
finds it), at each archive size, beside robots.txt through the same path (the baseline). Writes
bench/results/cold.md.

    .venv/bin/python manage.py pgcluster run -- .venv/bin/python bench/cold.py --sizes 10000 100000

(`make bench-cold` does this.) The archives are the search benchmark's, built once and kept.
"""

from __future__ import annotations

import argparse
import json
import os

from corpus import RESULTS, build, probe

GOALS_MS = {"search": 50}  # p95; every other page kind: 30
DEFAULT_GOAL_MS = 30
BASELINE = "baseline: robots.txt"


def goal(kind: str) -> int:
    return next((ms for prefix, ms in GOALS_MS.items() if kind.startswith(prefix)), DEFAULT_GOAL_MS)


def report(results: dict[int, dict], repeats: int) -> str:
    sizes = sorted(results)
    lines = [
        "# Cold renders",
        "",
        f"{os.cpu_count()} cores. Each page asked {repeats} times in process (Django's test client, the whole",
        "middleware), in rounds of one request of each kind so that the machine's slow moments fall on all alike,",
        "the cache emptied and the public content token forgotten before each request; briefing",
        "and version pages cycle through 50 briefings. Those, the home page, a theme's, a region's, the feeds",
        "and the sitemap index are asked rendered, then read as made ahead of readers (made for them first).",
        "Median and p95 in ms, the p95 as a multiple of robots.txt's median (the machine's speed then), and SQL",
        "queries per request.",
        "",
        "| page | goal p95 | " + " | ".join(f"{size:,}: median / p95 / × / queries" for size in sizes) + " |",
        "|---|---:|" + "---:|" * len(sizes),
    ]
    for kind in results[sizes[0]]["pages"]:
        cells = []
        for size in sizes:
            page = results[size]["pages"][kind]
            low, high = page["queries"][0], page["queries"][-1]
            queries = str(low) if low == high else f"{low}–{high}"
            mark = "" if kind == BASELINE or page["p95_ms"] <= goal(kind) else " ✗"
            times = page["p95_ms"] / results[size]["pages"][BASELINE]["median_ms"]
            cells.append(f"{page['median_ms']} / {page['p95_ms']}{mark} / {times:.0f}× / {queries}")
        target = "" if kind == BASELINE else str(goal(kind))
        lines.append(f"| {kind} | {target} | " + " | ".join(cells) + " |")
    lines += ["", "✗: over its goal."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=60, help="cold requests per page kind")
    arguments = parser.parse_args()
    results = {}
    for size in arguments.sizes:
        print(f"{size:,} briefings: building the archive if needed …", flush=True)
        build(size)
        print(f"{size:,} briefings: cold renders …", flush=True)
        results[size] = probe("bench/cold_probe.py", size, str(arguments.repeats))
    table = report(results, arguments.repeats)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cold.md").write_text(table)
    (RESULTS / "cold.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table)


if __name__ == "__main__":
    main()
