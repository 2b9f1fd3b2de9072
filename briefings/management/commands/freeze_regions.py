"""Refresh briefings/migrations/standard_regions.json, the region tree the seeding migrations read.

It reads the UN M49 regions and ISO 3166 countries from country_converter, a development package
(requirements-dev.txt): the site itself never needs it, and landed migrations keep the data they had.
"""

import json
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from briefings.regions import STANDARD_REGIONS_FILE

WORLD = ("World", "001")
# UN M49 regions, keyed by country_converter's continent names (it says "America").
CONTINENTS = {
    "Africa": ("Africa", "002"),
    "America": ("Americas", "019"),
    "Asia": ("Asia", "142"),
    "Europe": ("Europe", "150"),
    "Oceania": ("Oceania", "009"),
}
# UN M49 sub-regions and intermediate regions, with the region each sits in.
SUBREGIONS = {
    "Northern Africa": ("015", "Africa"),
    "Sub-Saharan Africa": ("202", "Africa"),
    "Eastern Africa": ("014", "Sub-Saharan Africa"),
    "Middle Africa": ("017", "Sub-Saharan Africa"),
    "Southern Africa": ("018", "Sub-Saharan Africa"),
    "Western Africa": ("011", "Sub-Saharan Africa"),
    "Latin America and the Caribbean": ("419", "Americas"),
    "Caribbean": ("029", "Latin America and the Caribbean"),
    "Central America": ("013", "Latin America and the Caribbean"),
    "South America": ("005", "Latin America and the Caribbean"),
    "Northern America": ("021", "Americas"),
    "Central Asia": ("143", "Asia"),
    "Eastern Asia": ("030", "Asia"),
    "South-eastern Asia": ("035", "Asia"),
    "Southern Asia": ("034", "Asia"),
    "Western Asia": ("145", "Asia"),
    "Eastern Europe": ("151", "Europe"),
    "Northern Europe": ("154", "Europe"),
    "Southern Europe": ("039", "Europe"),
    "Western Europe": ("155", "Europe"),
    "Australia and New Zealand": ("053", "Oceania"),
    "Melanesia": ("054", "Oceania"),
    "Micronesia": ("057", "Oceania"),
    "Polynesia": ("061", "Oceania"),
}


def region(name: str, kind: str, code: str, parents: list[str], alpha3: str = "") -> dict:
    return {"name": name, "slug": slugify(name), "kind": kind, "code": code, "alpha3": alpha3, "parents": parents}


def standard_countries() -> list[dict[str, str]]:
    """Current ISO 3166 countries with their UN sub-region."""
    try:
        import country_converter
    except ImportError as error:
        raise CommandError("country_converter is a development package: pip install -r requirements-dev.txt") from error
    data = country_converter.CountryConverter().data
    current = data[data["obsolete"].isna()] if "obsolete" in data else data
    countries = []
    for row in current.itertuples():
        # A few codes come as a pattern of alternatives, `^GB$|^UK$`: the first is the ISO one.
        codes = re.findall(r"[A-Z]{2}", row.ISO2) if isinstance(row.ISO2, str) else []
        if codes:
            countries.append({"name": row.name_short, "code": codes[0], "alpha3": row.ISO3, "subregion": row.UNregion})
    return countries


def parent_of(country: dict[str, str]) -> str:
    return country["subregion"] if country["subregion"] in SUBREGIONS else WORLD[0]


def standard_regions() -> list[dict]:
    """The world, its UN regions and sub-regions, and every country, each after the regions it sits in."""
    continents = [region(name, "continent", code, [WORLD[0]]) for name, code in CONTINENTS.values()]
    subregions = [region(name, "subregion", code, [parent]) for name, (code, parent) in SUBREGIONS.items()]
    countries = [
        region(country["name"], "country", country["code"], [parent_of(country)], country["alpha3"])
        for country in standard_countries()
    ]
    return [region(WORLD[0], "world", WORLD[1], []), *continents, *subregions, *countries]


class Command(BaseCommand):
    help = "Refresh the standard region tree that migrations seed, from country_converter (development only)."

    def handle(self, *args, **options):
        regions = standard_regions()
        lines = ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in regions)  # one region a line
        STANDARD_REGIONS_FILE.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
        self.stdout.write(f"{len(regions)} regions written to {STANDARD_REGIONS_FILE}")
