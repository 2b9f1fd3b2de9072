"""Search vectors compressed with LZ4 where the server has it.

Ranking reads each result's stored vector again (the index gives the order, the row's vector the
distance), and most of that cost is unpacking it: LZ4 does so about twice as fast as PostgreSQL's
default, pglz, in a little less space. Only vectors written from now on use it: each keeps the
compression it was written with, and `manage.py reindex` writes every one again, one briefing at a
time, while the site runs (rewriting them all here would hold the table for minutes on a large archive).
"""

from django.db import migrations

HAS_LZ4_SQL = "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"


def compress_with_lz4(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(HAS_LZ4_SQL)
        if cursor.fetchone() is not None:  # a server built without LZ4 keeps pglz
            cursor.execute("ALTER TABLE briefings_briefing ALTER COLUMN search_vector SET COMPRESSION lz4")


def compress_by_default(apps, schema_editor):
    schema_editor.execute("ALTER TABLE briefings_briefing ALTER COLUMN search_vector SET COMPRESSION DEFAULT")


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0033_common_words"),
    ]

    operations = [
        migrations.RunPython(compress_with_lz4, compress_by_default),
    ]
