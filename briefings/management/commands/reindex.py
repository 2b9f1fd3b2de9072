from django.core.management.base import BaseCommand
from django.db import transaction

from briefings import search
from briefings.models import Briefing


class Command(BaseCommand):
    help = "Rebuild the search document and snippet text of every listed briefing, e.g. after an upgrade."

    def handle(self, *args, **options):
        count = 0
        for briefing in Briefing.objects.listed().select_related("live_revision").iterator(chunk_size=200):
            with transaction.atomic():
                search.index_briefing(briefing)
            count += 1
        self.stdout.write(f"{count} briefing(s) indexed.")
