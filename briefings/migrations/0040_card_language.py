from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("briefings", "0039_search_configurations")]

    operations = [
        migrations.AddField(
            model_name="card",
            name="language",
            # Kept cards were made in the site's language; their format changes, so each is made again.
            field=models.CharField(default="en", help_text="The briefing's language, which the card speaks.", max_length=8),
            preserve_default=False,
        ),
    ]
