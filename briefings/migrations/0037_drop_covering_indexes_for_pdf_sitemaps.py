from django.contrib.postgres.operations import RemoveIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False  # dropped while the site runs: a large archive's tables are never held

    dependencies = [
        ("briefings", "0036_pdf_version_numbers"),
    ]

    operations = [
        RemoveIndexConcurrently(model_name="revision", name="revision_number"),
        RemoveIndexConcurrently(model_name="versionpdf", name="pdf_ready"),
    ]
