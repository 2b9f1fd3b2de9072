"""The region tree: the standard UN M49 regions with every ISO 3166 country, and name resolution."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.text import slugify

from .models import Region

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


def standard_countries() -> list[dict[str, str]]:
    """Current ISO 3166 countries with their UN sub-region, from country_converter."""
    import country_converter  # pandas-backed and slow to import: only needed when seeding

    data = country_converter.CountryConverter().data
    current = data[data["obsolete"].isna()] if "obsolete" in data else data
    countries = []
    for row in current.itertuples():
        # A few codes come as a pattern of alternatives, `^GB$|^UK$`: the first is the ISO one.
        codes = re.findall(r"[A-Z]{2}", row.ISO2) if isinstance(row.ISO2, str) else []
        if codes:
            countries.append({"name": row.name_short, "code": codes[0], "alpha3": row.ISO3, "subregion": row.UNregion})
    return countries


@transaction.atomic
def seed_standard_regions(region_model=Region, countries: list[dict[str, str]] | None = None) -> int:
    """Create the world, its UN regions and sub-regions, and every country. Safe to run again."""
    countries = standard_countries() if countries is None else countries

    def upsert(name: str, kind: str, code: str, alpha3: str = ""):
        region, _ = region_model.objects.update_or_create(
            name=name,
            defaults={"slug": slugify(name), "kind": kind, "code": code, "alpha3": alpha3},
        )
        return region

    world = upsert(WORLD[0], "world", WORLD[1])
    by_name = {}
    for name, code in CONTINENTS.values():
        by_name[name] = upsert(name, "continent", code)
        by_name[name].parents.add(world)
    for name, (code, _parent) in SUBREGIONS.items():
        by_name[name] = upsert(name, "subregion", code)
    for name, (_code, parent) in SUBREGIONS.items():
        by_name[name].parents.add(by_name[parent])
    for country in countries:
        region = upsert(country["name"], "country", country["code"], country["alpha3"])
        region.parents.add(by_name.get(country["subregion"], world))
    return region_model.objects.count()


def find_region(label: str) -> Region | None:
    """A region by name, slug or ISO 3166 code (alpha-2 or alpha-3), ignoring case."""
    label = label.strip()
    candidates = Region.objects.filter(name__iexact=label) | Region.objects.filter(slug=slugify(label))
    if len(label) in (2, 3) and label.isalpha():
        candidates |= Region.objects.filter(kind=Region.Kind.COUNTRY, code__iexact=label)
        candidates |= Region.objects.filter(alpha3__iexact=label)
    return candidates.first()


@dataclass
class RegionCount:
    region: Region
    count: int  # briefings tagged with the region or any region inside it
    is_tagged: bool  # some briefing is tagged with this region itself


# Briefings tagged with the same regions reach the same groupings, so each distinct set of tags is walked
# up the tree once, with the number of briefings that carry it, rather than every briefing one by one.
SUBTREE_COUNTS_SQL = """
    WITH RECURSIVE inside(region_id, ancestor_id) AS (
        SELECT id, id FROM briefings_region
        UNION
        SELECT inside.region_id, link.to_region_id
        FROM inside JOIN briefings_region_parents link ON link.from_region_id = inside.ancestor_id
    ), tag_sets AS (
        SELECT ROW_NUMBER() OVER () AS id, regions, COUNT(*) AS briefings
        FROM (
            SELECT ARRAY_AGG(tag.region_id ORDER BY tag.region_id) AS regions
            FROM briefings_revisionregion tag
            JOIN ({briefings}) briefing ON briefing.live_revision_id = tag.revision_id
            GROUP BY briefing.id
        ) per_briefing
        GROUP BY regions
    ), reached AS (
        SELECT tag_sets.id, inside.ancestor_id, MAX(tag_sets.briefings) AS briefings,
               BOOL_OR(inside.ancestor_id = inside.region_id) AS is_tagged
        FROM tag_sets CROSS JOIN LATERAL UNNEST(tag_sets.regions) AS tag(region_id)
        JOIN inside ON inside.region_id = tag.region_id
        GROUP BY tag_sets.id, inside.ancestor_id
    )
    SELECT ancestor_id, SUM(briefings)::bigint, BOOL_OR(is_tagged) FROM reached GROUP BY ancestor_id
"""


def count_by_region(briefings) -> list[RegionCount]:
    """For every region holding some of these briefings, how many, counting regions inside it."""
    inner_sql, params = briefings.order_by().values("id", "live_revision_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(SUBTREE_COUNTS_SQL.format(briefings=inner_sql), params)
        rows = {region_id: (count, is_tagged) for region_id, count, is_tagged in cursor.fetchall()}
    regions = Region.objects.filter(pk__in=rows).prefetch_related("parents")
    return sorted(
        (RegionCount(region, *rows[region.pk]) for region in regions),
        key=lambda item: (-item.count, item.region.name),
    )


@dataclass
class RegionNode:
    region: Region
    count: int
    children: list[RegionNode]


def region_tree(counts: list[RegionCount]) -> list[RegionNode]:
    """The regions holding briefings as a tree: UN regions under the world, groupings at the top.

    A region inside several groupings appears under each of them.
    """
    by_id = {item.region.pk: item for item in counts}
    children: dict[int | None, list[RegionCount]] = {}
    for item in counts:
        parent_ids = [parent.pk for parent in item.region.parents.all() if parent.pk in by_id]
        for parent_id in parent_ids or [None]:
            children.setdefault(parent_id, []).append(item)

    def build(parent_id, seen: frozenset) -> list[RegionNode]:
        items = sorted(children.get(parent_id, []), key=lambda item: item.region.name)
        return [
            RegionNode(item.region, item.count, build(item.region.pk, seen | {item.region.pk}))
            for item in items
            if item.region.pk not in seen
        ]

    return build(None, frozenset())
