from django.core.management.base import BaseCommand

from briefings import common_words


class Command(BaseCommand):
    help = (
        "Count how many briefings hold each word and keep the best matches of the common ones "
        "(run nightly by the task queue; run it after a large import)."
    )

    def handle(self, *args, **options):
        kept, started = common_words.count_common_words()
        self.stdout.write(f"{kept} common word(s) kept, {started} new.")
