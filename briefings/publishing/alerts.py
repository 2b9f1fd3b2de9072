"""Readers' subscriptions to email alerts: made only from a confirmed link, changed or removed from the
signed page every email links to. An address with no subscription left is deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone, translation

from .. import languages, search
from ..alerts import TAGS, Scope
from ..models import Alert, Briefing, ContentChange, EditorMessage, Revision, Subscriber, SubscriberList, Subscription


def normal_address(address: str) -> str:
    """One spelling per address: mail systems treat case as the same mailbox."""
    return address.strip().lower()


def request_confirmation(address: str, scope: Scope, frequency: str) -> None:
    """Queue the email that asks the inbox's owner to confirm, in the caller's transaction. Nothing is
    stored until they do, so asking says nothing about whether the address is subscribed already."""
    from ..tasks import send_confirmation

    send_confirmation.defer(
        address=normal_address(address), scope=scope.query(), frequency=frequency, language=translation.get_language()
    )


@transaction.atomic
def subscribe(address: str, scope: Scope, frequency: str) -> Subscription:
    """A confirmed subscription: the list is made the first time anyone follows its scope; confirming
    again changes only the frequency. The reader's emails speak the language they confirmed in."""
    fields = {"kind": scope.kind, "title": scope.title, "search": scope.search}
    if scope.kind != SubscriberList.Kind.SEARCH:  # a search's filters are part of its words, not the list's tags
        fields |= scope.tags
    subscriber_list, _ = SubscriberList.objects.get_or_create(key=scope.key, defaults=fields)
    # Written, or locked if there, in one statement: removing the address's last list meanwhile waits and
    # then finds this one, or went first and this writes the address again.
    (subscriber,) = Subscriber.objects.bulk_create(
        [Subscriber(address=normal_address(address), language=translation.get_language())],
        update_conflicts=True, unique_fields=["address"], update_fields=["address", "language"],
    )  # fmt: skip
    subscription, created = Subscription.objects.select_for_update().get_or_create(
        subscriber=subscriber, subscriber_list=subscriber_list, defaults={"frequency": frequency}
    )
    if not created and subscription.frequency != frequency:
        subscription.frequency = frequency
        subscription.save(update_fields=["frequency"])
    return subscription


@transaction.atomic
def change_frequency(subscription_id: int, frequency: str) -> None:
    Subscription.objects.filter(pk=subscription_id).update(frequency=frequency)


# Writing alerts checks each reader's and subscription's row (their foreign keys), in an order of the
# database's choosing, so a reader leaving while alerts are written could deadlock with it. Readers
# leave between writings, which run side by side; a removal waits a second at most.
READERS_LOCK = 7_312_014  # a pg_advisory lock's key, used for nothing else


def readers_stay() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [READERS_LOCK])


def readers_may_leave() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [READERS_LOCK])


@transaction.atomic
def unsubscribe(*subscription_ids: int) -> None:
    """Remove subscriptions (one, or every list a digest gathered) at once; an address goes with its last."""
    readers_may_leave()
    chosen = list(Subscription.objects.select_for_update().filter(pk__in=subscription_ids).values_list(
        "pk", "subscriber_id"
    ))  # fmt: skip
    readers = {reader for _, reader in chosen}
    list(Subscriber.objects.select_for_update().filter(pk__in=readers))
    # What waits for a digest from these lists is no longer wanted either.
    removed = Subscription.objects.filter(pk__in=[pk for pk, _ in chosen])
    Alert.objects.filter(subscription__in=removed, status=Alert.Status.QUEUED).update(status=Alert.Status.CANCELLED)
    removed.delete()
    Subscriber.objects.filter(pk__in=readers, subscriptions=None).delete()


@transaction.atomic
def erase(address: str) -> int:
    """Every trace of an address, on its owner's request; returns how many subscriptions went."""
    readers_may_leave()
    subscriber = Subscriber.objects.filter(address=normal_address(address)).first()
    if subscriber is None:
        return 0
    count = subscriber.subscriptions.count()
    subscriber.delete()
    return count


# Readers hear about a change when it goes live: matched then, one alert per reader.


def announce(briefing: Briefing, revision: Revision, kind: str, *, note: str, at: datetime) -> ContentChange:
    """Record, in the publishing transaction, what followers will hear, and queue its matching for the
    moment it goes live: a rollback leaves neither, and a scheduled briefing alerts at its go-live."""
    from ..tasks import match_change

    change = ContentChange.objects.create(briefing=briefing, revision=revision, kind=kind, note=note, effective_at=at)
    match_change.configure(schedule_at=at if at > timezone.now() else None).defer(change_id=change.pk)
    return change


def cancel_announcements(briefing: Briefing) -> None:
    """An unpublished briefing's changes are no longer news: what was not sent is not sent."""
    now = timezone.now()
    ContentChange.objects.filter(briefing=briefing, matched_at=None, cancelled_at=None).update(cancelled_at=now)
    Alert.objects.filter(change__briefing=briefing, status=Alert.Status.QUEUED).update(status=Alert.Status.CANCELLED)


# When one reader's lists ask for the same change at different paces, the quickest wins.
QUICKEST_FIRST = Case(
    When(frequency=Subscription.Frequency.IMMEDIATELY, then=Value(0)),
    When(frequency=Subscription.Frequency.DAILY, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@transaction.atomic
def match_change(change_id: int) -> int:
    """Write one queued alert per reader following any list the change belongs to; returns how many.
    Running it twice writes nothing more (the change is marked matched, and alerts are unique)."""
    change = ContentChange.objects.select_for_update().filter(pk=change_id, matched_at=None, cancelled_at=None)
    change = change.select_related("revision").first()
    if change is None or not Briefing.objects.published().filter(pk=change.briefing_id).exists():
        return 0
    lists = [*SubscriberList.objects.matching_tags(change.revision).values_list("pk", flat=True)]
    lists += [found.pk for found in SubscriberList.objects.searches() if search_finds(found.search, change)]
    # Readers of each language hear of the briefing of the work they read (briefings.models.works.read_in).
    changed = Briefing.objects.filter(pk=change.briefing_id)
    readers = [language for language in languages.codes() if changed.read_in(language).exists()]
    matched = insert_alerts(lists, "change_id", change.pk, readers) if lists else 0
    change.matched_at = timezone.now()
    change.save(update_fields=["matched_at"])
    queue_sending(change_id=change.pk)
    return matched


@transaction.atomic
def send_message(message: EditorMessage) -> int:
    """Send a message from the editors to its list's readers, each at their own pace: stored and queued with
    its alerts in one transaction. Returns how many readers it goes to."""
    message.save()
    readers = insert_alerts([message.subscriber_list_id], "message_id", message.pk)
    queue_sending(message_id=message.pk)
    return readers


# A thousand readers or more keep a second worker busy: jobs that send one change claim from the same
# alerts, so several workers can share it.
READERS_PER_SENDING_JOB = 1000


def queue_sending(**source: int) -> None:
    """Queue the jobs that send a change's or a message's immediate alerts: one per thousand readers, up to
    ALERT_SENDING_JOBS, so that that many workers can send it side by side."""
    from ..tasks import send_alerts

    immediate = Alert.objects.filter(frequency=Subscription.Frequency.IMMEDIATELY, status=Alert.Status.QUEUED, **source)
    jobs = min(-(-immediate.count() // READERS_PER_SENDING_JOB), settings.ALERT_SENDING_JOBS)
    for _ in range(jobs):
        send_alerts.defer(**source)


@transaction.atomic
def send_again(alert_ids: list[int]) -> int:
    """Failed alerts go back in the queue: immediate ones now, the rest with their reader's next digest."""
    failed = Alert.objects.select_for_update().filter(pk__in=alert_ids, status=Alert.Status.FAILED)
    again = list(failed.values("pk", "change_id", "message_id", "frequency"))
    Alert.objects.filter(pk__in=[alert["pk"] for alert in again]).update(status=Alert.Status.QUEUED, attempts=0)
    for change_id, message_id in {(alert["change_id"], alert["message_id"]) for alert in again}:
        queue_sending(**({"change_id": change_id} if change_id else {"message_id": message_id}))
    return len(again)


def insert_alerts(lists: list[int], source: str, source_id: int, read_in: list[str] | None = None) -> int:
    """One alert per reader following any of the lists (and reading one of the languages `read_in`), at the
    quickest pace they chose, in one statement; `source` says whether it is about a change or a message."""
    assert source in ("change_id", "message_id")
    readers_stay()
    followers = Subscription.objects.filter(subscriber_list__in=lists)
    if read_in is not None:
        followers = followers.filter(subscriber__language__in=read_in)
    chosen = (
        followers.annotate(pace=QUICKEST_FIRST)
        .order_by("subscriber_id", "pace", "pk")
        .distinct("subscriber_id")
        .values("subscriber_id", "pk", "frequency")
    )
    sql, params = chosen.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO briefings_alert ({source}, subscriber_id, subscription_id, frequency, status, created_at, "
            "attempts, error) "
            f"SELECT %s, chosen.subscriber_id, chosen.pk, chosen.frequency, 'queued', now(), 0, '' FROM ({sql}) chosen "
            f"ON CONFLICT ({source}, subscriber_id) DO NOTHING",
            [source_id, *params],
        )
        return cursor.rowcount


def search_finds(saved: dict, change: ContentChange) -> bool:
    """Whether a followed search finds the changed briefing, with the search's own filters."""
    filters = {}
    for name, model in TAGS.items():
        if saved.get(name):
            filters[name] = model.objects.filter(slug=saved[name]).first()
            if filters[name] is None:
                return False  # the tag is gone, so nothing can match
    dates = [saved.get(name) for name in ("from", "to")]
    narrowing = search.Narrowing(filters, saved.get("year"), *dates, language=saved.get("language"))
    found = narrowing.of(search.matching(saved.get("q", ""), narrowing.reading))
    return found.filter(pk=change.briefing_id).exists()


# Sending: each alert is taken by one worker at a time and marked sent the moment the mail server takes it.
SEND_BATCH = 100  # readers sent to on one SMTP connection
CLAIM_LEASE = timedelta(minutes=10)  # a worker that died holding alerts gives them back after this


def waiting(now: datetime, job_id: int) -> Q:
    """Alerts no live worker holds: never taken, taken by this job in a run that died (the queue runs a dead
    worker's job again), or taken by a job that has not finished them within the lease."""
    held = Q(claimed_by=job_id) | Q(claimed_at__lt=now - CLAIM_LEASE)
    return Q(status=Alert.Status.QUEUED) | Q(held, status=Alert.Status.SENDING)


def claim_immediate(source: dict, job_id: int) -> list[int]:
    """Take the next waiting immediate alerts of a change or a message (`source`: its id by name), committed
    before any is sent, so two workers never take the same one."""
    now = timezone.now()
    with transaction.atomic():
        free = Alert.objects.select_for_update(skip_locked=True).filter(waiting(now, job_id), **source)
        ids = list(free.filter(frequency=Subscription.Frequency.IMMEDIATELY).order_by("pk")[:SEND_BATCH].values_list(
            "pk", flat=True
        ))  # fmt: skip
        return take(ids, now, job_id)


def claim_digests(frequency: str, job_id: int) -> list[int]:
    """Take every waiting alert of the next readers whose daily or weekly digest is due: a reader's digest
    is taken whole by one worker (their row is the lock), so it goes as one email, each change once."""
    now = timezone.now()
    with transaction.atomic():
        due = Alert.objects.filter(waiting(now, job_id), frequency=frequency)
        # NO KEY UPDATE: matching may go on adding alerts for a reader while their digest is taken.
        readers = Subscriber.objects.select_for_update(skip_locked=True, no_key=True)
        readers = readers.filter(Exists(due.filter(subscriber=OuterRef("pk")))).order_by("pk")[:SEND_BATCH]
        ids = list(due.filter(subscriber__in=list(readers.values_list("pk", flat=True))).values_list("pk", flat=True))
        return take(ids, now, job_id)


def take(ids: list[int], now: datetime, job_id: int) -> list[int]:
    Alert.objects.filter(pk__in=ids).update(
        status=Alert.Status.SENDING, claimed_at=now, claimed_by=job_id, attempts=F("attempts") + 1
    )
    return ids


def mark_sent(alert_ids: list[int]) -> None:
    Alert.objects.filter(pk__in=alert_ids, status=Alert.Status.SENDING).update(
        status=Alert.Status.SENT, sent_at=timezone.now(), error=""
    )


def give_back(alert_ids: list[int], error: BaseException, *, last_try: bool) -> None:
    """Alerts a failed send left unsent wait for the next try, or, after the last, show staff the error."""
    Alert.objects.filter(pk__in=alert_ids, status=Alert.Status.SENDING).update(
        status=Alert.Status.FAILED if last_try else Alert.Status.QUEUED, error=f"{type(error).__name__}: {error}"[:2000]
    )
