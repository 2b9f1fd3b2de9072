from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from multiprocessing import get_context

import django
from django.core.management.base import BaseCommand
from tqdm import tqdm

CHUNK = 20  # briefings a process makes at a time


def make_chunk(briefing_ids: list[int]) -> int:
    from briefings.publishing.pages import make_briefings  # in a process of its own, set up by `django.setup`

    return make_briefings(briefing_ids)


class Command(BaseCommand):
    help = (
        "Make every list, briefing and version page not yet kept for readers (after a deploy, or for an "
        "archive imported before pages were made ahead). The task queue does the same a batch at a time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=1, help="pages made at once (one per core)")

    def handle(self, *args, processes: int, **options):
        from briefings.publishing.pages import forget_other_releases, make, missing, missing_lists

        forget_other_releases()
        made = make(missing_lists())
        waiting, before = [], None
        while batch := missing(before):
            waiting += batch
            before = batch[-1]
        chunks = [waiting[start : start + CHUNK] for start in range(0, len(waiting), CHUNK)]
        with ExitStack() as stack:
            bar = stack.enter_context(tqdm(total=len(waiting), unit="briefing", desc="Made", disable=None))
            if processes > 1:
                context = get_context("spawn")  # a fork would share this process's connections
                pool = stack.enter_context(ProcessPoolExecutor(processes, context, initializer=django.setup))
                counts = pool.map(make_chunk, chunks)
            else:
                counts = map(make_chunk, chunks)
            for chunk, count in zip(chunks, counts, strict=True):
                made += count
                bar.update(len(chunk))
        self.stdout.write(f"{made} page(s) made, of lists and of {len(waiting)} briefing(s).")
