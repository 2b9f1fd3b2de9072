"""A briefing read with its live version's themes, regions and byline in the same statement, as JSON,
kept on the version as prefetch_related would keep them: `revision.themes.all()` and `revision.authors`
then ask nothing more. Three prefetches would cost a reading page three statements and most of its ORM
time."""

from __future__ import annotations

from django.db import models
from django.db.models.expressions import RawSQL

from .revisions import RevisionAuthor
from .tags import Author, Region, Theme

# The themes, regions and byline (each line with its author) of the version
# `briefings_briefing.live_revision_id`, each row with all its columns, in the order their relations give.
TAGS_SQL = """jsonb_build_object(
    'themes', (SELECT COALESCE(jsonb_agg(to_jsonb(tag) ORDER BY tag.name), '[]') FROM briefings_theme tag
        JOIN briefings_revisiontheme link ON link.theme_id = tag.id
        WHERE link.revision_id = briefings_briefing.live_revision_id),
    'regions', (SELECT COALESCE(jsonb_agg(to_jsonb(tag) ORDER BY tag.name), '[]') FROM briefings_region tag
        JOIN briefings_revisionregion link ON link.region_id = tag.id
        WHERE link.revision_id = briefings_briefing.live_revision_id),
    'byline', (SELECT COALESCE(jsonb_agg(to_jsonb(line) || jsonb_build_object('author', to_jsonb(person))
        ORDER BY line.position), '[]') FROM briefings_revisionauthor line
        JOIN briefings_author person ON person.id = line.author_id
        WHERE line.revision_id = briefings_briefing.live_revision_id)
)"""


def tags_of_live_revision() -> RawSQL:
    """An annotation of briefings: their live version's tags (`TAGS_SQL`), which `WithLiveTags` keeps."""
    return RawSQL(TAGS_SQL, [], output_field=models.JSONField())


def instance(model: type[models.Model], row: dict, db: str) -> models.Model:
    fields = model._meta.concrete_fields
    return model.from_db(db, [field.attname for field in fields], [row[field.column] for field in fields])


def keep_prefetched(owner: models.Model, relation: str, objects: list[models.Model]) -> None:
    """Leave `owner.<relation>.all()` answering `objects` without a query, as prefetch_related does."""
    queryset = getattr(owner, relation).all()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    owner._prefetched_objects_cache = {**getattr(owner, "_prefetched_objects_cache", {}), relation: queryset}


def keep_tags(revision, tags: dict, db: str) -> None:
    """Keep on `revision` its tags as `TAGS_SQL` gives them."""
    keep_prefetched(revision, "themes", [instance(Theme, row, db) for row in tags["themes"]])
    keep_prefetched(revision, "regions", [instance(Region, row, db) for row in tags["regions"]])
    byline = []
    for row in tags["byline"]:
        line = instance(RevisionAuthor, row, db)
        line.author, line.revision = instance(Author, row["author"], db), revision
        byline.append(line)
    keep_prefetched(revision, "byline", byline)


class WithLiveTags(models.query.ModelIterable):
    """Briefings annotated with `live_tags=tags_of_live_revision()`, the tags kept on the live version."""

    def __iter__(self):
        db = self.queryset.db
        for briefing in super().__iter__():
            tags = briefing.__dict__.pop("live_tags")
            if briefing.live_revision is not None:  # a briefing never published has none
                keep_tags(briefing.live_revision, tags, db)
            yield briefing
