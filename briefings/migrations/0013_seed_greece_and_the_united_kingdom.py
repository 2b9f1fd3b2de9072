from django.db import migrations


def seed(apps, schema_editor):
    """Greece and the United Kingdom were left out of the first seeding (their codes came as patterns). An
    import may since have made either a grouping of that name: it becomes the country, tags kept."""
    from briefings.regions import seed_standard_regions

    seed_standard_regions(region_model=apps.get_model("briefings", "Region"))


class Migration(migrations.Migration):
    dependencies = [("briefings", "0012_briefing_listed_index")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
