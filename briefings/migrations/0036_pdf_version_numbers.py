from django.db import migrations, models

# Each PDF's version number, copied from its version (a version's number never changes).
COPY_NUMBERS = """
    UPDATE briefings_versionpdf pdf SET number = revision.number
    FROM briefings_revision revision WHERE revision.id = pdf.revision_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0035_covering_indexes_for_pdf_sitemaps"),
    ]

    operations = [
        migrations.AddField(
            model_name="versionpdf",
            name="number",
            field=models.PositiveIntegerField(editable=False, help_text="The version's number, as in the file's address.", null=True),
        ),
        migrations.RunSQL(COPY_NUMBERS, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="versionpdf",
            name="number",
            field=models.PositiveIntegerField(editable=False, help_text="The version's number, as in the file's address."),
        ),
    ]
