"""A briefing read with its live version's themes, regions and byline, and its public history, in the same
statement, as JSON. The tags are kept on the version as prefetch_related would keep them:
`revision.themes.all()` and `revision.authors` then ask nothing more. Three prefetches and a query for the
history would cost a reading page four statements and most of its ORM time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models.expressions import RawSQL

from .revisions import Revision, RevisionAuthor
from .tags import Author, Region, Theme
from .workflow import PUBLIC_LOG

if TYPE_CHECKING:
    from .audit import StateChange

# The themes, regions and byline (each line with its author) of the version `{revision}` (a column), each
# row with all its columns, in the order their relations give.
TAGS_SQL = """jsonb_build_object(
    'themes', (SELECT COALESCE(jsonb_agg(to_jsonb(tag) ORDER BY tag.name), '[]') FROM briefings_theme tag
        JOIN briefings_revisiontheme link ON link.theme_id = tag.id
        WHERE link.revision_id = {revision}),
    'regions', (SELECT COALESCE(jsonb_agg(to_jsonb(tag) ORDER BY tag.name), '[]') FROM briefings_region tag
        JOIN briefings_revisionregion link ON link.region_id = tag.id
        WHERE link.revision_id = {revision}),
    'byline', (SELECT COALESCE(jsonb_agg(to_jsonb(line) || jsonb_build_object('author', to_jsonb(person))
        ORDER BY line.position), '[]') FROM briefings_revisionauthor line
        JOIN briefings_author person ON person.id = line.author_id
        WHERE line.revision_id = {revision})
)"""


# The briefing's publications and its withdrawal (the actions given), oldest first, each with all its
# columns and its version's number.
HISTORY_SQL = """(SELECT COALESCE(jsonb_agg(to_jsonb(change) || jsonb_build_object('number', version.number)
        ORDER BY change.effective_at, change.id), '[]')
    FROM briefings_statechange change LEFT JOIN briefings_revision version ON version.id = change.revision_id
    WHERE change.briefing_id = briefings_briefing.id AND change.action = ANY(%s))"""


def tags_of_live_revision() -> RawSQL:
    """An annotation of briefings: their live version's tags (`TAGS_SQL`), which `WithLiveTags` keeps."""
    return RawSQL(TAGS_SQL.format(revision="briefings_briefing.live_revision_id"), [], output_field=models.JSONField())


def tags_of_revision() -> RawSQL:
    """An annotation of versions: their tags (`TAGS_SQL`), which `WithTags` keeps."""
    return RawSQL(TAGS_SQL.format(revision="briefings_revision.id"), [], output_field=models.JSONField())


def public_history() -> RawSQL:
    """An annotation of briefings: what their readers are shown of their history (`HISTORY_SQL`), which
    `WithLiveTags` keeps as `public_history`."""
    return RawSQL(HISTORY_SQL, [PUBLIC_LOG], output_field=models.JSONField())


def instance(model: type[models.Model], row: dict, db: str) -> models.Model:
    """`model` from a row that went through JSON: its dates and times come back as text."""
    values = []
    for field in model._meta.concrete_fields:
        value = row[field.column]
        values.append(field.to_python(value) if isinstance(field, models.DateTimeField) else value)
    return model.from_db(db, [field.attname for field in model._meta.concrete_fields], values)


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


def history_of(briefing, rows: list[dict], db: str) -> list[StateChange]:
    """The state changes `HISTORY_SQL` gives, each with its version: only its number, and the briefing
    for its address."""
    from .audit import StateChange  # which imports the briefings, which use this module

    history = []
    for row in rows:
        change = instance(StateChange, row, db)
        if change.revision_id is not None:
            change.revision = Revision.from_db(db, ["id", "number"], [change.revision_id, row["number"]])
            change.revision.briefing = briefing
        history.append(change)
    return history


class WithLiveTags(models.query.ModelIterable):
    """Briefings annotated with `live_tags=tags_of_live_revision()`, the tags kept on the live version, and
    perhaps `public_history=public_history()`, kept as a list of state changes."""

    def __iter__(self):
        db = self.queryset.db
        for briefing in super().__iter__():
            tags = briefing.__dict__.pop("live_tags")
            if briefing.live_revision is not None:  # a briefing never published has none
                keep_tags(briefing.live_revision, tags, db)
            if "public_history" in briefing.__dict__:
                briefing.public_history = history_of(briefing, briefing.public_history, db)
            yield briefing


class WithTags(models.query.ModelIterable):
    """Versions annotated with `tags=tags_of_revision()`, kept on each."""

    def __iter__(self):
        for revision in super().__iter__():
            keep_tags(revision, revision.__dict__.pop("tags"), self.queryset.db)
            yield revision
