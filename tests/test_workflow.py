"""The workflow table (briefings/models/workflow.py): every step it forbids is refused alike by the publishing
functions, the admin and the importer, and the two-pairs-of-eyes rule holds through the admin and the functions."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from briefings import publishing
from briefings.models import Briefing
from briefings.models.workflow import COLUMNS, TABLE, State, Step
from tests.helpers import edit, make_briefing, make_user

pytestmark = pytest.mark.django_db


def briefing_in(state: State) -> Briefing:
    """A briefing brought to `state` through the publishing functions, as the system (an import) would."""
    briefing = make_briefing(title=f"A briefing {state.value}")
    if state is State.REVIEW:
        publishing.submit_for_review(briefing, by=None)
    elif state is State.SCHEDULED:
        publishing.publish(briefing, by=None, at=timezone.now() + timedelta(days=1))
    elif state in (State.LIVE, State.CHANGED, State.WITHDRAWN, State.UNPUBLISHED):
        publishing.publish(briefing, by=None)
    if state is State.CHANGED:
        edit(briefing, body="A later draft.")
    elif state is State.WITHDRAWN:
        publishing.withdraw(briefing, by=None, note="A source failed.")
    elif state is State.UNPUBLISHED:
        publishing.unpublish(briefing, by=None)
    briefing.refresh_from_db()
    assert briefing.state is state
    return briefing


STEP_FUNCTIONS = {
    Step.SUBMIT: lambda briefing, by: publishing.submit_for_review(briefing, by=by),
    Step.RETURN: lambda briefing, by: publishing.return_to_draft(briefing, by=by),
    Step.PUBLISH: lambda briefing, by: publishing.publish(briefing, by=by),
    Step.UNPUBLISH: lambda briefing, by: publishing.unpublish(briefing, by=by),
    Step.WITHDRAW: lambda briefing, by: publishing.withdraw(briefing, by=by, note="Why."),
}
FORBIDDEN = [
    (step, state) for step in STEP_FUNCTIONS for state, role in zip(COLUMNS, TABLE[step], strict=True) if role is None
]
ADMIN_URLS = {
    Step.SUBMIT: "admin:briefings_briefing_submit",
    Step.RETURN: "admin:briefings_briefing_return",
    Step.PUBLISH: "admin:briefings_briefing_publish",
    Step.UNPUBLISH: "admin:briefings_briefing_unpublish",
    Step.WITHDRAW: "admin:briefings_briefing_withdraw",
}


def snapshot(briefing: Briefing) -> tuple:
    briefing.refresh_from_db()
    return briefing.state, briefing.live_revision_id, briefing.state_changes.count()


@pytest.mark.parametrize(("step", "state"), FORBIDDEN, ids=lambda value: str(value))
def test_the_functions_refuse_what_the_table_forbids(step, state):
    briefing = briefing_in(state)
    before = snapshot(briefing)
    with pytest.raises(publishing.WorkflowError):
        STEP_FUNCTIONS[step](briefing, None)
    assert snapshot(briefing) == before


@pytest.mark.parametrize(("step", "state"), FORBIDDEN, ids=lambda value: str(value))
def test_the_admin_refuses_what_the_table_forbids_and_offers_no_button_for_it(client, step, state):
    editor = make_user("dana")
    client.force_login(editor)
    briefing = briefing_in(state)
    before = snapshot(briefing)
    change_page = client.get(reverse("admin:briefings_briefing_change", args=[briefing.pk])).content.decode()
    assert reverse(ADMIN_URLS[step], args=[briefing.pk]) not in change_page
    form = {"note": "Why.", "revision": briefing.latest_revision_id, "change_kind": "minor"}
    response = client.post(reverse(ADMIN_URLS[step], args=[briefing.pk]), form, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and ("cannot be" in page or "already live" in page)
    assert snapshot(briefing) == before


def test_the_importer_leaves_a_withdrawn_briefing_unpublished_as_the_table_says(tmp_path):
    briefing = briefing_in(State.WITHDRAWN)
    before = snapshot(briefing)
    (tmp_path / "b.md").write_text(f"---\ntitle: {briefing.title}\nslug: {briefing.slug}\n---\nA new text.\n")
    call_command("import_briefings", str(tmp_path), publish=True, stdout=io.StringIO(), stderr=io.StringIO())
    state, live, _ = snapshot(briefing)
    assert (state, live) == before[:2] and briefing.latest_revision.body == "A new text.\n"
    assert not briefing.state_changes.filter(action="published", revision=briefing.latest_revision).exists()


def test_an_author_may_edit_their_draft_but_not_publish_or_move_a_live_one():
    author = make_user("ayo", group="Authors")
    briefing = make_briefing(by=author)
    assert briefing.can(Step.EDIT, author) and briefing.can(Step.MOVE, author)
    assert not briefing.can(Step.PUBLISH, author)
    with pytest.raises(publishing.WorkflowError, match="permission to publish"):
        publishing.publish(briefing, by=author)
    publishing.publish(briefing, by=None)
    briefing.refresh_from_db()
    with pytest.raises(publishing.WorkflowError, match="cannot be moved by you"):
        publishing.save_draft(briefing, content={"slug": "elsewhere"}, by=author)
    someone_else = make_user("omar", group="Authors")
    with pytest.raises(publishing.WorkflowError, match="permission to edit"):
        publishing.save_draft(briefing, content={"body": "Mine now."}, by=someone_else)


def test_status_labels_and_allowed_steps_come_from_the_table():
    editor = make_user("dana")
    changed = briefing_in(State.CHANGED)
    assert changed.status_label == "Published, with unpublished changes"
    allowed = changed.allowed_steps(editor)
    assert allowed["publish"] and allowed["withdraw"] and not allowed["submit"] and not allowed["return"]
    assert briefing_in(State.SCHEDULED).status_label.startswith("Scheduled for ")
    assert set(Briefing.objects.in_state(State.CHANGED)) == {changed}


# Two pairs of eyes


def test_a_publisher_cannot_publish_their_own_writing_without_a_reason():
    dana, sam = make_user("dana"), make_user("sam")
    briefing = make_briefing(by=dana)
    with pytest.raises(publishing.WorkflowError, match="You wrote revision 1 yourself"):
        publishing.publish(briefing, by=dana)
    change = publishing.publish(briefing, by=dana, without_review_reason="The minister speaks at noon.")
    assert change.is_unreviewed and change.without_review_reason == "The minister speaks at noon."
    assert list(Briefing.objects.published_without_review()) == [briefing]

    edit(briefing, by=dana, body="A correction.")
    reviewed = publishing.publish(briefing, by=sam, change_kind="correction", note="Fixed.", without_review_reason="x")
    assert not reviewed.is_unreviewed and list(Briefing.objects.published_without_review()) == []


def test_one_person_outlets_turn_the_second_pair_of_eyes_off(settings):
    settings.TWO_PAIRS_OF_EYES = False
    dana = make_user("dana")
    briefing = make_briefing(by=dana)
    assert not publishing.publish(briefing, by=dana).is_unreviewed


def test_the_admin_asks_for_a_reason_then_flags_the_publication_in_the_list(client):
    dana = make_user("dana")
    client.force_login(dana)
    briefing = make_briefing(by=dana)
    publish_page = reverse("admin:briefings_briefing_publish", args=[briefing.pk])
    form = client.get(publish_page).content.decode()
    assert "Publish without review" in form and 'name="without_review_reason"' in form

    refused = client.post(publish_page, {"revision": briefing.latest_revision_id})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    assert snapshot(briefing)[0] is State.DRAFT

    reason = {"revision": briefing.latest_revision_id, "without_review_reason": "Embargo lifts now."}
    assert client.post(publish_page, reason).status_code == 302
    assert snapshot(briefing)[0] is State.LIVE
    listed = client.get(reverse("admin:briefings_briefing_changelist"), {"review": "skipped"})
    assert [b.pk for b in listed.context["cl"].result_list] == [briefing.pk]
    trail = client.get(reverse("admin:briefings_statechange_changelist"), {"unreviewed": "yes"})
    assert "Embargo lifts now." in trail.content.decode()


def test_another_editor_publishes_without_being_asked_for_a_reason(client):
    dana, sam = make_user("dana"), make_user("sam")
    briefing = make_briefing(by=dana)
    client.force_login(sam)
    publish_page = reverse("admin:briefings_briefing_publish", args=[briefing.pk])
    assert 'name="without_review_reason"' not in client.get(publish_page).content.decode()
    assert client.post(publish_page, {"revision": briefing.latest_revision_id}).status_code == 302
    assert snapshot(briefing)[0] is State.LIVE and not Briefing.objects.published_without_review().exists()


def test_a_briefing_without_an_author_cannot_be_published(client):
    briefing = make_briefing(title="Anonymous", authors=[])
    with pytest.raises(publishing.WorkflowError, match="at least one author"):
        publishing.publish(briefing, by=None)
    sam = make_user("sam")
    client.force_login(sam)
    response = client.post(
        reverse("admin:briefings_briefing_publish", args=[briefing.pk]), {"revision": briefing.latest_revision_id}
    )
    assert response.status_code == 200 and "at least one author" in response.content.decode()
    assert snapshot(briefing)[0] is State.DRAFT
