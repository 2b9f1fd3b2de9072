from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("briefings", "0042_translated_tag_names")]

    operations = [
        migrations.AddField(
            model_name="subscriber",
            name="language",
            field=models.CharField(
                default="en",
                help_text="The language of the site they confirmed in, which their emails speak.",
                max_length=8,
            ),
        ),
    ]
