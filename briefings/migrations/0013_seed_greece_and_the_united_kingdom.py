from django.db import migrations

from ._standard_regions import seed


class Migration(migrations.Migration):
    """Greece and the United Kingdom were left out of the first seeding (their codes came as patterns). An
    import may since have made either a grouping of that name: it becomes the country, tags kept."""

    dependencies = [("briefings", "0012_briefing_listed_index")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
