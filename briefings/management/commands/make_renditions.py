from django.core.management.base import BaseCommand

from briefings.images import make_renditions
from briefings.models import Briefing, Revision


class Command(BaseCommand):
    help = "Make the smaller copies of every hero image that lacks them (images stored before they existed)."

    def handle(self, *args, **options):
        names = set(Briefing.objects.exclude(hero_image="").values_list("hero_image", flat=True))
        names |= set(Revision.objects.exclude(hero_image="").values_list("hero_image", flat=True))
        for name in sorted(names):
            make_renditions(name)
        self.stdout.write(f"{len(names)} hero image(s) have their renditions.")
