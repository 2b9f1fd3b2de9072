"""Refresh briefings/world_map.json, the country shapes of the regions map, from Natural Earth.

It reads world-atlas's countries-110m.json (Natural Earth's 1:110m countries as TopoJSON, from the npm
registry: `make map`), projects each country with the Equal Earth projection onto a 1000-unit-wide
plane, rounds to whole units and drops slivers, and keys the SVG paths by ISO 3166 alpha-3 code (from
country_converter, a development package). The site reads the result and never the sources.
"""

import json
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from briefings.maps import WIDTH, WORLD_MAP_FILE

# Equal Earth (Šavrič, Patterson and Jenny, 2018)
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
X_MAX, Y_MAX = 2.70646, 1.31731
SCALE = WIDTH / (2 * X_MAX)
MIN_AREA = 4.0  # square units: islands smaller than this vanish at the map's size


def project(longitude: float, latitude: float) -> tuple[int, int]:
    latitude = max(-90.0, min(90.0, latitude))
    theta = math.asin(M * math.sin(math.radians(latitude)))
    t2, t6 = theta**2, theta**6
    x = math.radians(longitude) * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return round((x + X_MAX) * SCALE), round((Y_MAX - y) * SCALE)


def decoded_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs) -> list[tuple[int, int]]:
    """A closed outline, its longitudes kept continuous across the antimeridian (Russia's far east, Fiji):
    the part beyond it is drawn past the map's edge, where the frame cuts it off, not across the world."""
    points: list[tuple[int, int]] = []
    previous = None
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        for longitude, latitude in arc[1:] if points else arc:
            if previous is not None and abs(longitude - previous) > 180:
                longitude += 360 if previous > longitude else -360
            previous = longitude
            projected = project(longitude, latitude)
            if not points or points[-1] != projected:
                points.append(projected)
    return points


def area(points: list[tuple[int, int]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True))) / 2


def shape(geometry: dict, arcs) -> dict | None:
    """An SVG path in relative steps (short, and it compresses well) and the box around it."""
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    parts, everything = [], []
    for polygon in polygons:
        rings = [ring(indexes, arcs) for indexes in polygon]
        if not rings or area(rings[0]) < MIN_AREA:
            continue
        for points in rings:
            if len(points) >= 3:
                steps = " ".join(f"{x1 - x0} {y1 - y0}" for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False))
                parts.append(f"M{points[0][0]} {points[0][1]}l{steps}z")
                everything += points
    if not parts:
        return None
    xs, ys = [x for x, _ in everything], [y for _, y in everything]
    return {"d": "".join(parts), "box": [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]}


def alpha3_by_number() -> dict[int, str]:
    try:
        import country_converter
    except ImportError as error:
        raise CommandError("country_converter is a development package: pip install -r requirements-dev.txt") from error
    data = country_converter.CountryConverter().data
    return {int(row.ISOnumeric): row.ISO3 for row in data.itertuples() if str(row.ISOnumeric).isdigit()}


class Command(BaseCommand):
    help = "Refresh the regions map's country shapes from world-atlas's countries-110m.json (development only)."

    def add_arguments(self, parser):
        parser.add_argument("topojson", type=Path, help="countries-110m.json from the world-atlas package")

    def handle(self, *args, topojson: Path, **options):
        topology = json.loads(topojson.read_text(encoding="utf-8"))
        arcs, codes = decoded_arcs(topology), alpha3_by_number()
        countries = {}
        for geometry in topology["objects"]["countries"]["geometries"]:
            code = codes.get(int(geometry["id"])) if str(geometry.get("id", "")).isdigit() else None
            drawn = shape(geometry, arcs) if geometry.get("arcs") else None
            if code and code != "ATA" and drawn:  # Antarctica would take a fifth of the map and hold no briefing
                countries[code] = drawn
        height = round(2 * Y_MAX * SCALE)
        WORLD_MAP_FILE.write_text(
            json.dumps({"width": WIDTH, "height": height, "countries": dict(sorted(countries.items()))}) + "\n"
        )
        self.stdout.write(f"{len(countries)} countries written to {WORLD_MAP_FILE}")
