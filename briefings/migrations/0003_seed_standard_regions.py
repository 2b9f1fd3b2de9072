from django.db import migrations


def seed(apps, schema_editor):
    from briefings.regions import seed_standard_regions

    seed_standard_regions(region_model=apps.get_model("briefings", "Region"))


class Migration(migrations.Migration):
    dependencies = [("briefings", "0002_immutable_revisions")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
