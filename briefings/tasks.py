"""Background work on the task queue (procrastinate, on this site's PostgreSQL): `manage.py procrastinate
worker` runs it, on as many machines as needed."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from procrastinate import JobContext, RetryStrategy, builtin_tasks
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from . import common_words, scopes
from .alerts import confirmation_token, scope_from
from .emails import absolute, message, reader_emails
from .models import Alert, Subscription
from .pdfs import render_pdf
from .publishing import alerts, cards, pages, pdfs

logger = logging.getLogger(__name__)

# Mail servers come back: a send waits 10 s, then longer, over about an hour before staff are told.
EMAIL_RETRIES = RetryStrategy(max_attempts=8, wait=10, exponential_wait=2)

# Each try waits longer than the one before: PDF_RETRY_WAIT + 3, + 9, + 27… seconds.
PDF_RETRIES = RetryStrategy(
    max_attempts=settings.PDF_MAX_ATTEMPTS - 1, wait=settings.PDF_RETRY_WAIT, exponential_wait=3
)


@app.task(name="make_pdf", queue="pdfs", retry=PDF_RETRIES, pass_context=True)
def make_pdf(context: JobContext, revision_id: int) -> None:
    """Render one published version and store its file; safe to run again (one name per version)."""
    if pdfs.start_making(revision_id) is None:
        return
    try:
        rendered = render_pdf(revision_id)
    except Exception as error:
        pdfs.record_failure(revision_id, error, will_retry=context.job.attempts + 1 < settings.PDF_MAX_ATTEMPTS)
        raise
    pdfs.store_pdf(revision_id, rendered)


def defer_pdf(revision_id: int, *, at: datetime | None = None) -> None:
    """Queue the version's PDF in the caller's transaction, unless a job for it is already waiting.

    Jobs for one version never run at once (their lock), so two workers cannot write the same file."""
    queueing_lock = f"pdf-{revision_id}"
    job = make_pdf.configure(lock=f"pdf-{revision_id}", queueing_lock=queueing_lock, schedule_at=at)
    try:
        with transaction.atomic():  # a savepoint: the refused duplicate must not end the caller's transaction
            job.defer(revision_id=revision_id)
    except AlreadyEnqueued:
        # The waiting job runs at the new time: a rescheduled briefing's file is made when it goes live.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE procrastinate_jobs SET scheduled_at = %s WHERE queueing_lock = %s AND status = 'todo'",
                [at, queueing_lock],
            )


@app.task(name="send_confirmation", queue="emails", retry=EMAIL_RETRIES)
def send_confirmation(address: str, scope: dict, frequency: str, language: str = settings.LANGUAGE_CODE) -> None:
    """The email that asks an address's owner to confirm the alerts someone asked for, in the language of
    the page they asked on (its link leads back to the site in it)."""
    with translation.override(language):
        chosen = scope_from(scope)  # named in the reader's language
        link = reverse("briefings:alert-confirm", args=[confirmation_token(address, chosen, frequency)])
        context = {
            "title": chosen.title,
            "frequency_label": Subscription.Frequency(frequency).label,
            "confirm_url": absolute(link),
        }
        subject = gettext("Confirm your email alerts: %(title)s") % {"title": chosen.title}
        message(to=address, subject=subject, template="confirm", context=context).send()


@app.task(name="match_change", queue="alerts", retry=EMAIL_RETRIES)
def match_change(change_id: int) -> None:
    """Match a change that went live to its readers (one alert each)."""
    alerts.match_change(change_id)


@app.task(name="send_alerts", queue="emails", retry=EMAIL_RETRIES, pass_context=True)
def send_alerts(context: JobContext, change_id: int | None = None, message_id: int | None = None) -> None:
    """The immediate alerts of a change or of a message from the editors."""
    source = {"change_id": change_id} if change_id else {"message_id": message_id}
    deliver(lambda: alerts.claim_immediate(source, context.job.id), last_try=is_last_try(context))


@app.periodic(cron=settings.ALERT_DIGEST_CRON["daily"], periodic_id="daily", task_kwargs={"frequency": "daily"})
@app.periodic(cron=settings.ALERT_DIGEST_CRON["weekly"], periodic_id="weekly", task_kwargs={"frequency": "weekly"})
@app.task(name="send_digests", queue="emails", retry=EMAIL_RETRIES, pass_context=True)
def send_digests(context: JobContext, timestamp: int, frequency: str) -> None:
    """Every reader's daily or weekly digest, when its time comes: one email each, however many lists."""
    deliver(lambda: alerts.claim_digests(frequency, context.job.id), last_try=is_last_try(context))


def is_last_try(context: JobContext) -> bool:
    return context.job.attempts + 1 > EMAIL_RETRIES.max_attempts


def deliver(claim: Callable[[], list[int]], *, last_try: bool) -> None:
    """Send what `claim` takes, batch after batch, each on one SMTP connection, each email's alerts
    marked sent as the server accepts it; a failure gives the rest back (or, at the last try, fails them)."""
    while ids := claim():
        try:
            with get_connection() as smtp:
                for sent, email in reader_emails(Alert.objects.filter(pk__in=ids)):
                    smtp.send_messages([email])
                    alerts.mark_sent(sent)
        except Exception as error:
            alerts.give_back(ids, error, last_try=last_try)
            if last_try:  # the desk sees them in the admin; this reaches whoever watches the logs
                logger.error("Email alerts failed after their last try (%d in this batch): %s", len(ids), error)
            raise


@app.periodic(cron="* * * * *")
@app.task(name="retry_stalled_jobs", queue="alerts", queueing_lock="retry_stalled_jobs")
async def retry_stalled_jobs(timestamp: int) -> None:
    """A worker that died (killed, its machine gone) left its jobs running: once its heartbeat is old
    enough, they are run again, and take back the alerts they held (see `publishing.alerts.waiting`)."""
    for job in await app.job_manager.get_stalled_jobs():
        await app.job_manager.retry_job(job)


@app.periodic(cron="*/10 * * * *")
@app.task(name="keep_cards", queue="cards", queueing_lock="keep_cards")
def keep_cards(timestamp: int | None = None) -> None:
    """Make the list cards a tag's new name or a new card format left missing (publishing.cards)."""
    made = cards.keep_missing()
    if made:
        logger.info("Made %d list cards.", made)


def defer_keep_cards() -> None:
    with contextlib.suppress(AlreadyEnqueued):  # the run already waiting makes them all
        keep_cards.defer()


PAGES_SECONDS = 60  # a run of `keep_pages` gives way to the other jobs after this, and is queued again
PAGES_PERIOD_SECONDS = 600


@app.periodic(cron="*/10 * * * *")
@app.task(name="keep_pages", queue="pages", queueing_lock="keep_pages")
def keep_pages(timestamp: int | None = None) -> None:
    """Make the pages made ahead of readers that are missing (publishing.pages): every ten minutes, after
    pages were forgotten, and again while some remain."""
    if timestamp is not None:  # a periodic run: briefings that went live since the last one, with a margin
        pages.forget_gone_live(datetime.fromtimestamp(timestamp - PAGES_PERIOD_SECONDS - 60, tz=UTC))
    if pages.keep(seconds=PAGES_SECONDS):
        defer_keep_pages()


def defer_keep_pages() -> None:
    with contextlib.suppress(AlreadyEnqueued):  # the run already waiting makes them all
        keep_pages.defer()


@app.task(name="forget_pages", queue="pages")
def forget_pages(changed: list[str]) -> None:
    """Forget the kept pages a change of public content made stale, then make them again."""
    if scopes.EVERYTHING not in changed:  # else every page is made again: see publishing.pages.missing
        pages.forget_changed(changed)
    defer_keep_pages()


@app.periodic(cron="30 3 * * *")
@app.task(name="forget_old_jobs", queue="alerts", queueing_lock="forget_old_jobs", pass_context=True)
async def forget_old_jobs(context: JobContext, timestamp: int) -> None:
    """The queue keeps a row per job run (one a minute for `retry_stalled_jobs` alone): those that
    succeeded go after a week. Failed ones stay for staff to read."""
    await builtin_tasks.remove_old_jobs(context, max_hours=7 * 24)


@app.periodic(cron="15 3 * * *")
@app.task(name="count_common_words", queue="pages", queueing_lock="count_common_words")
def count_common_words(timestamp: int | None = None) -> None:
    """Count the archive's words each night: those become common get their best matches kept."""
    kept, started = common_words.count_common_words()
    logger.info("%d common words kept, %d new.", kept, started)
