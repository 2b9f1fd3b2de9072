"""Search vectors compressed with LZ4 where the server has it.

Ranking reads each result's stored vector again (the index gives the order, the row's vector the
distance), and most of that cost is unpacking it: LZ4 does so about twice as fast as PostgreSQL's
default, pglz, in a little less space. A value keeps the compression it was written with, so each is
written again, with the search index dropped meanwhile and made again after (maintaining it row by row
would take far longer on a large archive).
"""

from django.db import migrations

HAS_LZ4_SQL = "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
SEARCH_INDEXES_SQL = """
    SELECT indexname, indexdef FROM pg_indexes
    WHERE tablename = 'briefings_briefing' AND indexname IN ('briefing_search_rum', 'briefing_search_gin')
"""
REWRITE_SQL = """
    UPDATE briefings_briefing SET search_vector = search_vector || ''::tsvector
    WHERE pg_column_compression(search_vector) = 'pglz'
"""


def compress_with_lz4(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(HAS_LZ4_SQL)
        if cursor.fetchone() is None:  # a server built without LZ4 keeps pglz
            return
        cursor.execute("ALTER TABLE briefings_briefing ALTER COLUMN search_vector SET COMPRESSION lz4")
        cursor.execute(SEARCH_INDEXES_SQL)
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(REWRITE_SQL)
        for _, definition in indexes:
            cursor.execute(definition)


def compress_by_default(apps, schema_editor):
    schema_editor.execute("ALTER TABLE briefings_briefing ALTER COLUMN search_vector SET COMPRESSION DEFAULT")


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0033_common_words"),
    ]

    operations = [
        migrations.RunPython(compress_with_lz4, compress_by_default),
    ]
