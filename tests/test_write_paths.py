"""One write path: the admin, the importer and the demo loader save an edit the same way, and nothing else
creates a revision."""

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from briefings import publishing
from briefings.models import Briefing, Region, Revision, Theme
from tests.helpers import make_author, make_theme, make_user, region

pytestmark = pytest.mark.django_db

BODY = "## Why\n\nBecause the four partners share a sky.[^1]\n\n[^1]: A source."
FILE = (
    """---
title: Quad space cooperation
slug: quad-space-cooperation
standfirst: What the four partners share.
authors: [Jane Doe]
themes: [Space]
regions: [India, Japan]
---
"""
    + BODY
)  # the same text as the admin's form sends, which drops the final newline


def revision_row(revision: Revision) -> dict:
    """A revision as readers and editors see it: content, rendering, tags and byline."""
    return {
        **revision.content(),
        "slug": revision.slug,
        "body_html": revision.body_html,
        "word_count": revision.word_count,
        "themes": {theme.name for theme in revision.themes.all()},
        "regions": {region.name for region in revision.regions.all()},
        "authors": [author.name for author in revision.fetch_authors()],
    }


def audit_rows(briefing: Briefing) -> list[tuple]:
    return list(briefing.state_changes.order_by("at", "pk").values_list("action", "revision__number"))


def save_in_the_admin(client) -> Briefing:
    theme, author = make_theme("Space"), make_author("Jane Doe")
    data = {
        "title": "Quad space cooperation",
        "slug": "quad-space-cooperation",
        "standfirst": "What the four partners share.",
        "body": BODY.replace("\n", "\r\n"),  # as a browser sends a textarea
        "themes": [theme.pk],
        "regions": [region("Japan").pk, region("India").pk],
        "language": "en",
        "byline-TOTAL_FORMS": "1",
        "byline-INITIAL_FORMS": "0",
        "byline-MIN_NUM_FORMS": "0",
        "byline-MAX_NUM_FORMS": "1000",
        "byline-0-author": str(author.pk),
        "byline-0-position": "0",
    }
    response = client.post(reverse("admin:briefings_briefing_add"), data)
    assert response.status_code == 302
    return Briefing.objects.get(slug="quad-space-cooperation")


def import_file(tmp_path: Path, text: str = FILE) -> Briefing:
    (tmp_path / "quad.md").write_text(text, encoding="utf-8")
    call_command("import_briefings", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    return Briefing.objects.get(slug="quad-space-cooperation")


def test_a_briefing_written_in_the_admin_and_one_imported_leave_the_same_revision_and_audit_rows(client, tmp_path):
    editor = make_user("dana")
    client.force_login(editor)
    written = save_in_the_admin(client)
    written_row, written_audit = revision_row(written.latest_revision), audit_rows(written)
    Briefing.objects.filter(pk=written.pk).update(slug="moved-aside")  # free the slug for the import
    imported = import_file(tmp_path)

    assert revision_row(imported.latest_revision) == written_row
    assert audit_rows(imported) == written_audit == [("created", 1)]
    assert written.latest_revision.created_by == editor and imported.latest_revision.created_by is None


def test_an_edit_in_the_admin_and_a_reimport_leave_the_same_second_revision(client, tmp_path):
    client.force_login(make_user("dana"))
    edited_in_admin = import_file(tmp_path)
    Briefing.objects.filter(pk=edited_in_admin.pk).update(slug="moved-aside")
    import_file(tmp_path)  # the same briefing again, to be edited by a file
    new_standfirst = "What the four partners share, and what they do not."
    data = {
        "title": edited_in_admin.title,
        "slug": "moved-aside",
        "standfirst": new_standfirst,
        "body": BODY,
        "themes": [theme.pk for theme in edited_in_admin.themes.all()],
        "regions": [r.pk for r in edited_in_admin.regions.all()],
        "language": "en",
        "base_revision": str(edited_in_admin.latest_revision_id),
        "byline-TOTAL_FORMS": "1",
        "byline-INITIAL_FORMS": "0",
        "byline-MIN_NUM_FORMS": "0",
        "byline-MAX_NUM_FORMS": "1000",
        "byline-0-author": str(make_author("Jane Doe").pk),
        "byline-0-position": "0",
    }
    response = client.post(reverse("admin:briefings_briefing_change", args=[edited_in_admin.pk]), data)
    assert response.status_code == 302
    reimported = import_file(tmp_path, FILE.replace("What the four partners share.", new_standfirst))

    by_admin, by_import = Briefing.objects.get(pk=edited_in_admin.pk).latest_revision, reimported.latest_revision
    assert by_admin.number == by_import.number == 2
    assert revision_row(by_admin) | {"slug": ""} == revision_row(by_import) | {"slug": ""}
    assert audit_rows(reimported) == audit_rows(edited_in_admin) == [("created", 1)]  # an edit's record is its revision


def test_the_demo_loader_saves_its_correction_through_the_one_write_path():
    call_command("load_demo", stdout=io.StringIO())
    corrected = Briefing.objects.get(slug="japan-space-operations-part-2")
    imported, correction = corrected.revisions.order_by("number")
    editor, chief = User.objects.get(username="editor"), User.objects.get(username="chief")
    assert imported.created_by is None and imported.change_note.startswith("Imported from")
    assert correction.created_by == editor and "December 2023" in correction.body_html
    publication = corrected.state_changes.get(revision=correction, action="published")
    assert publication.by == chief and publication.change_kind == "correction" and not publication.is_unreviewed
    assert corrected.is_featured and corrected.state_changes.filter(action="featured", by=chief).exists()
    assert Theme.objects.get(name="Space").description and Region.objects.get(name="Indo-Pacific").description
    for login in User.objects.filter(username__in=["editor", "chief", "author"]):
        assert login.author.role, f"{login.username} has an author profile, so their new briefings have a byline"
    from briefings.models import Subscription

    followed = Subscription.objects.values_list("subscriber__address", "subscriber_list__title", "frequency")
    assert ("europe@example.org", "Defence industry in Europe", "immediately") in followed and len(followed) == 4
    call_command("load_demo", stdout=io.StringIO())
    assert Subscription.objects.count() == 4  # readers are the demo's once, not again


def test_only_the_save_path_creates_revisions():
    """Every revision comes from publishing.save_draft: no other code in the project writes one."""
    package = Path(__file__).resolve().parents[1] / "briefings"
    writers = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "migrations" not in path.parts
        and re.search(r"Revision\.objects\.(create|bulk_create)|revisions\.create\(", path.read_text())
    }
    assert writers == {"publishing/drafts.py"}


def test_a_save_renders_the_markdown_once(monkeypatch):
    from briefings.publishing import drafts

    calls = []
    render = drafts.render_markdown
    monkeypatch.setattr(drafts, "render_markdown", lambda text: calls.append(text) or render(text))
    saved = publishing.save_draft(Briefing(), content={"title": "Once", "slug": "once", "body": BODY}, by=None)
    assert calls == [BODY] and "<sup" in saved.revision.body_html
