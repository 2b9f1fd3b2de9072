"""Email alerts on their way out: daily and weekly digests, and each email sent once when workers die
mid-batch or run side by side, against a real SMTP server on loopback and the queue's own workers."""

import asyncio
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from briefings.models import Alert, Subscriber, Subscription
from tests.alerts.mail import Inbox, follow, free_port
from tests.helpers import make_briefing, region, run_worker
from tests.servers import PROJECT, production_environment

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def send_digests(frequency: str) -> None:
    """What the worker does when the digest's time comes (the periodic job), now."""
    from briefings.tasks import send_digests

    send_digests.defer(frequency=frequency, timestamp=int(time.time()))
    run_worker()


def test_the_worker_sends_digests_at_the_configured_times_and_looks_after_the_queue(periodic_tasks, settings):
    crons = {key: task.cron for key, task in periodic_tasks.items()}
    assert crons == {
        ("send_digests", "daily"): "0 7 * * *", ("send_digests", "weekly"): "0 7 * * 1",
        ("retry_stalled_jobs", ""): "* * * * *", ("forget_old_jobs", ""): "30 3 * * *",
        ("keep_cards", ""): "*/10 * * * *", ("keep_pages", ""): "*/10 * * * *",
        ("count_common_words", ""): "15 3 * * *",
    }  # fmt: skip
    assert settings.ALERT_DIGEST_CRON == {"daily": "0 7 * * *", "weekly": "0 7 * * 1"}


def test_succeeded_jobs_are_forgotten_after_a_week_and_failed_ones_kept(inbox, space, settings):
    from procrastinate.contrib.django.models import ProcrastinateJob

    from briefings.tasks import forget_old_jobs

    follow("reader@example.org", theme="space")
    settings.EMAIL_PORT = free_port()  # nothing listens: this send fails
    make_briefing(title="Lunar ice", themes=[space], publish=True)
    run_worker()
    ProcrastinateJob.objects.filter(task_name="send_alerts").update(status="failed")
    with connection.cursor() as cursor:  # eight days on
        cursor.execute("UPDATE procrastinate_events SET at = at - interval '8 days'")
    forget_old_jobs.defer(timestamp=int(time.time()))
    run_worker()
    left = set(ProcrastinateJob.objects.values_list("task_name", "status"))
    assert left == {("send_alerts", "failed"), ("forget_old_jobs", "succeeded")}


def test_a_digest_gathers_a_readers_matches_across_lists_into_one_email_each_briefing_once(client, inbox, space):
    from briefings import publishing

    follow("digest@example.org", "daily", theme="space")
    follow("digest@example.org", "daily", region="japan")
    follow("weekly@example.org", "weekly", theme="space")
    tracked = make_briefing(
        title="Japan's satellites", standfirst="Tokyo shares what it sees.", themes=[space],
        regions=[region("Japan")], publish=True,
    )  # fmt: skip
    make_briefing(title="Lunar ice", regions=[region("Japan")], publish=True)  # for the second list only
    publishing.save_draft(tracked, content={"body": "Figure."}, by=None, base_revision=tracked.latest_revision_id)
    publishing.publish(tracked, by=None, change_kind="correction", note="The 2023 figure was wrong.")
    run_worker()
    assert inbox.messages == []  # digests wait for their time

    send_digests("daily")
    (digest,) = inbox.messages
    assert digest["To"] == "digest@example.org" and digest["Subject"] == "Daily digest from Briefings: 2 briefings"
    text = digest.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.count("Japan’s satellites") == 1 and text.count("Lunar ice") == 1
    assert "- New briefing\n- Correction: The 2023 figure was wrong.\n" in text
    assert f"https://briefings.example.org/briefings/{tracked.slug}/v/2/" in text  # the latest version
    assert "because you follow Space, Japan on Briefings" in text
    html = digest.get_body(("html",)).get_content()
    assert "<h2" in html and 'style="' in html

    send_digests("daily")
    assert len(inbox.messages) == 1  # nothing twice
    send_digests("weekly")
    assert [message["To"] for message in inbox.messages] == ["digest@example.org", "weekly@example.org"]
    assert inbox.messages[1]["Subject"] == "Weekly digest from Briefings: 1 briefing"

    unsubscribe = re.search(r"<https://briefings\.example\.org(/[^>]+)>", digest["List-Unsubscribe"]).group(1)
    assert "<strong>Space</strong> and <strong>Japan</strong>" in client.get(unsubscribe).text
    client.post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert not Subscriber.objects.filter(address="digest@example.org").exists()


def test_a_publication_nobody_follows_is_matched_without_an_error(space):
    from procrastinate.contrib.django.models import ProcrastinateJob

    from briefings.models import ContentChange

    assert ContentChange.objects.get().matched_at is not None  # `space` published one, with no list yet
    assert set(ProcrastinateJob.objects.values_list("task_name", "status")) == {
        ("make_pdf", "succeeded"), ("match_change", "succeeded"),
        ("forget_pages", "succeeded"), ("keep_pages", "succeeded"),  # its pages, made ahead of readers
    }  # fmt: skip


def test_removing_a_list_cancels_what_waits_for_its_digest(inbox, space):
    from briefings.publishing.alerts import unsubscribe

    kept = follow("reader@example.org", "weekly", region="japan")
    dropped = follow("reader@example.org", "daily", theme="space")
    make_briefing(title="Lunar ice", themes=[space], publish=True)
    run_worker()
    unsubscribe(dropped.pk)
    send_digests("daily")
    assert inbox.messages == [] and Subscription.objects.get() == kept


def followers(count: int, **scope) -> None:
    """Many readers of one list, written at once."""
    subscriber_list = follow("first@example.org", **scope).subscriber_list
    readers = Subscriber.objects.bulk_create(Subscriber(address=f"reader{n}@example.org") for n in range(1, count))
    Subscription.objects.bulk_create(
        Subscription(subscriber=reader, subscriber_list=subscriber_list) for reader in readers
    )


def worker_process(tmp_path, port: int, *options: str) -> subprocess.Popen:
    environment = production_environment(
        tmp_path, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), SITE_URL="https://briefings.example.org"
    )
    command = [sys.executable, "manage.py", "procrastinate", "worker", "--no-listen-notify", *options]
    return subprocess.Popen(command, cwd=PROJECT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class StallingInbox(Inbox):
    """Takes `before_stall` messages, then holds the next sender at RCPT until released."""

    def __init__(self, before_stall: int):
        super().__init__()
        self.before_stall = before_stall
        self.stalled = threading.Event()
        self.release = asyncio.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if len(self.messages) >= self.before_stall:
            self.stalled.set()
            await self.release.wait()
            return "451 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_worker_killed_mid_batch_and_started_again_sends_each_email_once(tmp_path, space, settings):
    from briefings.tasks import retry_stalled_jobs

    followers(5, theme="space")
    make_briefing(title="Lunar ice", themes=[space], publish=True)
    handler = StallingInbox(before_stall=2)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    worker = worker_process(tmp_path, controller.port)
    try:
        assert handler.stalled.wait(60), worker.stderr.read1().decode() if worker.poll() is not None else "no stall"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        controller.loop.call_soon_threadsafe(handler.release.set)
    statuses = Counter(Alert.objects.values_list("status", flat=True))
    assert statuses == {"sent": 2, "sending": 3}  # the batch it died holding

    with connection.cursor() as cursor:  # half a minute on: the dead worker's heartbeat is old
        cursor.execute("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute'")
    handler.before_stall = 100
    retry_stalled_jobs.defer(timestamp=int(time.time()))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        run_worker()  # the queue runs the dead worker's job again; it takes back what it held
    finally:
        controller.stop()
    sent_to = Counter(message["To"] for message in handler.messages)
    assert len(sent_to) == 5 and set(sent_to.values()) == {1}
    assert set(Alert.objects.values_list("status", flat=True)) == {"sent"}


def test_two_workers_sharing_one_changes_sending_send_each_email_once(tmp_path, inbox, space, settings, monkeypatch):
    from django.core.management import call_command
    from procrastinate.contrib.django.models import ProcrastinateJob

    monkeypatch.setattr("briefings.publishing.alerts.READERS_PER_SENDING_JOB", 100)
    followers(250, theme="space")
    make_briefing(title="Lunar ice", themes=[space], publish=True)
    call_command("procrastinate", "worker", "--one-shot", "--no-listen-notify", "--queues", "alerts", verbosity=0)
    assert ProcrastinateJob.objects.filter(task_name="send_alerts", status="todo").count() == 3  # one per 100
    workers = [worker_process(tmp_path, settings.EMAIL_PORT, "--one-shot") for _ in range(2)]
    for worker in workers:
        assert worker.wait(120) == 0, worker.stderr.read().decode()
    sent_to = Counter(message["To"] for message in inbox.messages)
    assert len(sent_to) == 250 and set(sent_to.values()) == {1}
    assert set(Alert.objects.values_list("status", flat=True)) == {"sent"}
