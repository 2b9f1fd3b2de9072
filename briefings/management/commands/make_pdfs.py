import time
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from briefings.models import Revision, VersionPdf
from briefings.publishing.pdfs import request_pdf

BATCH = 500
WAIT_POLL_SECONDS = 1


class Command(BaseCommand):
    help = (
        "Queue the PDFs of published versions for the workers to make: every one (--all, after a change to the "
        "PDF template), those without a file (--missing, for an archive published before PDFs), or those of "
        "the briefings named. With --wait, follow the workers until they are done."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="every published version")
        which.add_argument("--missing", action="store_true", help="published versions that have no file")
        which.add_argument("slugs", nargs="*", default=[], metavar="SLUG", help="the briefings' published versions")
        parser.add_argument("--wait", action="store_true", help="show the workers' progress until they finish")

    def handle(self, *args, all: bool, missing: bool, slugs: list[str], wait: bool, **options):
        versions = Revision.objects.published_versions().select_related("briefing").order_by("pk")
        if missing:
            versions = versions.without_pdf()
        elif slugs:
            versions = versions.filter(briefing__slug__in=slugs)
            unknown = set(slugs) - set(versions.values_list("briefing__slug", flat=True))
            if unknown:
                raise CommandError(f"No published briefing at: {', '.join(sorted(unknown))}")
        ids = list(versions.values_list("pk", flat=True))
        since = timezone.now()
        with tqdm(total=len(ids), unit="PDF", desc="Queued", disable=None) as bar:
            for start in range(0, len(ids), BATCH):
                with transaction.atomic():
                    for revision in versions.filter(pk__in=ids[start : start + BATCH]):
                        request_pdf(revision)
                        bar.update()
        self.stdout.write(f"{len(ids)} PDF(s) queued; `manage.py procrastinate worker` makes them.")
        if wait and ids:
            self.follow(ids, since)

    def follow(self, ids: list[int], since: datetime) -> None:
        pdfs = VersionPdf.objects.filter(revision__in=ids)
        with tqdm(total=len(ids), unit="PDF", desc="Made", disable=None) as bar:
            while True:
                done = pdfs.filter(made_at__gte=since).count() + pdfs.failed().count()
                bar.update(done - bar.n)
                if done >= len(ids):
                    break
                time.sleep(WAIT_POLL_SECONDS)
        failed = pdfs.failed().count()
        self.stdout.write(f"{len(ids) - failed} made, {failed} failed (see Version PDFs in the admin).")
