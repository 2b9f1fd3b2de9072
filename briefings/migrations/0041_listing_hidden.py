import django.contrib.postgres.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("briefings", "0040_card_language")]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="hidden_in",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=8), blank=True, default=list, size=None
            ),
        ),
        migrations.AddField(
            model_name="listing",
            name="hidden_at",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.DateTimeField(), blank=True, default=list, size=None
            ),
        ),
        # Rows are also written in SQL (publishing.listings.rewrite_lists_and_tallies): shown to everyone.
        migrations.RunSQL(
            "ALTER TABLE briefings_listing ALTER hidden_in SET DEFAULT '{}', ALTER hidden_at SET DEFAULT '{}'",
            "ALTER TABLE briefings_listing ALTER hidden_in DROP DEFAULT, ALTER hidden_at DROP DEFAULT",
        ),
        # The rows counts take away for readers of a language: few, those of works with translations. Written
        # as the counts' statements write the condition, so that the planner sees they can use it.
        migrations.RunSQL(
            "CREATE INDEX listing_hidden ON briefings_listing (kind, tag) WHERE hidden_in <> '{}'",
            "DROP INDEX listing_hidden",
        ),
    ]
