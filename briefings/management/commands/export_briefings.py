from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from briefings.interchange import export_briefing, exportable_briefings


class Command(BaseCommand):
    help = "Export briefings as briefing files: each published briefing's live version, images beside them."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--drafts", action="store_true", help="Export every briefing's latest revision, published or not."
        )

    def handle(self, *args, folder: Path, drafts: bool, **options):
        folder.mkdir(parents=True, exist_ok=True)
        briefings = exportable_briefings(drafts=drafts)
        total = briefings.count()
        for briefing in tqdm(
            briefings.iterator(chunk_size=200),
            total=total,
            unit="file",
            desc="Exporting",
            disable=None,
            file=self.stderr._out,
        ):
            export_briefing(briefing, folder, drafts=drafts)
        self.stdout.write(f"Exported {total} briefings to {folder}.")
