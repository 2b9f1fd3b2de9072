"""Readers' subscriptions to email alerts: made only from a confirmed link, changed or removed from the
signed page every email links to. An address with no subscription left is deleted."""

from __future__ import annotations

from django.db import transaction

from ..alerts import Scope
from ..models import Subscriber, SubscriberList, Subscription


def normal_address(address: str) -> str:
    """One spelling per address: mail systems treat case as the same mailbox."""
    return address.strip().lower()


def request_confirmation(address: str, scope: Scope, frequency: str) -> None:
    """Queue the email that asks the inbox's owner to confirm, in the caller's transaction. Nothing is
    stored until they do, so asking says nothing about whether the address is subscribed already."""
    from ..tasks import send_confirmation

    send_confirmation.defer(address=normal_address(address), scope=scope.query(), frequency=frequency)


@transaction.atomic
def subscribe(address: str, scope: Scope, frequency: str) -> Subscription:
    """A confirmed subscription: the list is made the first time anyone follows its scope; confirming
    again changes only the frequency."""
    fields = {"kind": scope.kind, "title": scope.title, "search": scope.search}
    if scope.kind != SubscriberList.Kind.SEARCH:  # a search's filters are part of its words, not the list's tags
        fields |= scope.tags
    subscriber_list, _ = SubscriberList.objects.get_or_create(key=scope.key, defaults=fields)
    subscriber, _ = Subscriber.objects.get_or_create(address=normal_address(address))
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


@transaction.atomic
def unsubscribe(subscription_id: int) -> None:
    """Remove one subscription; the address goes with its last."""
    subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None:
        return
    subscriber = Subscriber.objects.select_for_update().get(pk=subscription.subscriber_id)
    subscription.delete()
    if not subscriber.subscriptions.exists():
        subscriber.delete()


@transaction.atomic
def erase(address: str) -> int:
    """Every trace of an address, on its owner's request; returns how many subscriptions went."""
    subscriber = Subscriber.objects.filter(address=normal_address(address)).first()
    if subscriber is None:
        return 0
    count = subscriber.subscriptions.count()
    subscriber.delete()
    return count
