"""The themes and the region tree as the list pages read them: once per process, kept until an editor
changes a tag (briefings.freshness.kept_until_tags_change), so that a page rendered after a publish
asks the database only for what the publish can change.

What is kept is shared by every request of the process: callers read it and never change it.
"""

from __future__ import annotations

import copy
from collections import defaultdict

from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404

from .freshness import kept_until_tags_change
from .models import Region, Tally, Theme
from .models.listings import List
from .snippets import unaccented


class RegionTree:
    """Every region, each with `parent_ids` (the regions it lies directly inside, by name), in name order."""

    def __init__(self, regions: list[Region]):
        self.by_id = {region.pk: region for region in regions}
        self.by_slug = {region.slug: region for region in regions}
        self.children: dict[int, list[int]] = defaultdict(list)
        for region in regions:
            for parent_id in region.parent_ids:
                self.children[parent_id].append(region.pk)

    def below(self, region: Region) -> list[Region]:
        """The region and every region nested below it, through any of its groupings."""
        return self.walk(region, lambda current: self.children.get(current.pk, ()))

    def above(self, region: Region) -> list[Region]:
        """The region and every region it lies inside, through any grouping."""
        return self.walk(region, lambda current: current.parent_ids)

    def walk(self, start: Region, next_ids) -> list[Region]:
        seen, waiting = {start.pk}, [start]
        while waiting:
            for pk in next_ids(waiting.pop()):
                if pk not in seen and pk in self.by_id:  # `seen` ends the walk even if a cycle slipped in
                    seen.add(pk)
                    waiting.append(self.by_id[pk])
        return [region for pk, region in self.by_id.items() if pk in seen]


@kept_until_tags_change
def region_tree() -> RegionTree:
    return RegionTree(list(Region.objects.with_parent_ids().order_by("name")))


@kept_until_tags_change
def themes() -> dict[str, Theme]:
    """Every theme by slug, in name order."""
    return {theme.slug: theme for theme in Theme.objects.all()}


def themes_counted(within: List | None = None) -> list[Theme]:
    """The themes some listed briefing carries (or some of the list `within`), in name order, each a copy
    with its `briefing_count`."""
    return themes_among(Tally.objects.counts(Theme.list_kind, within))


def alphabetical(name: str) -> str:
    """A name's place in alphabetical order in any of the site's languages: accents and case aside
    (Économie between Défense and Espace)."""
    return unaccented(name).casefold()


def themes_among(counts: dict[int, int]) -> list[Theme]:
    """The themes among `counts` (by theme id), in the order of their names in the interface's language, each a
    copy with its `briefing_count`."""
    counted = []
    for theme in themes().values():
        if theme.pk in counts:
            counted.append(copy.copy(theme))
            counted[-1].briefing_count = counts[theme.pk]
    return sorted(counted, key=lambda theme: alphabetical(theme.local_name))


def tag_or_404(model: type[models.Model], slug: str):
    """The tag of `model` (a theme, region, author or series) at `slug`: themes and regions as kept."""
    if model not in (Theme, Region):
        return get_object_or_404(model, slug=slug)
    found = (themes() if model is Theme else region_tree().by_slug).get(slug)
    if found is None:
        raise Http404(f"No {model._meta.verbose_name} at this address.")
    return found
