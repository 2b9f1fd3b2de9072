"""An editor publishing a correction every 2 s, in turn to each briefing named, for SECONDS; prints JSON
with how many it published, how long each publication took (median ms), and the words the last one
added.

Run with the benchmark's environment: `python bench/publish_probe.py SECONDS SLUG…`.
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

from briefings import publishing  # noqa: E402
from briefings.models import Briefing  # noqa: E402

INTERVAL = 2.0

if __name__ == "__main__":
    seconds, slugs = float(sys.argv[1]), sys.argv[2:]
    deadline, took, mark = time.monotonic() + seconds, [], ""
    while time.monotonic() + INTERVAL <= deadline:
        started = time.monotonic()
        briefing = Briefing.objects.get(slug=slugs[len(took) % len(slugs)])
        mark = f"Corrected at {time.time():.3f}"
        body = f"{briefing.body}\n\n{mark}."
        publishing.save_draft(briefing, content={"body": body}, by=None, base_revision=briefing.latest_revision_id)
        publishing.publish(briefing, by=None, change_kind="correction", note="A figure was wrong.")
        took.append((time.monotonic() - started) * 1000)
        time.sleep(max(0.0, INTERVAL - (time.monotonic() - started)))
    median = round(statistics.median(took), 1) if took else None
    print(json.dumps({"published": len(took), "publish_median_ms": median, "last_mark": mark}))
