from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from briefings import publishing
from briefings.models import Briefing, PreviewLink, Revision, RevisionTheme, StateChange
from tests.helpers import backdate, edit, make_author, make_briefing, make_theme, make_user, region

pytestmark = pytest.mark.django_db


def test_every_save_stores_a_numbered_revision_with_content_tags_and_author():
    editor = make_user()
    theme, japan, author = make_theme(), region("Japan"), make_author()
    briefing = make_briefing(by=editor, themes=[theme], regions=[japan], authors=[author])
    edit(briefing, by=editor, title="Japan's space group")

    first, second = briefing.revisions.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert first.title == "Japan's space squadron" and second.title == "Japan's space group"
    assert list(second.themes.all()) == [theme] and list(second.regions.all()) == [japan]
    assert second.authors == [author] and second.created_by == editor
    assert briefing.latest_revision == second


def test_revision_html_is_rendered_once_and_sanitised():
    briefing = make_briefing(body="Hi <script>alert(1)</script>")
    revision = briefing.latest_revision
    assert "<script" not in revision.body_html and "Hi" in revision.body_html


def test_editing_a_published_briefing_leaves_the_live_revision_unchanged():
    briefing = make_briefing(publish=True)
    live = briefing.live_revision
    edit(briefing, title="A new headline")
    assert briefing.live_revision == live
    assert briefing.has_unpublished_changes


def test_publishing_an_edit_needs_a_kind_and_a_substantive_one_moves_the_updated_date():
    editor = make_user()
    briefing = make_briefing(publish=True)
    assert briefing.updated_at is None
    edit(briefing, body="Corrected figure.")
    change = publishing.publish(briefing, by=editor, note="Fixed the budget figure.", change_kind="correction")
    briefing.refresh_from_db()
    assert briefing.live_revision == briefing.latest_revision
    assert briefing.updated_at is not None
    assert change.change_kind == "correction" and change.by == editor and change.is_substantive

    edit(briefing, body="Typo fixed.")
    updated_at = briefing.updated_at
    publishing.publish(briefing, by=editor, change_kind="minor")
    briefing.refresh_from_db()
    assert briefing.updated_at == updated_at

    with pytest.raises(publishing.WorkflowError):
        publishing.publish(briefing, by=editor, change_kind="first")


def test_first_publication_is_recorded_as_such():
    briefing = make_briefing(publish=True)
    change = briefing.state_changes.get(action=StateChange.Action.PUBLISHED)
    assert change.change_kind == StateChange.ChangeKind.FIRST


def test_a_future_publish_time_goes_live_by_itself():
    briefing = make_briefing()
    go_live = timezone.now() + timedelta(hours=1)
    change = publishing.publish(briefing, by=None, at=go_live)
    assert change.action == StateChange.Action.SCHEDULED
    assert not Briefing.objects.published().filter(pk=briefing.pk).exists()
    backdate(briefing, timezone.now() - timedelta(seconds=1))
    assert Briefing.objects.published().filter(pk=briefing.pk).exists()


def test_a_live_briefing_cannot_be_scheduled():
    briefing = make_briefing(publish=True)
    with pytest.raises(publishing.WorkflowError):
        publishing.publish(briefing, by=None, at=timezone.now() + timedelta(days=1))


def test_restore_makes_an_old_revision_the_newest_without_overwriting_anything():
    briefing = make_briefing(themes=[make_theme("Space")], authors=[make_author("A"), make_author("B")])
    edit(briefing, title="Second title", body="Other body")
    briefing.themes.set([])
    restored = publishing.restore(briefing, briefing.revisions.get(number=1), by=None)
    briefing.refresh_from_db()
    assert restored.number == 3
    assert briefing.title == "Japan's space squadron" and briefing.latest_revision == restored
    assert [theme.name for theme in restored.themes.all()] == ["Space"]
    assert [author.name for author in restored.authors] == ["A", "B"]
    assert briefing.revisions.count() == 3
    assert briefing.state_changes.filter(action="restored").exists()


def test_a_save_begun_on_an_older_revision_is_refused_and_its_text_kept():
    briefing = make_briefing()
    base = briefing.latest_revision_id
    edit(briefing, body="Someone else's change")
    saved = publishing.save_draft(briefing, content={"body": "My own change"}, by=None, base_revision=base)
    assert saved.is_refused and saved.current.number == 2
    kept = saved.revision
    assert kept.is_refused_edit and kept.body == "My own change" and kept.number == 3
    briefing.refresh_from_db()
    assert briefing.body == "Someone else's change" and briefing.latest_revision.number == 2


def test_revisions_cannot_be_updated_or_deleted_even_in_sql():
    briefing = make_briefing(themes=[make_theme()])
    revision = briefing.latest_revision
    for statement in (
        f"UPDATE briefings_revision SET title = 'forged' WHERE id = {revision.pk}",
        f"DELETE FROM briefings_revision WHERE id = {revision.pk}",
        f"DELETE FROM briefings_revisiontheme WHERE revision_id = {revision.pk}",
    ):
        with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert Revision.objects.get(pk=revision.pk).title == revision.title
    assert RevisionTheme.objects.filter(revision=revision).count() == 1


def test_revision_numbers_are_unique_per_briefing_in_the_database():
    briefing = make_briefing()
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.create(briefing=briefing, number=1, slug="x", title="x", body_html="")


def test_a_published_briefing_must_have_a_live_revision():
    briefing = make_briefing()
    with pytest.raises(IntegrityError), transaction.atomic():
        Briefing.objects.filter(pk=briefing.pk).update(status="published", published_at=timezone.now())


def test_workflow_submit_return_unpublish():
    author = make_user("aiko", group="Authors")
    briefing = make_briefing(by=author)
    publishing.submit_for_review(briefing, by=author)
    briefing.refresh_from_db()
    assert briefing.status == "review"
    with pytest.raises(publishing.WorkflowError):
        publishing.submit_for_review(briefing, by=author)
    publishing.return_to_draft(briefing, by=None, note="Needs sources")
    publishing.publish(briefing, by=None)
    publishing.unpublish(briefing, by=None, note="Legal request")
    briefing.refresh_from_db()
    assert briefing.status == "unpublished"
    actions = list(briefing.state_changes.order_by("at", "id").values_list("action", flat=True))
    assert actions == ["created", "submitted", "returned", "published", "unpublished"]


def test_preview_links_expire_and_can_be_revoked():
    editor = make_user()
    briefing = make_briefing()
    token = publishing.share_preview(briefing, by=editor, note="Reviewer", days=1).token
    link = PreviewLink.objects.for_token(token)
    assert link.briefing == briefing
    assert PreviewLink.objects.for_token(token + "x") is None
    publishing.revoke_preview(link, by=editor)
    assert PreviewLink.objects.for_token(token) is None
    other = publishing.share_preview(briefing, by=editor)
    other.expires_at = timezone.now() - timedelta(seconds=1)
    other.save()
    assert PreviewLink.objects.for_token(other.token) is None
