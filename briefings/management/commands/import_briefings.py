from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from tqdm import tqdm

from briefings.interchange import BriefingFileError, WaitsForOriginal, import_briefing_file


class Command(BaseCommand):
    help = "Import a folder of briefing files (Markdown with YAML front matter), one transaction per file."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--publish", action="store_true", help="Publish what is imported (default: drafts).")

    def handle(self, *args, folder: Path, publish: bool, **options):
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        files = sorted(folder.glob("*.md"))
        if not files:
            raise CommandError(f"No .md files in {folder}.")
        counts = {"created": 0, "updated": 0, "unchanged": 0, "refused": 0}
        progress = tqdm(files, unit="file", desc="Importing", disable=None, file=self.stderr._out)
        waiting = [path for path in progress if not self.import_file(path, publish, counts, progress, may_wait=True)]
        for path in waiting:  # translations whose originals came later in the folder
            self.import_file(path, publish, counts, progress, may_wait=False)
        state = "published" if publish else "as drafts"
        self.stdout.write(
            f"{len(files)} files: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged ({state}), {counts['refused']} refused."
        )
        if counts["refused"]:
            raise CommandError(f"{counts['refused']} of {len(files)} files were refused; nothing of them was written.")

    def import_file(self, path: Path, publish: bool, counts: dict, progress, *, may_wait: bool) -> bool:
        """Import one file and count what it did; False if it is a translation to try again later."""
        try:
            result = import_briefing_file(path, publish=publish)
        except BriefingFileError as error:
            if may_wait and isinstance(error, WaitsForOriginal):
                return False
            counts["refused"] += 1
            progress.write(f"refused {path.name}: {error}", file=self.stderr._out)
            return True
        except DatabaseError as error:
            done = counts["created"] + counts["updated"] + counts["unchanged"]
            raise CommandError(
                f"The database failed while importing {path.name}; nothing of that file was written, "
                f"{done} file(s) before it were. Run the import again once it is back. ({error})".strip()
            ) from error
        counts[result.outcome] += 1
        if result.dropped_markup:
            dropped = "; ".join(result.dropped_markup)
            progress.write(f"warning {path.name}: the public page leaves out {dropped}", file=self.stderr._out)
        return True
