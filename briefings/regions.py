"""The region tree: the standard UN M49 regions with every ISO 3166 country, and name resolution."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify

from .models import Region, Tally
from .models.listings import Kind, List
from .taxonomy import alphabetical, region_tree

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


def region_counts(within: List | None = None) -> list[RegionCount]:
    """For every region holding some listed briefings (or some of a list's), how many, counting regions
    inside it: from the kept tallies."""
    return regions_counted(Tally.objects.live_counts(Kind.REGION, Kind.TAGGED_REGION, within=within))


def regions_counted(tallies: dict[List, int]) -> list[RegionCount]:
    """The regions with their counts among `tallies` (Tally.objects.live_counts of regions and tagged regions)."""
    tree = region_tree()
    found = [
        RegionCount(tree.by_id[tag], count, (Kind.TAGGED_REGION, tag) in tallies)
        for (kind, tag), count in tallies.items()
        if kind == Kind.REGION and tag in tree.by_id
    ]
    return sorted(found, key=lambda item: (-item.count, alphabetical(item.region.local_name)))


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
        continent.countries.sort(key=lambda item: alphabetical(item.region.local_name))
    groupings = [item for item in counts if item.region.kind == Region.Kind.GROUPING]
    ordered = sorted(continents.values(), key=lambda continent: alphabetical(continent.region.region.local_name))
    return ordered, sorted(groupings, key=lambda item: alphabetical(item.region.local_name))


def continent_of(region: Region, by_id: dict[int, RegionCount]) -> int | None:
    """The UN region above a country, walking up through its sub-regions (groupings aside)."""
    seen, current = set(), region
    while current.pk not in seen:
        seen.add(current.pk)
        parents = [by_id[pk].region for pk in current.parent_ids if pk in by_id]
        parents = [parent for parent in parents if parent.kind != Region.Kind.GROUPING]
        if not parents:
            return None
        current = parents[0]
        if current.kind == Region.Kind.CONTINENT:
            return current.pk
    return None


def ancestry(region: Region) -> tuple[list[Region], list[Region]]:
    """The UN regions above a region, outermost first, and every grouping that holds it or them."""
    ancestors = {r.pk: r for r in region_tree().above(region)}
    chain, current, seen = [], ancestors[region.pk], {region.pk}
    while True:
        parents = [ancestors[pk] for pk in current.parent_ids if pk not in seen]
        parents = [parent for parent in parents if parent.kind != Region.Kind.GROUPING]
        if not parents:
            break
        current = parents[0]
        seen.add(current.pk)
        chain.insert(0, current)
    groupings = sorted((r for r in ancestors.values() if r.kind == Region.Kind.GROUPING and r.pk != region.pk), key=str)
    return chain, groupings
