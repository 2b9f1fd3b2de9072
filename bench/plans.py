"""The plan of every query each public page kind runs with nothing cached, at each archive size, as
PostgreSQL runs it: `EXPLAIN (ANALYZE, BUFFERS)` of the statements the page sent (captured in process,
the page asked once with nothing cached first so that the plans are of a working server). Writes
bench/results/plans-SIZE.md, so that the plans stay those of the code as it is.

    .venv/bin/python manage.py pgcluster run -- .venv/bin/python bench/plans.py --sizes 100000

(`make bench-plans` does this.)
"""

from __future__ import annotations

import argparse
import json

from corpus import RESULTS, build, probe


def report(size: int, pages: dict[str, list[dict]]) -> str:
    lines = [f"# Query plans at {size:,} briefings", ""]
    lines += ["Each public page kind asked with nothing cached; every statement it sent, with its plan (a", ""]
    lines[-2] += " statement several pages send is shown once)."
    lines += ["| page | statements | their time (ms, EXPLAIN ANALYZE) |", "|---|---:|---:|"]
    for kind, statements in pages.items():
        lines.append(f"| {kind} | {len(statements)} | {sum(item['ms'] for item in statements):.1f} |")
    shown = set()
    for kind, statements in pages.items():
        lines += ["", f"## {kind}", ""]
        for item in statements:
            if item["sql"] in shown:
                lines += [f"- {item['ms']:.2f} ms: `{item['sql'][:100]}…` (shown above)"]
                continue
            shown.add(item["sql"])
            lines += [f"### {item['ms']:.2f} ms", "", "```sql", item["sql"], "```", "", "```", item["plan"], "```", ""]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    arguments = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    for size in arguments.sizes:
        print(f"{size:,} briefings: building the archive if needed …", flush=True)
        build(size)
        pages = probe("bench/plans_probe.py", size)
        (RESULTS / f"plans-{size}.md").write_text(report(size, pages))
        print(json.dumps({kind: len(statements) for kind, statements in pages.items()}))


if __name__ == "__main__":
    main()
