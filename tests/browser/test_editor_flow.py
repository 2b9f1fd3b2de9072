"""An editor's whole day in headless Chromium: write, preview, tag, publish, revise, compare, restore."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from briefings.management.commands.load_demo import DEMO_PASSWORD
from briefings.models import Briefing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BODY = "## Why it matters\n\nJapan now shares what it sees.[^1]\n\n[^1]: Source: https://example.org/report."


def choose(page, field: str, search: str, option: str) -> None:
    """Pick a value in one of the admin's autocomplete (select2) widgets."""
    page.locator(f".field-{field} .select2-selection, #{field} .select2-selection").first.click()
    page.locator(".select2-search__field").last.fill(search)
    page.locator(".select2-results__option", has_text=option).first.click()


def test_editor_writes_publishes_revises_compares_and_restores(live_server, page, screenshot, csp_violations):
    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("Dana")

    page.goto(f"{live_server.url}/admin/briefings/briefing/add/")
    page.fill("#id_title", "Tokyo's view from orbit")
    page.fill("#id_body", BODY)
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("h2")).to_have_text("Why it matters")
    expect(preview.locator("li#fn\\:1")).to_contain_text("Source:")
    choose(page, "themes", "Space", "Space")
    choose(page, "regions", "Japan", "Japan")
    page.locator("#byline-0 .select2-selection").click()
    page.locator(".select2-search__field").last.fill("Aiko")
    page.locator(".select2-results__option", has_text="Aiko Tanaka").first.click()
    page.fill("#id_change_note", "First draft")
    screenshot("1-editor")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.click("text=Publish")
    # Two pairs of eyes: the editor wrote this revision, so publishing it alone needs a reason on the record.
    page.fill("#id_without_review_reason", "The launch is this afternoon.")
    screenshot("1b-publish-without-review")
    page.click("input[type=submit][value='Publish without review']")
    expect(page.locator(".messagelist")).to_contain_text("published")

    briefing = Briefing.objects.get(slug="tokyos-view-from-orbit")
    page.goto(f"{live_server.url}/briefings/{briefing.slug}/")
    expect(page.locator("h1")).to_have_text("Tokyo’s view from orbit")  # typeset, as the body is
    expect(page.locator(".body h2")).to_have_text("Why it matters")
    expect(page.locator("#fn\\:1")).to_contain_text("example.org")
    expect(page.locator(".briefing-footer")).to_contain_text("Japan")
    screenshot("2-public")

    page.goto(f"{live_server.url}/admin/briefings/briefing/{briefing.pk}/change/")
    page.fill("#id_body", BODY.replace("shares what it sees", "shares much of what it sees"))
    page.fill("#id_change_note", "Nuance")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.click("text=History and versions")
    page.click("input[value='Compare selected revisions']")
    expect(page.locator(".diff ins")).to_contain_text("much of")
    screenshot("3-compare")

    page.click("text=Back to the history")
    page.locator("#revisions tr", has_text="First draft").get_by_role("link", name="Restore").click()
    page.click("input[type=submit][value=Restore]")
    expect(page.locator(".messagelist")).to_contain_text("Revision 1 restored as revision 3")
    expect(page.locator("#id_body")).to_have_value(re.compile("Japan now shares what it sees"))
    briefing.refresh_from_db()
    assert briefing.latest_revision.number == 3 and briefing.body == BODY
    assert csp_violations == [], "the admin and its Markdown editor keep to their Content-Security-Policy"
