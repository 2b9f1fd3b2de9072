import re

import pytest

from briefings.management.commands.freeze_regions import standard_regions
from briefings.models import Briefing, Region
from briefings.regions import find_region, region_counts
from briefings.taxonomy import region_tree
from tests.helpers import make_briefing, region

pytestmark = pytest.mark.django_db


def test_every_iso_country_is_seeded_under_its_un_region():
    assert Region.objects.filter(kind="country").count() >= 245
    japan = region("Japan")
    assert japan.code == "JP" and japan.alpha3 == "JPN"
    tree = region_tree()
    assert {"Japan", "Eastern Asia", "Asia", "World"} <= {r.name for r in tree.above(tree.by_id[japan.pk])}
    kenya = tree.by_id[region("Kenya").pk]
    assert {"Kenya", "Eastern Africa", "Sub-Saharan Africa", "Africa"} <= {r.name for r in tree.above(kenya)}
    for name, code, alpha3, subregion in (
        ("United Kingdom", "GB", "GBR", "Northern Europe"),  # codes given as patterns by the source data
        ("Greece", "GR", "GRC", "Southern Europe"),
    ):
        country = find_region(code)
        assert (country.name, country.kind, country.alpha3) == (name, "country", alpha3)
        assert list(country.parents.values_list("name", flat=True)) == [subregion]


def test_the_migrations_seed_from_frozen_data_the_same_rows_as_seeding_from_country_converter():
    """0003 and 0013 read standard_regions.json; the live source, country_converter, gives the same tree."""
    live = {
        (entry["name"], entry["slug"], entry["kind"], entry["code"], entry["alpha3"], frozenset(entry["parents"]))
        for entry in standard_regions()
    }
    seeded = {
        (r.name, r.slug, r.kind, r.code, r.alpha3, frozenset(parent.name for parent in r.parents.all()))
        for r in Region.objects.prefetch_related("parents")
    }
    assert len(live) == 280 and seeded == live


def test_a_briefing_tagged_japan_is_found_under_every_grouping_that_contains_japan():
    indo_pacific = Region.objects.create(name="Indo-Pacific", slug="indo-pacific")
    region("Japan").parents.add(indo_pacific)
    briefing = make_briefing(regions=[region("Japan")], publish=True)
    for name in ("Japan", "Eastern Asia", "Asia", "World", "Indo-Pacific"):
        assert list(Briefing.objects.published().for_region(region(name))) == [briefing], name
    assert not Briefing.objects.published().for_region(region("Europe")).exists()


def test_regrouping_applies_without_retagging_briefings():
    quad = Region.objects.create(name="Quad", slug="quad")
    briefing = make_briefing(regions=[region("India")], publish=True)
    assert not Briefing.objects.published().for_region(quad).exists()
    region("India").parents.add(quad)
    assert list(Briefing.objects.published().for_region(quad)) == [briefing]


def test_nested_groupings_and_a_cycle_do_not_loop():
    outer = Region.objects.create(name="Outer", slug="outer")
    inner = Region.objects.create(name="Inner", slug="inner")
    inner.parents.add(outer)
    region("Japan").parents.add(inner)
    outer.parents.add(inner)  # a cycle that slipped past the admin's check
    names = set(Region.objects.with_descendants_of(outer).values_list("name", flat=True))
    assert names == {"Outer", "Inner", "Japan"}


def test_region_counts_take_each_briefing_once_under_every_grouping_it_reaches():
    indo_pacific = Region.objects.create(name="Indo-Pacific", slug="indo-pacific")
    for name in ("Japan", "India"):
        region(name).parents.add(indo_pacific)
    make_briefing(title="Both", regions=[region("Japan"), region("India")], publish=True)
    make_briefing(title="Japan", regions=[region("Japan")], publish=True)
    make_briefing(title="Also Japan", regions=[region("Japan")], publish=True)
    make_briefing(title="France", regions=[region("France")], publish=True)
    make_briefing(title="Draft", regions=[region("Kenya")])
    counts = {item.region.name: (item.count, item.is_tagged) for item in region_counts()}
    assert counts == {
        "World": (4, False),
        "Asia": (3, False),
        "Eastern Asia": (3, False),
        "Southern Asia": (1, False),
        "Indo-Pacific": (3, False),
        "Japan": (3, True),
        "India": (1, True),
        "Europe": (1, False),
        "Western Europe": (1, False),
        "France": (1, True),
    }


@pytest.mark.parametrize("label", ["Japan", "japan", "JP", "jpn", "japan "])
def test_regions_are_found_by_name_slug_or_iso_code(label):
    assert find_region(label) == region("Japan")


def test_the_map_shades_countries_by_their_briefings_and_links_them(client):
    make_briefing(title="Tokyo one", regions=[region("Japan")], publish=True)
    make_briefing(title="Tokyo two", regions=[region("Japan")], publish=True)
    make_briefing(title="Delhi", regions=[region("India")], publish=True)
    page = client.get("/regions/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    japan = re.search(
        r'<a href="/regions/japan/" tabindex="-1"><title>Japan: 2 briefings</title><path class="shade-(\d)"', svg
    )
    india = re.search(
        r'<a href="/regions/india/" tabindex="-1"><title>India: 1 briefing</title><path class="shade-(\d)"', svg
    )
    assert japan and india and int(japan.group(1)) == 5 and 1 <= int(india.group(1)) < 5
    assert svg.count("<a ") == 2 and svg.count("<path") > 150 and 'viewBox="0 0 1000 ' in svg


def test_a_region_page_maps_the_part_of_the_world_it_covers(client):
    make_briefing(title="Tokyo", regions=[region("Japan")], publish=True)
    page = client.get("/regions/eastern-asia/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    x, y, width, height = map(int, re.search(r'viewBox="(-?\d+) (-?\d+) (\d+) (\d+)"', svg).groups())
    assert width < 500 and x > 500  # zoomed on East Asia, east of the map's middle
    assert 'href="/regions/japan/"' in svg and svg.count("<path") < 60
