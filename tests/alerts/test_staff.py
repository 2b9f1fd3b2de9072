"""Email alerts as the desk sees them, through the admin: counts per change, briefing and list, the sends
that failed after their last try (and sending them again), messages to a list, and readers' addresses
kept from staff who may not see them."""

import re

import pytest
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from briefings.models import Alert, ContentChange
from briefings.tasks import send_digests
from tests.alerts.mail import follow, free_port
from tests.helpers import make_briefing, make_user, run_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def editor(client):
    client.force_login(make_user("dana", group="Editors"))
    return client


def cells(page: str, column: str) -> list[str]:
    """The text of one column's cells in an admin list."""
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(rf'<td class="field-{column}">(.*?)</td>', page)]


def test_an_editor_writes_to_a_lists_readers_each_at_their_own_pace(editor, inbox, space):
    follow("now@example.org", theme="space")
    daily = follow("daily@example.org", "daily", theme="space")
    follow("other@example.org", region="kenya")
    form = editor.get(f"/admin/briefings/editormessage/add/?subscriber_list={daily.subscriber_list_id}")
    assert form.status_code == 200 and 'name="subject"' in form.text
    body = "Our series on space law starts on Monday.\nRead the first part: https://briefings.example.org/series/"
    sent = editor.post(
        "/admin/briefings/editormessage/add/",
        {"subscriber_list": daily.subscriber_list_id, "subject": "A new series", "body": body},
        follow=True,
    )
    assert "“A new series” is on its way to 2 reader(s)." in sent.text
    run_worker()
    (message,) = inbox.messages
    assert message["To"] == "now@example.org" and message["Subject"] == "A new series"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    assert "Our series on space law starts on Monday." in text and "because you follow Space" in text
    assert '<a href="https://briefings.example.org/series/"' in message.get_body(("html",)).get_content()

    listing = editor.get("/admin/briefings/editormessage/").text
    assert (cells(listing, "sent"), cells(listing, "queued")) == (["1"], ["1"])  # the other waits for its digest
    send_digests.defer(frequency="daily", timestamp=0)
    run_worker()
    assert inbox.messages[1]["Subject"] == "Daily digest from Briefings: 1 message from the editors"
    assert "A message from the editors: A new series" in inbox.messages[1].get_body(("plain",)).get_content()


def test_the_desk_sees_each_change_and_list_counted_and_what_failed_after_the_last_try(
    editor, client, inbox, space, settings, caplog
):
    from briefings.tasks import EMAIL_RETRIES

    follow("now@example.org", theme="space")
    follow("also@example.org", theme="space")
    follow("weekly@example.org", "weekly", theme="space")
    up, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()  # the mail server is down
    briefing = make_briefing(title="Lunar ice", themes=[space], publish=True)
    run_worker()
    job = ProcrastinateJob.objects.filter(task_name="send_alerts")
    job.update(attempts=EMAIL_RETRIES.max_attempts, scheduled_at=timezone.now())  # its last try comes
    with caplog.at_level("ERROR", logger="briefings.tasks"):
        run_worker()
    assert set(Alert.objects.filter(frequency="immediately").values_list("status", flat=True)) == {"failed"}
    assert "Email alerts failed after their last try (2 in this batch)" in caplog.text

    changes = editor.get(f"/admin/briefings/contentchange/?briefing__id__exact={briefing.pk}").text
    assert (cells(changes, "sent"), cells(changes, "queued"), cells(changes, "failed")) == (["0"], ["1"], ["2"])
    assert (
        "Email alerts</a>: 0 sent, 1 waiting, 2 failed"
        in editor.get(f"/admin/briefings/briefing/{briefing.pk}/change/").text
    )
    lists = editor.get("/admin/briefings/subscriberlist/").text
    assert cells(lists, "subscribers") == ["3"] and cells(lists, "immediately") == ["2"]
    assert cells(lists, "weekly") == ["1"]

    failed = editor.get(f"/admin/briefings/alert/?status=failed&change__id__exact={ContentChange.objects.last().pk}")
    assert failed.text.count("ConnectionRefusedError") == 2
    for page in (failed.text, editor.get(f"/admin/briefings/alert/{Alert.objects.first().pk}/change/").text):
        assert "@example.org" not in page  # addresses stay hidden from staff without the permission
    assert editor.get("/admin/briefings/subscriber/").status_code == 403

    settings.EMAIL_PORT = up
    ids = list(Alert.objects.filter(status="failed").values_list("pk", flat=True))
    editor.post("/admin/briefings/alert/", {"action": "send_again", "_selected_action": ids})
    run_worker()
    assert sorted(message["To"] for message in inbox.messages) == ["also@example.org", "now@example.org"]


def test_staff_given_the_permission_see_and_find_addresses(client, space):
    from django.contrib.auth.models import Permission

    follow("reader@example.org", theme="space")
    make_briefing(title="Lunar ice", themes=[space], publish=True)
    run_worker()
    desk = make_user("ines", group="Editors")
    desk.user_permissions.add(Permission.objects.get(codename="see_subscriber_addresses"))
    client.force_login(desk)
    assert "reader@example.org" in client.get("/admin/briefings/alert/?q=reader").text
    assert "reader@example.org" in client.get("/admin/briefings/subscriber/").text
