"""The editors' flows, through the admin over HTTP."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from briefings import publishing
from briefings.models import Briefing, Revision, StateChange
from tests.helpers import backdate, edit, make_author, make_briefing, make_theme, make_user, region, sitemap_of

pytestmark = pytest.mark.django_db


def briefing_form_data(briefing=None, **overrides) -> dict:
    """The POST an editor's browser sends from the change form."""
    data = {
        "title": "Quad space cooperation",
        "slug": "quad-space-cooperation",
        "standfirst": "What the four partners share.",
        "body": "## Why\n\nBecause.[^1]\n\n[^1]: A source.",
        "themes": [],
        "regions": [],
        "language": "en",
        "change_note": "",
        "base_revision": "",
        "byline-TOTAL_FORMS": "0",
        "byline-INITIAL_FORMS": "0",
        "byline-MIN_NUM_FORMS": "0",
        "byline-MAX_NUM_FORMS": "1000",
    }
    if briefing is not None:
        data |= {"title": briefing.title, "slug": briefing.slug, "body": briefing.body}
        data["base_revision"] = str(briefing.latest_revision_id)
    return data | overrides


@pytest.fixture
def editor_client(client):
    editor = make_user("dana", group="Editors")
    client.force_login(editor)
    client.user = editor
    return client


def test_saving_in_the_admin_creates_a_revision_with_tags_byline_and_note(editor_client):
    theme, author = make_theme("Space"), make_author("Jane Doe")
    data = briefing_form_data(
        themes=[theme.pk],
        regions=[region("Japan").pk, region("India").pk],
        change_note="First draft",
        **{
            "byline-TOTAL_FORMS": "1",
            "byline-0-author": str(author.pk),
            "byline-0-position": "0",
        },
    )
    response = editor_client.post(reverse("admin:briefings_briefing_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    briefing = Briefing.objects.get(slug="quad-space-cooperation")
    revision = briefing.latest_revision
    assert revision.number == 1 and revision.change_note == "First draft" and revision.created_by == editor_client.user
    assert revision.authors == [author]
    assert {r.name for r in revision.regions.all()} == {"Japan", "India"}
    assert briefing.owner == editor_client.user and briefing.status == "draft"


def test_saving_unsafe_markup_warns_what_the_page_leaves_out(editor_client):
    data = briefing_form_data(body="Hi <script>alert(1)</script> [x](javascript:alert(1))")
    response = editor_client.post(reverse("admin:briefings_briefing_add"), data, follow=True)
    messages = [str(message) for message in response.context["messages"]]
    assert any("<script>" in message and "javascript:" in message for message in messages)
    revision = Briefing.objects.get().latest_revision
    assert "<script>" in revision.body  # the editor's text is kept as written
    assert "<script" not in revision.body_html


def test_a_concurrent_save_is_refused_with_a_link_and_the_text_kept(editor_client):
    briefing = make_briefing(by=editor_client.user)
    stale_form = briefing_form_data(briefing, body="My version of the text")
    edit(briefing, body="Their version of the text")
    change_page = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    response = editor_client.post(change_page, stale_form, follow=True)
    assert response.redirect_chain == [(change_page, 302)]  # back to the current text, to merge into
    page = response.content.decode()
    assert "while you were editing" in page and "Their version of the text" in page
    compare_link = re.search(r'href="([^"]*/compare/\?from=2&amp;to=3)"', page)
    assert compare_link, page
    briefing.refresh_from_db()
    assert briefing.body == "Their version of the text"
    refused = briefing.revisions.get(number=3)
    assert refused.is_refused_edit and refused.body == "My version of the text"
    compare = editor_client.get(compare_link.group(1).replace("&amp;", "&"))
    assert b"<ins>My</ins>" in compare.content or b"My" in compare.content


def test_history_lists_revisions_and_the_audit_trail(editor_client):
    briefing = make_briefing(by=editor_client.user, publish=True)
    edit(briefing, body="Second", by=editor_client.user)
    response = editor_client.get(reverse("admin:briefings_briefing_history", args=[briefing.pk]))
    assert response.status_code == 200
    assert [r.number for r in response.context["revisions"]] == [2, 1]
    assert {c.action for c in response.context["state_changes"]} == {"created", "published"}


def add_revisions(briefing: Briefing, count: int) -> None:
    for number in range(count):
        edit(briefing, body=f"Pass {number}", note=f"Pass {number}")


def test_history_pages_through_hundreds_of_revisions_without_loading_them_all(
    editor_client, django_assert_max_num_queries
):
    briefing = make_briefing(by=editor_client.user, title="Long-lived")
    url = reverse("admin:briefings_briefing_history", args=[briefing.pk])
    add_revisions(briefing, 59)
    with CaptureQueriesContext(connection) as sixty:
        first = editor_client.get(url)
    assert [r.number for r in first.context["revisions"]] == list(range(60, 10, -1))
    assert "Page 1 of 2 · 60 revisions" in first.content.decode()
    add_revisions(briefing, 90)
    with django_assert_max_num_queries(len(sixty)):
        last = editor_client.get(url, {"page": 3, "trail": 1})
    assert [r.number for r in last.context["revisions"]] == list(range(50, 0, -1))
    assert "Page 3 of 3 · 150 revisions" in last.content.decode()
    assert "?page=2&amp;trail=1" in last.content.decode()
    body_columns = [q["sql"] for q in sixty.captured_queries if '"briefings_revision"."body_html"' in q["sql"]]
    assert len(body_columns) <= 1, "at most the live or latest revision is read in full"


def test_compare_shows_a_word_level_diff_of_the_body(editor_client):
    briefing = make_briefing(body="The budget rose 9.4% last year.")
    edit(briefing, body="The budget rose 9.5% last year.")
    url = reverse("admin:briefings_briefing_compare", args=[briefing.pk])
    response = editor_client.get(url, {"from": 1, "to": 2})
    assert response.status_code == 200
    assert b"<del>4</del><ins>5</ins>" in response.content
    bad = editor_client.get(url, {"from": "x", "to": 99})
    assert bad.status_code == 302


def test_restore_through_the_admin_adds_a_revision(editor_client):
    briefing = make_briefing(title="Original")
    edit(briefing, title="Changed")
    url = reverse("admin:briefings_briefing_restore", args=[briefing.pk, 1])
    assert editor_client.get(url).status_code == 200
    editor_client.post(url)
    briefing.refresh_from_db()
    assert briefing.title == "Original" and briefing.latest_revision.number == 3
    assert Revision.objects.filter(briefing=briefing).count() == 3


def test_publish_asks_for_a_note_on_substantive_changes(editor_client):
    briefing = make_briefing(publish=True)
    edit(briefing, body="Corrected")
    url = reverse("admin:briefings_briefing_publish", args=[briefing.pk])
    reviewed = briefing.latest_revision_id
    refused = editor_client.post(url, {"change_kind": "correction", "note": "", "revision": reviewed})
    assert refused.status_code == 200 and "note" in refused.context["form"].errors
    editor_client.post(url, {"change_kind": "correction", "note": "Fixed the figure.", "revision": reviewed})
    briefing.refresh_from_db()
    assert briefing.live_revision == briefing.latest_revision
    change = briefing.state_changes.filter(action="published").first()
    assert change.change_kind == "correction" and change.note == "Fixed the figure."


def test_authors_write_their_own_briefings_and_cannot_publish(client):
    author = make_user("aiko", group="Authors")
    other = make_briefing(title="Someone else's")
    mine = make_briefing(title="Mine", by=author)
    client.force_login(author)
    assert client.get(reverse("admin:briefings_briefing_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:briefings_briefing_change", args=[other.pk])).status_code == 302
    changelist = client.get(reverse("admin:briefings_briefing_changelist"))
    assert list(changelist.context["cl"].result_list) == [mine]
    assert client.post(reverse("admin:briefings_briefing_publish", args=[mine.pk])).status_code == 403
    assert client.post(reverse("admin:briefings_briefing_submit", args=[mine.pk]), {"note": ""}).status_code == 302
    mine.refresh_from_db()
    assert mine.status == "review"
    assert client.get(reverse("admin:briefings_theme_add")).status_code == 403


def test_editors_manage_tags_and_see_the_audit_trail(editor_client):
    make_briefing(publish=True)
    assert editor_client.get(reverse("admin:briefings_theme_add")).status_code == 200
    assert editor_client.get(reverse("admin:briefings_region_changelist"), {"q": "japan"}).status_code == 200
    trail = editor_client.get(reverse("admin:briefings_statechange_changelist"))
    assert trail.status_code == 200 and trail.context["cl"].result_count == 2


def test_briefings_cannot_be_deleted_from_the_admin(editor_client):
    briefing = make_briefing()
    response = editor_client.post(reverse("admin:briefings_briefing_delete", args=[briefing.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Briefing.objects.filter(pk=briefing.pk).exists()


def test_a_region_cannot_be_placed_inside_its_own_descendant(editor_client):
    asia = region("Asia")
    data = {"name": "Asia", "slug": "asia", "kind": "continent", "code": "142", "parents": [region("Japan").pk]}
    response = editor_client.post(reverse("admin:briefings_region_change", args=[asia.pk]), data)
    assert response.status_code == 200
    assert "inside this region already" in str(response.context["adminform"].form.errors)


def test_preview_links_are_created_shown_and_revoked(editor_client):
    reviewer = Client()
    briefing = make_briefing(title="Draft for review", by=editor_client.user)
    url = reverse("admin:briefings_briefing_preview_links", args=[briefing.pk])
    response = editor_client.post(url, {"note": "Outside reviewer", "days": 3})
    link = response.context["new_link"]
    assert "/preview/" in link
    reviewer_view = reviewer.get(link)
    assert reviewer_view.status_code == 200 and b"Draft for review" in reviewer_view.content
    assert reviewer_view["X-Robots-Tag"] == "noindex, nofollow"
    preview_link = briefing.preview_links.get()
    editor_client.post(reverse("admin:briefings_briefing_revoke_preview", args=[briefing.pk, preview_link.pk]))
    assert reviewer.get(link).status_code == 404
    actions = set(briefing.state_changes.values_list("action", flat=True))
    assert {StateChange.Action.PREVIEW_SHARED, StateChange.Action.PREVIEW_REVOKED} <= actions


def test_hero_images_are_checked_by_content_and_reencoded(editor_client, settings):
    url = reverse("admin:briefings_briefing_add")
    disguised = SimpleUploadedFile("photo.gif", b"GIF89a<html><script>alert(1)</script></html>", "image/gif")
    response = editor_client.post(url, briefing_form_data(hero_image=disguised, hero_alt="A photo"))
    assert response.status_code == 200 and "hero_image" in response.context["adminform"].form.errors

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (0, 90, 160)).save(buffer, format="GIF")
    real = SimpleUploadedFile("../photo.jpeg", buffer.getvalue(), "image/jpeg")
    response = editor_client.post(url, briefing_form_data(hero_image=real, hero_alt="A photo"))
    assert response.status_code == 302
    revision = Briefing.objects.get().latest_revision
    assert re.fullmatch(r"heroes/\d{4}/[0-9a-f]{32}\.png", revision.hero_image.name)
    assert Image.open(settings.MEDIA_ROOT / revision.hero_image.name).format == "PNG"


def test_a_first_publication_can_be_scheduled_from_the_admin(editor_client, client):
    briefing = make_briefing(title="Embargoed")
    url = reverse("admin:briefings_briefing_publish", args=[briefing.pk])
    go_live = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    editor_client.post(url, {"publish_at": go_live, "note": "", "revision": briefing.latest_revision_id})
    briefing.refresh_from_db()
    assert briefing.is_scheduled
    assert briefing.state_changes.filter(action="scheduled").exists()
    changelist = editor_client.get(reverse("admin:briefings_briefing_changelist"), {"status": "scheduled"})
    assert list(changelist.context["cl"].result_list) == [briefing]


def test_the_briefing_list_runs_a_fixed_number_of_queries(editor_client, django_assert_max_num_queries):
    authors = [make_author(f"Author {n}") for n in range(3)]
    for n in range(8):
        make_briefing(title=f"Briefing {n}", authors=authors, themes=[make_theme()], publish=n % 2 == 0)
    url = reverse("admin:briefings_briefing_changelist")
    editor_client.get(url)  # warm the session and permission caches
    with django_assert_max_num_queries(16) as captured:
        assert editor_client.get(url).status_code == 200
    few = len(captured)
    for n in range(8, 16):
        make_briefing(title=f"Briefing {n}", authors=authors, themes=[make_theme()], publish=True)
    with django_assert_max_num_queries(few):
        assert editor_client.get(url).status_code == 200


def test_a_new_briefing_starts_with_the_writers_own_byline(client):
    writer = make_user("aiko", group="Authors")
    author = make_author("Aiko Tanaka")
    author.user = writer
    author.save()
    client.force_login(writer)
    response = client.get(reverse("admin:briefings_briefing_add"))
    byline = response.context["inline_admin_formsets"][0].formset
    assert byline.forms[0].initial == {"author": author.pk, "position": 0}


def test_a_hero_image_without_alt_text_is_refused_with_a_clear_message(editor_client):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="PNG")
    image = SimpleUploadedFile("hero.png", buffer.getvalue(), "image/png")
    response = editor_client.post(reverse("admin:briefings_briefing_add"), briefing_form_data(hero_image=image))
    assert response.status_code == 200
    assert "Describe the hero image in its alt text" in str(response.context["adminform"].form.errors)
    assert not Briefing.objects.exists()


def test_editors_withdraw_a_briefing_with_a_public_note(editor_client):
    briefing = make_briefing(publish=True)
    url = reverse("admin:briefings_briefing_withdraw", args=[briefing.pk])
    editor_client.post(url, {"note": ""})
    briefing.refresh_from_db()
    assert not briefing.is_withdrawn  # a withdrawal needs its explanation
    editor_client.post(url, {"note": "A key source was fabricated."})
    briefing.refresh_from_db()
    assert briefing.is_withdrawn and briefing.withdrawal_note == "A key source was fabricated."
    assert briefing.state_changes.filter(action="withdrawn", by=editor_client.user).exists()


def test_editors_feature_published_briefings_and_authors_cannot(editor_client, client):
    published, draft = make_briefing(title="Live", publish=True), make_briefing(title="Draft")
    changelist = reverse("admin:briefings_briefing_changelist")
    editor_client.post(changelist, {"action": "feature", "_selected_action": [published.pk, draft.pk]})
    assert list(Briefing.objects.filter(is_featured=True)) == [published]
    author = make_user("aiko", group="Authors")
    client.force_login(author)
    action_form = client.get(changelist).context["action_form"]
    assert action_form is None or "feature" not in dict(action_form.fields["action"].choices)
    client.post(changelist, {"action": "feature", "_selected_action": [published.pk]})
    Briefing.objects.filter(pk=published.pk).update(is_featured=False)
    client.post(changelist, {"action": "feature", "_selected_action": [published.pk]})
    assert not Briefing.objects.filter(is_featured=True).exists()


def test_the_change_list_reads_no_briefing_text(editor_client):
    for number in range(3):
        make_briefing(title=f"Listed {number}", body="A long text. " * 500, publish=True)
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(reverse("admin:briefings_briefing_changelist"))
    assert response.status_code == 200 and "Listed 2" in response.content.decode()
    texts = ('"briefings_briefing"."body"', '"briefings_revision"."body"', '"briefings_revision"."body_html"')
    assert not [q["sql"] for q in queries.captured_queries if any(text in q["sql"] for text in texts)]


def listed(client, **query) -> list[str]:
    response = client.get(reverse("admin:briefings_briefing_changelist"), query)
    assert response.status_code == 200
    return [briefing.title for briefing in response.context["cl"].result_list]


def test_the_briefing_search_needs_every_word_in_a_title_standfirst_slug_or_author(editor_client):
    make_briefing(title="Quad space cooperation", standfirst="Four partners in orbit.", publish=True)
    make_briefing(title="Arctic patrols", standfirst="Ice and submarines.", authors=[make_author("Kenji Sato")])
    make_briefing(title="Space budgets", standfirst="What Japan spends.", slug="tokyo-money")
    assert listed(editor_client, q="SPACE") == ["Space budgets", "Quad space cooperation"]  # drafts first
    assert listed(editor_client, q="space orbit") == ["Quad space cooperation"]
    assert listed(editor_client, q="sato") == ["Arctic patrols"]
    assert listed(editor_client, q='"kenji sato" ice') == ["Arctic patrols"]
    assert listed(editor_client, q="tokyo") == ["Space budgets"]
    assert listed(editor_client, q="sato orbit") == []


def test_filters_through_tags_and_bylines_list_each_briefing_once_newest_first(editor_client):
    space, japan, author = make_theme("Space"), region("Japan"), make_author("Kenji Sato")
    for number in range(3):
        make_briefing(
            title=f"Tagged {number}", themes=[space, make_theme(f"Other {number}")], regions=[japan, region("India")],
            authors=[author, make_author(f"Co-author {number}")], publish=True,
        )  # fmt: skip
    make_briefing(title="Untagged", publish=True)
    newest_first = ["Tagged 2", "Tagged 1", "Tagged 0"]
    with CaptureQueriesContext(connection) as queries:
        assert listed(editor_client, themes__id__exact=space.pk) == newest_first
    whole_rows = 'DISTINCT "briefings_briefing"."id"'
    assert not [q["sql"] for q in queries.captured_queries if whole_rows in q["sql"]]
    assert listed(editor_client, regions__id__exact=japan.pk, byline__author__id__exact=author.pk) == newest_first
    assert listed(editor_client, regions__id__exact=japan.pk, q="tagged 1") == ["Tagged 1"]
    assert listed(editor_client, themes__id__exact=space.pk, status="draft") == []


def test_the_region_filter_offers_the_regions_in_use(editor_client):
    make_briefing(title="Ours", regions=[region("Japan")])
    writer = make_user("aiko", group="Authors")
    make_briefing(title="Theirs", regions=[region("India")], by=writer)
    writer_client = Client()
    writer_client.force_login(writer)
    for viewer, expected in ((editor_client, {"India", "Japan"}), (writer_client, {"India"})):
        response = viewer.get(reverse("admin:briefings_briefing_changelist"))
        regions = next(spec for spec in response.context["cl"].filter_specs if spec.title == "regions")
        assert {label for _, label in regions.lookup_choices} == expected


def test_the_publication_date_filter_offers_recent_days_and_each_year(editor_client):
    recent = make_briefing(title="Recent", publish=True)
    older = make_briefing(title="Older", publish=True)
    backdate(older, timezone.now().replace(year=2021, month=6))
    make_briefing(title="Draft")
    response = editor_client.get(reverse("admin:briefings_briefing_changelist"))
    dates = next(spec for spec in response.context["cl"].filter_specs if spec.title == "publication date")
    this_year = timezone.now().year
    assert [value for value, _ in dates.lookup_choices] == ["week", "month", *map(str, range(this_year, 2020, -1))]
    assert listed(editor_client, published="week") == [recent.title]
    assert listed(editor_client, published="2021") == ["Older"]
    assert listed(editor_client, published="1999") == []
    assert listed(editor_client, published="nonsense") == ["Draft", "Recent", "Older"]  # drafts have no date yet


def test_the_filters_show_their_counts_on_request(editor_client):
    make_briefing(title="Tokyo", regions=[region("Japan")], publish=True)
    make_briefing(title="Draft", regions=[region("Japan"), region("India")])
    response = editor_client.get(reverse("admin:briefings_briefing_changelist"), {"_facets": "True"})
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"Past 7 days \(1\)", page) and re.search(r"Japan \(2\)", page) and re.search(r"India \(1\)", page)


def test_the_audit_trail_filters_by_date(editor_client):
    briefing = make_briefing(title="Recorded", publish=True)
    StateChange.objects.filter(briefing=briefing, action="created").update(at=timezone.now().replace(year=2021))
    trail = reverse("admin:briefings_statechange_changelist")
    recent = editor_client.get(trail, {"date": "week"}).context["cl"].result_list
    assert [change.action for change in recent] == ["published"]
    older = editor_client.get(trail, {"date": "2021"}).context["cl"].result_list
    assert [change.action for change in older] == ["created"]


def test_authors_see_only_the_audit_trail_of_their_own_briefings(client):
    """Reproduces the report that an author read others' unpublished titles and notes in the trail."""
    author, other = make_user("aiko", group="Authors"), make_user("omar", group="Authors")
    mine = make_briefing(title="My draft", by=author)
    theirs = make_briefing(title="Secret merger plans", by=other)
    publishing.submit_for_review(theirs, by=other, note="Embargoed until the summit")
    client.force_login(author)
    trail = client.get(reverse("admin:briefings_statechange_changelist"))
    assert trail.status_code == 200
    assert {change.briefing for change in trail.context["cl"].result_list} == {mine}
    assert "Secret merger plans" not in trail.text and "Embargoed" not in trail.text and "omar" not in trail.text
    theirs_entry = theirs.state_changes.first()
    assert client.get(reverse("admin:briefings_statechange_change", args=[theirs_entry.pk])).status_code == 302


def test_only_editors_move_a_published_briefing_and_its_old_address_redirects(editor_client):
    """Reproduces the report that an author moved a live briefing's address without publishing."""
    author = make_user("aiko", group="Authors")
    briefing = make_briefing(title="Cable security", by=author, publish=True)
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    author_client, client = Client(), Client()
    author_client.force_login(author)
    assert 'name="slug"' not in author_client.get(url).text
    author_client.post(url, briefing_form_data(briefing, slug="secret-new-address"))
    briefing.refresh_from_db()
    assert briefing.slug == "cable-security"

    assert "/briefings/cable-security/" in client.get(sitemap_of(briefing)).text  # now cached
    response = editor_client.post(url, briefing_form_data(briefing, slug="undersea-cable-security"))
    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.slug == "undersea-cable-security"
    moved = briefing.state_changes.get(action="moved")
    assert moved.by == editor_client.user and moved.note == "From cable-security"
    assert client.get("/briefings/cable-security/")["Location"] == "/briefings/undersea-cable-security/"
    assert "/briefings/undersea-cable-security/" in client.get(sitemap_of(briefing)).text
