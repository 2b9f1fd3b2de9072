from django.db import migrations

IMMUTABLE_TABLES = [
    "briefings_revision",
    "briefings_revisiontheme",
    "briefings_revisionregion",
    "briefings_revisionauthor",
]

FUNCTION = """
CREATE FUNCTION briefings_refuse_revision_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'revisions are immutable: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def trigger_sql(table):
    return (
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION briefings_refuse_revision_change();"
    )


class Migration(migrations.Migration):
    dependencies = [("briefings", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION briefings_refuse_revision_change();"),
        *[
            migrations.RunSQL(trigger_sql(table), f"DROP TRIGGER {table}_immutable ON {table};")
            for table in IMMUTABLE_TABLES
        ],
    ]
