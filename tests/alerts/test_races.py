"""Email alerts' writes meeting on two real connections, in both orders: a reader leaving while a change
is matched to readers, and an unpublication meeting the matching of its briefing's change."""

import pytest

from briefings import publishing
from briefings.models import Alert, ContentChange, Subscription
from briefings.publishing import alerts
from tests.alerts.mail import follow
from tests.concurrency import meet_at_the_lock
from tests.helpers import make_briefing

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("first", ["leaving", "matching"])
def test_a_reader_leaving_while_a_change_is_matched_gets_nothing_and_the_matching_completes(space, first):
    leaving = follow("leaving@example.org", theme="space")
    follow("staying@example.org", theme="space")
    briefing = make_briefing(title="Lunar ice", themes=[space], publish=True)
    change = ContentChange.objects.get(briefing=briefing)
    actions = {"leaving": lambda: alerts.unsubscribe(leaving.pk), "matching": lambda: alerts.match_change(change.pk)}
    order = [first, *(name for name in actions if name != first)]
    held = Subscription.objects.filter(pk=leaving.pk)
    results = meet_at_the_lock(briefing, *(actions[name] for name in order), row=held)
    assert results[order.index("matching")] >= 1
    addresses = set(Alert.objects.exclude(status="cancelled").values_list("subscriber__address", flat=True))
    assert addresses == {"staying@example.org"}


@pytest.mark.parametrize("first", ["unpublishing", "matching"])
def test_an_unpublication_meeting_the_matching_of_its_change_leaves_nothing_to_send(space, first):
    follow("reader@example.org", theme="space")
    briefing = make_briefing(title="Lunar ice", themes=[space], publish=True)
    change = ContentChange.objects.get(briefing=briefing)
    actions = {
        "unpublishing": lambda: publishing.unpublish(briefing, by=None),
        "matching": lambda: alerts.match_change(change.pk),
    }
    order = [first, *(name for name in actions if name != first)]
    meet_at_the_lock(briefing, *(actions[name] for name in order), row=ContentChange.objects.filter(pk=change.pk))
    assert not Alert.objects.filter(status__in=["queued", "sending", "sent"]).exists()


@pytest.mark.parametrize("first", ["leaving", "confirming"])
def test_a_reader_confirming_a_list_as_they_leave_their_last_one_keeps_the_new_one(space, first):
    from briefings.alerts import scope_from
    from briefings.models import Subscriber

    old = follow("reader@example.org", region="japan")
    actions = {
        "leaving": lambda: alerts.unsubscribe(old.pk),
        "confirming": lambda: alerts.subscribe("reader@example.org", scope_from({"theme": "space"}), "daily"),
    }
    order = [first, *(name for name in actions if name != first)]
    held = Subscriber.objects.filter(pk=old.subscriber_id)
    meet_at_the_lock(None, *(actions[name] for name in order), row=held)
    followed = Subscription.objects.values_list("subscriber__address", "subscriber_list__title")
    assert list(followed) == [("reader@example.org", "Space")]
