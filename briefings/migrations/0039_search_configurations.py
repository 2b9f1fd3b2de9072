"""A text search configuration for each language with a Snowball stemmer, and one for the others, each
ignoring accents as briefings_english does: briefings are indexed and searched in their own language."""

from django.db import migrations

STEMMERS = [
    "danish", "dutch", "finnish", "french", "german", "hungarian", "italian", "norwegian", "portuguese",
    "romanian", "russian", "spanish", "swedish", "turkish",
]  # fmt: skip


def configuration(stemmer: str) -> str:
    return f"""
        CREATE TEXT SEARCH CONFIGURATION briefings_{stemmer} (COPY = {stemmer});
        ALTER TEXT SEARCH CONFIGURATION briefings_{stemmer}
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stemmer}_stem;
    """


SIMPLE = """
    CREATE TEXT SEARCH CONFIGURATION briefings_simple (COPY = simple);
    ALTER TEXT SEARCH CONFIGURATION briefings_simple
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
"""


class Migration(migrations.Migration):
    dependencies = [("briefings", "0038_translations")]

    operations = [
        *(
            migrations.RunSQL(configuration(stemmer), f"DROP TEXT SEARCH CONFIGURATION briefings_{stemmer}")
            for stemmer in STEMMERS
        ),
        migrations.RunSQL(SIMPLE, "DROP TEXT SEARCH CONFIGURATION briefings_simple"),
    ]
