from django.core.management.base import BaseCommand
from django.db import connection, transaction

from briefings import search
from briefings.models import Briefing
from briefings.models.search import RUM_INDEX, has_rank_ordered_index


class Command(BaseCommand):
    help = (
        "Rebuild the search document and snippet text of every listed briefing, e.g. after an upgrade, "
        "then the search index, while the site runs."
    )

    def handle(self, *args, **options):
        count = 0
        for briefing in Briefing.objects.listed().select_related("live_revision").iterator(chunk_size=200):
            with transaction.atomic():
                search.index_briefing(briefing)
            count += 1
        self.stdout.write(f"{count} briefing(s) indexed.")
        if has_rank_ordered_index():
            self.rebuild_rum_index()

    def rebuild_rum_index(self):
        # Rewriting every document can leave a word's list in the RUM index emptied by vacuum, and an
        # index scan for such a word ends the server process (postgrespro/rum issue 183). A rebuilt index
        # holds no emptied lists; built concurrently, searches and publishes go on meanwhile.
        with connection.cursor() as cursor:
            cursor.execute(f"REINDEX INDEX CONCURRENTLY {RUM_INDEX}")
        self.stdout.write("Search index rebuilt.")
