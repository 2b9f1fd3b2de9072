"""The regions map: country shapes from Natural Earth, drawn as a server-rendered SVG, each country with
published briefings a link to its page, shaded by how many there are."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WORLD_MAP_FILE = Path(__file__).parent / "world_map.json"
WIDTH = 1000
SHADES = 5  # classes of the choropleth, lightest to darkest


@cache
def world() -> dict:
    return json.loads(WORLD_MAP_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class MapCountry:
    path: str
    name: str = ""
    url: str = ""
    count: int = 0
    shade: int = 0  # 0 for a country without briefings, else 1 to SHADES


@dataclass(frozen=True)
class WorldMap:
    view_box: str
    countries: list[MapCountry]

    @property
    def linked(self) -> list[MapCountry]:
        return [country for country in self.countries if country.url]


def shade(count: int, most: int) -> int:
    """Classes on a logarithmic scale, so that one busy country does not leave the others all pale."""
    if not count:
        return 0
    return 1 + min(SHADES - 1, int(SHADES * math.log1p(count) / math.log1p(max(most, 1)) - 1e-9))


def world_map(counts, *, around=None) -> WorldMap:
    """The map of `counts` (RegionCount of countries), or of the part of the world around the alpha-3
    codes in `around`, with every country drawn and those holding briefings linked and shaded."""
    data = world()
    by_code = {item.region.alpha3: item for item in counts if item.region.alpha3}
    most = max((item.count for item in by_code.values()), default=0)
    view_box = f"0 0 {data['width']} {data['height']}"
    shapes = data["countries"]
    if around:
        box = enclosing([shapes[code]["box"] for code in around if code in shapes])
        if box:
            view_box = " ".join(str(value) for value in box)
            shapes = {code: drawn for code, drawn in shapes.items() if overlaps(drawn["box"], box)}
    countries = []
    for code, drawn in shapes.items():
        path = drawn["d"]
        item = by_code.get(code)
        if item is None:
            countries.append(MapCountry(path))
        else:
            url = item.region.get_absolute_url()
            countries.append(MapCountry(path, item.region.local_name, url, item.count, shade(item.count, most)))
    return WorldMap(view_box, countries)


def enclosing(boxes: list[list[int]], margin: int = 30) -> tuple[int, int, int, int] | None:
    """x, y, width and height of the box around the boxes, with a margin, at least 2:1 wide."""
    if not boxes:
        return None
    left, top = min(b[0] for b in boxes) - margin, min(b[1] for b in boxes) - margin
    right, bottom = max(b[0] + b[2] for b in boxes) + margin, max(b[1] + b[3] for b in boxes) + margin
    width, height = right - left, bottom - top
    if width < 2 * height:
        left, width = left - (2 * height - width) // 2, 2 * height
    return left, top, width, height


def overlaps(a, b) -> bool:
    return bool(a) and a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
