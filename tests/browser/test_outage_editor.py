"""An editor saves while the database is stopped: the text comes back with a clear message, and goes
in with one click once the database returns. Reproduces the report of a 500 page and lost text."""

import psycopg
import pytest
from playwright.sync_api import expect

from briefings.management.commands.load_demo import DEMO_PASSWORD
from tests.servers import gunicorn
from tests.test_outage import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

BODY = "## What changed\n\nA long paragraph the editor typed for twenty minutes.[^1]\n\n[^1]: A source."


def test_an_editor_saving_during_an_outage_keeps_the_text_and_saves_it_later(
    stoppable_database, static_root, tmp_path, page, screenshot
):
    cluster, url = stoppable_database
    with gunicorn(static_root, tmp_path, DATABASE_URL=url) as server:
        site = f"http://127.0.0.1:{server.port}"
        page.goto(f"{site}/admin/login/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("input[type=submit]")
        page.goto(f"{site}/admin/briefings/briefing/add/")
        page.fill("#id_title", "Written during an outage")
        page.fill("#id_body", BODY)

        cluster.stop()
        try:
            page.click("input[name=_save]")
            expect(page.locator("h1")).to_have_text("The site is unavailable for a moment")
            expect(page.locator(".outage-notice")).to_contain_text("The database is unavailable: nothing was saved.")
            expect(page.locator("textarea[name=body]")).to_have_value(BODY)
            expect(page.locator("textarea[name=title]")).to_have_value("Written during an outage")
            screenshot("text-kept")
        finally:
            cluster.start()
        wait_for(server.port, "/series/", 200)
        page.get_by_role("button", name="Try again").click()
        expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    with psycopg.connect(url) as database:
        saved = database.execute("SELECT body FROM briefings_briefing WHERE title = 'Written during an outage'")
        assert [row[0] for row in saved] == [BODY]
