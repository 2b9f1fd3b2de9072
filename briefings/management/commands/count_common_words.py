from django.core.management.base import BaseCommand

from briefings import common_words
from briefings.models.search import has_rank_ordered_index


class Command(BaseCommand):
    help = (
        "Count how many briefings hold each word and keep the best matches of the common ones "
        "(run nightly by the task queue; run it after a large import)."
    )

    def handle(self, *args, **options):
        if not has_rank_ordered_index():
            self.stdout.write("The search index is not RUM's: searches rank every match, no word is kept.")
            return
        kept, started = common_words.count_common_words()
        self.stdout.write(f"{kept} common word(s) kept, {started} new.")
