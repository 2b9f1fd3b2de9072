from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from briefings.models.search import RUM_INDEX, has_rank_ordered_index

RUM_INDEX_DEFINITION = f"{RUM_INDEX} ON briefings_briefing USING rum (search_vector rum_tsvector_ops)"
# Built beside the GIN index while the site runs, which then goes: searches are never without an index.
STEPS = (
    "CREATE EXTENSION IF NOT EXISTS rum",
    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {RUM_INDEX_DEFINITION}",
    "DROP INDEX CONCURRENTLY IF EXISTS briefing_search_gin",
)


class Command(BaseCommand):
    help = (
        "Make the RUM search index, which orders matches by rank, on a site whose database was first "
        "migrated without the extension (it then has the slower GIN index); the site keeps running."
    )

    def handle(self, *args, **options):
        if has_rank_ordered_index():
            self.stdout.write("The search index is already RUM's.")
            return
        try:
            with connection.cursor() as cursor:
                for step in STEPS:
                    cursor.execute(step)
        except DatabaseError as error:
            raise CommandError(
                f"{error}\nInstall the extension for the server's major version (Debian: "
                "apt-get install postgresql-15-rum), as a role that may create extensions, and run this again."
            ) from error
        has_rank_ordered_index.cache_clear()
        self.stdout.write(
            "The search index is now RUM's. Restart the site's workers so that searches rank with it, "
            "then run count_common_words."
        )
