"""Email alerts, the reader's side, against a real SMTP server on loopback (aiosmtpd) and the queue's own
worker: ask, confirm from the inbox, manage and stop; nothing sent or stored without a confirmation."""

import re

import pytest
from django.db import connection

from briefings.models import Subscriber, Subscription
from tests.alerts.mail import follow, free_port, link_in
from tests.helpers import make_author, make_briefing, region, run_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def ask(client, address: str, query: str = "theme=space", frequency: str = "immediately"):
    return client.post(f"/alerts/?{query}", {"email": address, "frequency": frequency})


def test_asking_sends_one_confirmation_and_stores_nothing_until_it_is_confirmed(client, inbox, space):
    page = client.get("/alerts/?theme=space")
    assert page.status_code == 200 and "About <strong>Space</strong>" in page.text
    response = ask(client, "Reader@Example.org", frequency="daily")
    assert response.status_code == 302 and response["Location"] == "/alerts/check-your-email/"
    assert not Subscriber.objects.exists()
    run_worker()

    (message,) = inbox.messages
    assert message["To"] == "reader@example.org" and message["Subject"] == "Confirm your email alerts: Space"
    assert message.get_body(("html",)) is not None and 'style="' in message.get_body(("html",)).get_content()
    confirm = link_in(message, "confirm")
    assert "Confirm" in client.get(confirm).text and not Subscriber.objects.exists()  # a scanner's GET does nothing

    manage = client.post(confirm)
    subscription = Subscription.objects.select_related("subscriber", "subscriber_list").get()
    assert subscription.subscriber.address == "reader@example.org" and subscription.frequency == "daily"
    assert subscription.subscriber_list.title == "Space" and subscription.subscriber_list.theme == space
    assert "Space" in client.get(manage["Location"]).text


def test_asking_again_reveals_nothing_and_confirming_again_changes_only_the_frequency(client, inbox, space):
    first = ask(client, "reader@example.org")
    run_worker()
    client.post(link_in(inbox.messages[0], "confirm"))
    again = ask(client, "reader@example.org", frequency="weekly")
    stranger = ask(client, "someone-else@example.org")
    assert (again.status_code, again["Location"]) == (first.status_code, first["Location"])
    assert (stranger.status_code, stranger["Location"]) == (first.status_code, first["Location"])
    run_worker()
    client.post(link_in(inbox.messages[1], "confirm"))
    assert list(Subscription.objects.values_list("frequency", flat=True)) == ["weekly"]


def test_every_kind_of_scope_can_be_followed(client, inbox, space, settings):
    settings.ALERT_REQUESTS_PER_ADDRESS = 10
    make_author("Jane Doe")
    scopes = {
        "": "Every new briefing",
        "theme=space": "Space",
        "region=japan": "Japan",
        "author=jane-doe": "Jane Doe",
        "theme=space&region=japan": "Space in Japan",
        "q=orbit&theme=space&year=2026": "Briefings matching “orbit” (Space, 2026)",
    }
    for query in scopes:
        assert ask(client, "reader@example.org", query).status_code == 302, query
    run_worker()
    for message in inbox.messages:
        client.post(link_in(message, "confirm"))
    titles = set(Subscription.objects.values_list("subscriber_list__title", flat=True))
    assert titles == set(scopes.values())


def test_a_scope_that_is_not_there_or_a_broken_link_answers_404(client, space):
    assert client.get("/alerts/?theme=no-such-theme").status_code == 404
    assert client.get("/alerts/?theme=space&author=x").status_code == 404
    assert client.get("/alerts/confirm/not-a-token/").status_code == 404
    assert client.get("/alerts/manage/not-a-token/").status_code == 404
    assert client.post("/alerts/unsubscribe/not-a-token/").status_code == 404


@pytest.mark.parametrize(
    "address",
    ["reader@example.org\nBcc: victim@example.org", "reader@example.org\r\nSubject: spam", "x" * 10_000,
     "ñandú@example.org", "not an address", ""],
)  # fmt: skip
def test_a_hostile_address_gets_a_clear_error_and_nothing_is_queued(client, space, address):
    response = ask(client, address)
    assert response.status_code == 400 and 'aria-invalid="true"' in response.text
    assert (
        "Enter a valid email address" in response.text
        or "at most 254" in response.text
        or "required" in (response.text)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'send_confirmation'")
        assert cursor.fetchone()[0] == 0


def test_the_form_slows_down_one_address_and_one_client(client, space, settings):
    settings.ALERT_REQUESTS_PER_ADDRESS, settings.ALERT_REQUESTS_PER_CLIENT = 2, 4
    responses = [ask(client, "reader@example.org") for _ in range(3)]
    assert [response.status_code for response in responses] == [302, 302, 400]
    assert "Too many requests" in responses[-1].text
    assert [ask(client, f"other{n}@example.org").status_code for n in range(2)] == [302, 400]  # 4 from this client


def test_managing_alerts_changes_frequency_and_removing_the_last_deletes_the_address(client, inbox, space):
    for query in ("theme=space", "region=japan"):
        ask(client, "reader@example.org", query)
    run_worker()
    manage = [client.post(link_in(message, "confirm"))["Location"] for message in inbox.messages][-1]
    space_alerts, japan_alerts = Subscription.objects.order_by("subscriber_list__title").reverse()
    client.post(manage, {"subscription": space_alerts.pk, "frequency": "weekly"})
    space_alerts.refresh_from_db()
    assert space_alerts.frequency == "weekly"
    client.post(manage, {"subscription": space_alerts.pk, "action": "remove"})
    assert Subscriber.objects.exists()
    client.post(manage, {"subscription": japan_alerts.pk, "action": "remove"})
    assert not Subscriber.objects.exists()
    assert "we keep no record of your address" in client.get(manage).text


def test_one_click_unsubscribe_works_without_a_session_or_form(client, inbox, space):
    from briefings.alerts import unsubscribe_token

    ask(client, "reader@example.org")
    run_worker()
    client.post(link_in(inbox.messages[0], "confirm"))
    subscription = Subscription.objects.get()
    address = f"/alerts/unsubscribe/{unsubscribe_token([subscription.pk])}/"
    assert "Stop the alerts about <strong>Space</strong>" in client.get(address).text
    response = client.post(address, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and not Subscription.objects.exists() and not Subscriber.objects.exists()


def test_each_page_a_reader_browses_links_to_alerts_for_what_it_shows(client, space):
    pages = {
        "/": "/alerts/",
        "/themes/space/?region=japan": "/alerts/?theme=space&amp;region=japan",
        "/regions/japan/": "/alerts/?region=japan",
        "/authors/jane-doe/": "/alerts/?author=jane-doe",
        "/search/?q=orbit&theme=space": "/alerts/?q=orbit&amp;theme=space",
    }
    for page, link in pages.items():
        assert f'href="{link}"' in client.get(page).text, page
    assert (
        "About <strong>Briefings matching “orbit” (Space)</strong>" in client.get("/alerts/?q=orbit&theme=space").text
    )


def alerts_for(briefing):
    from briefings.models import Alert

    return dict(Alert.objects.filter(change__briefing=briefing).values_list("subscriber__address", "frequency"))


def test_a_publication_alerts_each_follower_of_anything_it_belongs_to_once(space):
    from briefings.models import Series

    japan_series = Series.objects.create(title="Japan in orbit", slug="japan-in-orbit")
    make_author("Jane Doe")
    follow("all@example.org")
    follow("theme@example.org", "daily", theme="space")
    follow("asia@example.org", "weekly", region="asia")  # Japan sits in Eastern Asia, in Asia
    follow("pair@example.org", theme="space", region="japan")
    follow("author@example.org", author="jane-doe")
    follow("series@example.org", series="japan-in-orbit")
    follow("search@example.org", q="satellites", theme="space")
    follow("many@example.org", "weekly", theme="space")
    follow("many@example.org", "daily", region="japan")  # two lists: one alert, at the quicker pace
    follow("other@example.org", region="kenya")
    follow("missed-search@example.org", q="submarines")

    briefing = make_briefing(
        title="Japan's satellites", themes=[space], regions=[region("Japan")], series=japan_series, part=1,
        authors=[make_author("Jane Doe")], publish=True,
    )  # fmt: skip
    run_worker()
    assert alerts_for(briefing) == {
        "all@example.org": "immediately", "theme@example.org": "daily", "asia@example.org": "weekly",
        "pair@example.org": "immediately", "author@example.org": "immediately", "series@example.org": "immediately",
        "search@example.org": "immediately", "many@example.org": "daily",
    }  # fmt: skip


def test_minor_edits_and_imports_alert_no_one_and_substantive_changes_and_withdrawals_do(space):
    from briefings import publishing
    from briefings.models import ContentChange

    follow("reader@example.org", theme="space")
    briefing = make_briefing(title="Tracked", themes=[space], publish=True)
    publishing.save_draft(briefing, content={"body": "Typo fixed."}, by=None, base_revision=briefing.latest_revision_id)
    publishing.publish(briefing, by=None, change_kind="minor")
    publishing.save_draft(
        briefing, content={"body": "Figure fixed."}, by=None, base_revision=briefing.latest_revision_id
    )
    publishing.publish(briefing, by=None, change_kind="correction", note="The 2023 figure was wrong.")
    publishing.withdraw(briefing, by=None, note="The source recanted.")
    kinds = list(ContentChange.objects.filter(briefing=briefing).order_by("pk").values_list("kind", "note"))
    assert kinds == [
        ("published", ""), ("correction", "The 2023 figure was wrong."), ("withdrawn", "The source recanted."),
    ]  # fmt: skip
    run_worker()
    assert ContentChange.objects.filter(briefing=briefing, matched_at__isnull=False).count() == 3


def test_a_scheduled_briefing_alerts_when_it_goes_live_and_unpublishing_first_cancels_it(space):
    from datetime import timedelta

    from django.utils import timezone
    from procrastinate.contrib.django.models import ProcrastinateJob

    from briefings import publishing
    from briefings.models import ContentChange

    follow("reader@example.org", theme="space")
    briefing = make_briefing(title="Embargoed", themes=[space])
    go_live = timezone.now() + timedelta(hours=3)
    publishing.publish(briefing, by=None, at=go_live)
    change = ContentChange.objects.get(briefing=briefing)
    job = ProcrastinateJob.objects.filter(task_name="match_change", args={"change_id": change.pk})
    assert job.get().scheduled_at == go_live
    run_worker()
    assert alerts_for(briefing) == {}  # not yet: the job waits for the go-live
    publishing.unpublish(briefing, by=None)
    job.update(scheduled_at=timezone.now())
    run_worker()
    assert alerts_for(briefing) == {} and ContentChange.objects.get(briefing=briefing).cancelled_at is not None


def test_a_rolled_back_publish_announces_nothing(space):
    from django.db import transaction

    from briefings import publishing
    from briefings.models import ContentChange

    briefing = make_briefing(title="Rolled back", themes=[space])
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE procrastinate_jobs CASCADE")
    with pytest.raises(RuntimeError), transaction.atomic():
        publishing.publish(briefing, by=None)
        assert ContentChange.objects.filter(briefing=briefing).exists()  # beside the publication
        raise RuntimeError("the request fails after publishing")
    assert not ContentChange.objects.filter(briefing=briefing).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'match_change'")
        assert cursor.fetchone()[0] == 0


def test_a_publication_sends_each_follower_exactly_one_email_with_its_reason_and_unsubscribe_headers(
    client, inbox, space
):
    follow("theme@example.org", theme="space")
    follow("both@example.org", theme="space")
    follow("both@example.org", region="japan")
    follow("digest@example.org", "daily", theme="space")  # for the digest, not now
    briefing = make_briefing(
        title="Japan's satellites", standfirst="Tokyo shares what it sees.", themes=[space], regions=[region("Japan")],
        publish=True,
    )  # fmt: skip
    run_worker()
    run_worker()  # nothing more the second time
    by_address = {message["To"]: message for message in inbox.messages}
    assert sorted(by_address) == ["both@example.org", "theme@example.org"] and len(inbox.messages) == 2
    message = by_address["theme@example.org"]
    assert message["Subject"] == "New briefing: Japan’s satellites"  # typeset, as on the page
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.search(
        r"<https://briefings\.example\.org(/alerts/unsubscribe/[^>]+)>", message["List-Unsubscribe"]
    )
    text = message.get_body(("plain",)).get_content()
    assert "Tokyo shares what it sees." in text and "You get this email because you follow Space" in text
    assert f"https://briefings.example.org/briefings/{briefing.slug}/v/1/" in text
    assert client.post(unsubscribe.group(1), {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Subscriber.objects.filter(address="theme@example.org").exists()


def test_a_correction_sends_its_note_and_a_minor_edit_sends_nothing(inbox, space):
    from briefings import publishing

    follow("reader@example.org", theme="space")
    briefing = make_briefing(title="Tracked", themes=[space], publish=True)
    run_worker()
    publishing.save_draft(briefing, content={"body": "Typo."}, by=None, base_revision=briefing.latest_revision_id)
    publishing.publish(briefing, by=None, change_kind="minor")
    publishing.save_draft(briefing, content={"body": "Figure."}, by=None, base_revision=briefing.latest_revision_id)
    publishing.publish(briefing, by=None, change_kind="correction", note="The 2023 figure was wrong.")
    run_worker()
    subjects = [message["Subject"] for message in inbox.messages]
    assert subjects == ["New briefing: Tracked", "Correction: Tracked"]
    assert "Correction: The 2023 figure was wrong." in inbox.messages[1].get_body(("plain",)).get_content()


def test_a_mail_server_that_is_down_gets_the_alerts_once_it_is_back(inbox, space, settings):
    from django.utils import timezone
    from procrastinate.contrib.django.models import ProcrastinateJob

    from briefings.models import Alert

    follow("reader@example.org", theme="space")
    up = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    make_briefing(title="Outage", themes=[space], publish=True)
    run_worker()
    alert = Alert.objects.get()
    assert alert.status == "queued" and "ConnectionRefusedError" in alert.error and inbox.messages == []
    job = ProcrastinateJob.objects.filter(task_name="send_alerts")
    assert job.get().status == "todo" and job.get().scheduled_at > timezone.now()  # waits before trying again
    settings.EMAIL_PORT = up
    job.update(scheduled_at=timezone.now())
    run_worker()
    alert.refresh_from_db()
    assert alert.status == "sent" and len(inbox.messages) == 1


def test_an_address_can_be_exported_and_erased_on_its_owners_request(inbox, space):
    import io
    import json

    from django.core.management import CommandError, call_command

    from briefings.models import Alert

    follow("Reader@Example.org", "daily", theme="space")
    follow("reader@example.org", region="japan")
    make_briefing(title="Exported", themes=[space], regions=[region("Japan")], publish=True)
    run_worker()
    out = io.StringIO()
    call_command("subscriber_data", "READER@example.org", stdout=out)
    data = json.loads(out.getvalue())
    assert data["address"] == "reader@example.org"
    assert [(row["list"], row["frequency"]) for row in data["subscriptions"]] == [
        ("Space", "daily"),
        ("Japan", "immediately"),
    ]
    assert [(row["briefing"], row["status"]) for row in data["alerts"]] == [("Exported", "sent")]
    call_command("subscriber_data", "reader@example.org", erase=True, stdout=io.StringIO())
    assert not Subscriber.objects.exists() and not Subscription.objects.exists() and not Alert.objects.exists()
    with pytest.raises(CommandError, match="No subscriber has that address"):
        call_command("subscriber_data", "reader@example.org", stdout=io.StringIO())
