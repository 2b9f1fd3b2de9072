"""A feed's entries: briefings with their live version's text and PDF and the names of its tags, in one
statement written out. Composed by the ORM (two joins, three array subqueries, a list of fields), the
statement cost a feed more time than PostgreSQL took to answer it."""

from __future__ import annotations

from django.db import connections

from .briefings import Briefing
from .pdfs import VersionPdf
from .revisions import Revision

FEED_ENTRIES_SQL = """
    SELECT briefing.id, briefing.slug, briefing.published_at, briefing.updated_at, briefing.withdrawn_at,
        briefing.live_revision_id,
        version.id, version.title, version.standfirst, version.briefing_id, version.number, version.body_html,
        pdf.id, pdf.revision_id, pdf.status, pdf.size, pdf.marks_withdrawal,
        ARRAY(SELECT theme.name FROM briefings_revisiontheme link
            JOIN briefings_theme theme ON theme.id = link.theme_id
            WHERE link.revision_id = version.id ORDER BY theme.name),
        -- each region's name looked up by its key: joined, the planner read every region for each entry
        ARRAY(SELECT (SELECT region.name FROM briefings_region region WHERE region.id = link.region_id) AS name
            FROM briefings_revisionregion link WHERE link.revision_id = version.id ORDER BY name),
        ARRAY(SELECT person.name FROM briefings_revisionauthor line
            JOIN briefings_author person ON person.id = line.author_id
            WHERE line.revision_id = version.id ORDER BY line.position)
    FROM briefings_briefing briefing
    JOIN briefings_revision version ON version.id = briefing.live_revision_id
    LEFT JOIN briefings_versionpdf pdf ON pdf.revision_id = version.id
    WHERE briefing.id = ANY(%s)
    ORDER BY briefing.published_at DESC, briefing.id DESC
"""
# Each model's columns in its fields' order, as Model.from_db takes them.
COLUMNS = [
    (Briefing, ["id", "slug", "published_at", "updated_at", "withdrawn_at", "live_revision_id"]),
    (Revision, ["id", "title", "standfirst", "briefing_id", "number", "body_html"]),
    (VersionPdf, ["id", "revision_id", "status", "size", "marks_withdrawal"]),
]


def feed_entries(ids: list[int], db: str = "default") -> list[Briefing]:
    """These briefings, newest first, each with its live version (and the version's PDF record, if any) and
    the names of its themes, regions and byline as `theme_names`, `region_names` and `author_names`."""
    if not ids:
        return []
    with connections[db].cursor() as cursor:
        cursor.execute(FEED_ENTRIES_SQL, [ids])
        rows = cursor.fetchall()
    return [entry(row, db) for row in rows]


def entry(row: tuple, db: str) -> Briefing:
    start, made = 0, []
    for model, columns in COLUMNS:
        values = row[start : start + len(columns)]
        made.append(model.from_db(db, columns, values) if values[0] is not None else None)
        start += len(columns)
    briefing, revision, pdf = made
    briefing.theme_names, briefing.region_names, briefing.author_names = row[start:]
    briefing.live_revision, revision.briefing = revision, briefing
    Revision.pdf.related.set_cached_value(revision, pdf)  # as select_related leaves it: no query, even for none
    return briefing
