from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("briefings", "0041_listing_hidden")]

    operations = [
        migrations.AddField(
            model_name=model,
            name="translated_names",
            field=models.JSONField(
                blank=True, default=dict, help_text="The name in each other language of the site, by ISO 639-1 code."
            ),
        )
        for model in ("theme", "region")
    ]
