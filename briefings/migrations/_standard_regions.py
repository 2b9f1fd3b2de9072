"""The standard region tree, frozen as data beside the migrations that seed it (0003 and 0013).

Migrations read standard_regions.json and nothing of the application, so they mean tomorrow what they
meant when they landed. `manage.py freeze_regions` refreshes the file; a new migration seeds a refresh.
"""

import json
from pathlib import Path

STANDARD_REGIONS = Path(__file__).with_name("standard_regions.json")


def seed(apps, schema_editor):
    """Create or update every standard region by name, and link each to the regions it sits in.

    A region of the same name made earlier (by an import, say) becomes the standard one, its tags kept.
    """
    region_model = apps.get_model("briefings", "Region")
    entries = json.loads(STANDARD_REGIONS.read_text(encoding="utf-8"))
    by_name = {}
    for entry in entries:
        fields = {key: entry[key] for key in ("slug", "kind", "code", "alpha3")}
        by_name[entry["name"]], _ = region_model.objects.update_or_create(name=entry["name"], defaults=fields)
    for entry in entries:
        by_name[entry["name"]].parents.add(*(by_name[parent] for parent in entry["parents"]))
