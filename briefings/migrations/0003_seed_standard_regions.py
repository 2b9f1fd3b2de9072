from django.db import migrations

from ._standard_regions import seed


class Migration(migrations.Migration):
    dependencies = [("briefings", "0002_immutable_revisions")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
