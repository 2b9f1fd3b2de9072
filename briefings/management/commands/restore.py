from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from briefings.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a folder made by `manage.py backup`: every digest is checked first, then the database and media."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--replace", action="store_true", help="Replace what the database holds (default: it must be empty)."
        )

    def handle(self, *args, folder: Path, replace: bool, **options):
        try:
            summary = restore(folder, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {summary.tables} tables and {summary.media_files} media files from {folder}.")
