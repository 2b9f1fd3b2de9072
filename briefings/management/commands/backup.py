from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from briefings.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and every media file into a new folder, with a manifest of their digests."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            summary = backup(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up {summary.tables} tables and {summary.media_files} media files to {folder} "
            f"({filesizeformat(summary.size)}). Restore with: manage.py restore {folder}"
        )
