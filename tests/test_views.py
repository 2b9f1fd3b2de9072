"""What the public can reach: only published briefings, and a fixed number of queries per page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from briefings import publishing
from tests.helpers import edit, make_author, make_briefing, make_theme, make_user, region

pytestmark = pytest.mark.django_db


def detail(client, briefing):
    return client.get(reverse("briefings:briefing-detail", args=[briefing.slug]))


def test_a_published_briefing_shows_its_live_revision(client):
    briefing = make_briefing(
        title="Live title",
        standfirst="A standfirst",
        themes=[make_theme("Space")],
        regions=[region("Japan")],
        authors=[make_author("Jane Doe"), make_author("Kenji Sato")],
        publish=True,
    )
    response = detail(client, briefing)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Live title" in page and "Japan" in page and "Space" in page
    assert re.search(r">Jane Doe</a> and <a [^>]*>Kenji Sato</a>", page)
    assert 'href="#fn:1"' in page


def test_edits_stay_private_until_published(client):
    briefing = make_briefing(title="Live title", publish=True)
    edit(briefing, title="Draft title")
    page = detail(client, briefing).content.decode()
    assert "Live title" in page and "Draft title" not in page
    publishing.publish(briefing, by=None, change_kind="minor")
    assert "Draft title" in detail(client, briefing).content.decode()


@pytest.mark.parametrize("state", ["draft", "review", "scheduled"])
def test_unpublished_states_answer_404_and_stay_out_of_the_home_page(client, state):
    briefing = make_briefing(title="Secret draft title")
    if state == "review":
        publishing.submit_for_review(briefing, by=None)
    if state == "scheduled":
        publishing.publish(briefing, by=None, at=timezone.now() + timedelta(hours=2))
    assert detail(client, briefing).status_code == 404
    assert "Secret draft title" not in client.get(reverse("briefings:home")).content.decode()


def test_an_unpublished_briefing_answers_410_gone(client):
    briefing = make_briefing(title="Withdrawn", publish=True)
    publishing.unpublish(briefing, by=None, note="Legal")
    response = detail(client, briefing)
    assert response.status_code == 410
    assert "Withdrawn" not in client.get(reverse("briefings:home")).content.decode()


def test_unknown_slugs_answer_404(client):
    assert client.get("/briefings/no-such-thing/").status_code == 404


def test_a_forged_or_unknown_preview_token_answers_404(client):
    assert client.get(reverse("briefings:preview", args=["forged:token"])).status_code == 404


def test_the_preview_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    briefing = make_briefing(
        themes=[make_theme("Space"), make_theme("Defence")],
        regions=[region("Japan"), region("India")],
        authors=[make_author("A"), make_author("B")],
    )
    token = publishing.share_preview(briefing, by=make_user()).token
    # link with briefing, revision with series and its themes, regions and byline
    with django_assert_num_queries(2):
        assert client.get(reverse("briefings:preview", args=[token])).status_code == 200
