"""The region tree: the standard UN M49 regions with every ISO 3166 country, and name resolution."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.utils.text import slugify

from .models import Region, Tally
from .models.listings import Kind, List
from .models.tags import INSIDE_CTE

# The standard tree (UN M49 regions, ISO 3166 countries) the migrations seed; `manage.py freeze_regions` refreshes it.
STANDARD_REGIONS_FILE = Path(__file__).parent / "migrations" / "standard_regions.json"


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
SUBTREE_COUNTS_SQL = f"""
    WITH RECURSIVE {INSIDE_CTE}, tag_sets AS (
        SELECT ROW_NUMBER() OVER () AS id, regions, COUNT(*) AS briefings
        FROM (
            SELECT ARRAY_AGG(tag.region_id ORDER BY tag.region_id) AS regions
            FROM briefings_revisionregion tag
            JOIN ({{briefings}}) briefing ON briefing.live_revision_id = tag.revision_id
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


def region_counts(within: List | None = None) -> list[RegionCount]:
    """For every region holding some listed briefings (or some of a list's), how many, counting regions
    inside it: from the kept tallies."""
    counts = dict(Tally.objects.counts(Kind.REGION, within).values_list("counted_tag", "live"))
    tagged = set(Tally.objects.counts(Kind.TAGGED_REGION, within).values_list("counted_tag", flat=True))
    regions = Region.objects.filter(pk__in=counts).prefetch_related("parents")
    return sorted(
        (RegionCount(region, counts[region.pk], region.pk in tagged) for region in regions),
        key=lambda item: (-item.count, item.region.name),
    )


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
class Continent:
    region: RegionCount
    countries: list[RegionCount]


def region_directory(counts: list[RegionCount]) -> tuple[list[Continent], list[RegionCount]]:
    """The continents with the countries under them (and sub-regions briefings name themselves), each
    once, and the editors' groupings."""
    by_id = {item.region.pk: item for item in counts}
    continents = {item.region.pk: Continent(item, []) for item in counts if item.region.kind == Region.Kind.CONTINENT}
    for item in counts:
        named = item.region.kind == Region.Kind.SUBREGION and item.is_tagged
        if item.region.kind == Region.Kind.COUNTRY or named:
            home = continent_of(item.region, by_id)
            if home in continents:
                continents[home].countries.append(item)
    for continent in continents.values():
        continent.countries.sort(key=lambda item: item.region.name)
    groupings = [item for item in counts if item.region.kind == Region.Kind.GROUPING]
    ordered = sorted(continents.values(), key=lambda continent: continent.region.region.name)
    return ordered, sorted(groupings, key=lambda item: item.region.name)


def continent_of(region: Region, by_id: dict[int, RegionCount]) -> int | None:
    """The UN region above a country, walking up through its sub-regions (groupings aside)."""
    seen, current = set(), region
    while current.pk not in seen:
        seen.add(current.pk)
        parents = [p for p in current.parents.all() if p.kind != Region.Kind.GROUPING and p.pk in by_id]
        if not parents:
            return None
        current = by_id[parents[0].pk].region
        if current.kind == Region.Kind.CONTINENT:
            return current.pk
    return None


def ancestry(region: Region) -> tuple[list[Region], list[Region]]:
    """The UN regions above a region, outermost first, and every grouping that holds it or them."""
    ancestors = {r.pk: r for r in Region.objects.with_ancestors_of(region).prefetch_related("parents")}
    chain, current, seen = [], ancestors[region.pk], {region.pk}
    while True:
        parents = [p for p in current.parents.all() if p.kind != Region.Kind.GROUPING and p.pk not in seen]
        if not parents:
            break
        current = ancestors[parents[0].pk]
        seen.add(current.pk)
        chain.insert(0, current)
    groupings = sorted((r for r in ancestors.values() if r.kind == Region.Kind.GROUPING and r.pk != region.pk), key=str)
    return chain, groupings
