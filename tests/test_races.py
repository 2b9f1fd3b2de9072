"""Editors acting at the same moment, each through the admin on a connection of their own.

Each test reproduces a reported race: a save that loaded the briefing before a publish committed
wrote the old state back, and two clicks on "Publish" published one revision twice.
"""

import pytest
from django.test import Client
from django.urls import reverse

from briefings.models import Briefing, StateChange
from tests.concurrency import meet_at_the_lock
from tests.helpers import edit, make_briefing, make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def saves(client: Client, briefing: Briefing, body: str):
    """The change form as the editor loaded it now, posted with new text."""
    data = {
        "title": briefing.title,
        "slug": briefing.slug,
        "standfirst": briefing.standfirst,
        "body": body,
        "language": "en",
        "update_note": briefing.update_note,
        "base_revision": str(briefing.latest_revision_id),
        "byline-TOTAL_FORMS": "0",
        "byline-INITIAL_FORMS": "0",
        "byline-MIN_NUM_FORMS": "0",
        "byline-MAX_NUM_FORMS": "1000",
    }
    return lambda: client.post(reverse("admin:briefings_briefing_change", args=[briefing.pk]), data)


def publishes(client: Client, briefing: Briefing, **form):
    """The publish page as the editor loaded it now, submitted."""
    data = {"revision": str(briefing.latest_revision_id), "note": "", **form}
    return lambda: client.post(reverse("admin:briefings_briefing_publish", args=[briefing.pk]), data)


@pytest.fixture
def editors():
    return logged_in(make_user("ana")), logged_in(make_user("ben"))


def publications(briefing: Briefing) -> list[StateChange]:
    return list(briefing.state_changes.filter(action=StateChange.Action.PUBLISHED))


@pytest.mark.parametrize("order", ["publish first", "save first"])
def test_a_save_racing_a_first_publication_leaves_state_and_audit_trail_agreeing(editors, client, order):
    ana, ben = editors
    briefing = make_briefing(title="Cable security", body="The reviewed text.")
    actions = {"save": saves(ben, briefing, "A later draft."), "publish": publishes(ana, briefing)}
    names = ["publish", "save"] if order == "publish first" else ["save", "publish"]
    results = dict(zip(names, meet_at_the_lock(briefing, *(actions[name] for name in names)), strict=True))

    briefing.refresh_from_db()
    assert results["save"].status_code == 302
    assert briefing.latest_revision.body == "A later draft."
    if order == "publish first":
        assert results["publish"].status_code == 302
        assert briefing.status == "published" and briefing.live_revision.body == "The reviewed text."
        assert len(publications(briefing)) == 1
    else:
        # The publisher reviewed revision 1; revision 2 came in first, so nothing unreviewed goes out.
        assert results["publish"].status_code == 200
        assert "was saved after you opened this page" in results["publish"].text
        assert briefing.status == "draft" and briefing.live_revision is None and publications(briefing) == []
        assert client.get(briefing.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("order", ["publish first", "save first"])
def test_a_save_racing_a_correction_never_undoes_it(editors, client, order):
    ana, ben = editors
    editor = make_user("cam")
    briefing = make_briefing(title="Cable security", body="Fleet of 12 ships.", publish=True, by=editor)
    original = briefing.live_revision
    briefing = edit(briefing, by=editor, body="Fleet of 21 ships.")
    correction = publishes(ana, briefing, change_kind="correction", note="The fleet has 21 ships, not 12.")
    actions = {"save": saves(ben, briefing, "Fleet of 21 ships. More analysis."), "publish": correction}
    names = ["publish", "save"] if order == "publish first" else ["save", "publish"]
    results = dict(zip(names, meet_at_the_lock(briefing, *(actions[name] for name in names)), strict=True))

    briefing.refresh_from_db()
    assert results["save"].status_code == 302
    assert briefing.status == "published" and briefing.latest_revision.body == "Fleet of 21 ships. More analysis."
    page = client.get(briefing.get_absolute_url()).text
    corrections = briefing.state_changes.filter(change_kind="correction")
    if order == "publish first":
        assert briefing.live_revision.body == "Fleet of 21 ships." and briefing.updated_at is not None
        assert "Fleet of 21 ships." in page and "The fleet has 21 ships, not 12." in page
        assert corrections.count() == 1
    else:
        assert "was saved after you opened this page" in results["publish"].text
        assert briefing.live_revision == original and briefing.updated_at is None
        assert "Fleet of 12 ships." in page and not corrections.exists()


def test_two_editors_publishing_the_same_correction_publish_it_once(editors):
    ana, ben = editors
    briefing = make_briefing(title="Cable security", body="Fleet of 12 ships.", publish=True)
    briefing = edit(briefing, body="Fleet of 21 ships.")
    note = {"change_kind": "correction", "note": "The fleet has 21 ships, not 12."}
    first, second = meet_at_the_lock(briefing, publishes(ana, briefing, **note), publishes(ben, briefing, **note))

    assert first.status_code == 302
    assert second.status_code == 200 and "is already live: there is nothing new to publish" in second.text
    assert len(publications(briefing)) == 2  # the first publication and one correction
    assert briefing.state_changes.filter(change_kind="correction").count() == 1


def test_two_editors_publishing_a_draft_at_once_publish_it_once(editors):
    ana, ben = editors
    briefing = make_briefing(title="Cable security")
    first, second = meet_at_the_lock(briefing, publishes(ana, briefing), publishes(ben, briefing))
    assert first.status_code == 302 and second.status_code == 200
    assert len(publications(briefing)) == 1


def state_change(client: Client, briefing: Briefing, action: str):
    if action == "feature":
        url, data = (
            reverse("admin:briefings_briefing_changelist"),
            {"action": "feature", "_selected_action": briefing.pk},
        )
    else:
        url, data = reverse(f"admin:briefings_briefing_{action}", args=[briefing.pk]), {"note": "Legal request."}
    return lambda: client.post(url, data)


STATE_AFTER = {
    "unpublish": lambda briefing: briefing.status == "unpublished",
    "withdraw": lambda briefing: briefing.is_withdrawn and briefing.withdrawal_note == "Legal request.",
    "feature": lambda briefing: briefing.is_featured,
}


@pytest.mark.parametrize("action", STATE_AFTER)
@pytest.mark.parametrize("order", ["change first", "save first"])
def test_a_save_racing_any_state_change_keeps_both(editors, action, order):
    ana, ben = editors
    briefing = make_briefing(title="Cable security", body="Fleet of 12 ships.", publish=True)
    actions = [saves(ben, briefing, "A later draft."), state_change(ana, briefing, action)]
    meet_at_the_lock(briefing, *(actions[::-1] if order == "change first" else actions))

    briefing.refresh_from_db()
    assert STATE_AFTER[action](briefing)
    assert briefing.latest_revision.body == "A later draft." and briefing.live_revision.body == "Fleet of 12 ships."
