"""The editor's desk in Chromium: the change page's buttons clear of the title, the workflow forms laid out
as the admin's own, and the live preview set in the public page's type."""

import io

import pytest
from django.core.management import call_command

from briefings.management.commands.load_demo import DEMO_PASSWORD
from briefings.models import Briefing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_the_change_page_keeps_its_buttons_off_the_title_and_its_preview_in_the_public_type(live_server, page):
    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    briefing = Briefing.objects.get(slug="japan-space-operations-part-2")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/admin/briefings/briefing/{briefing.pk}/change/")
        title = page.locator("#content h2").first.bounding_box()
        for button in page.locator("#content .object-tools li").all():
            assert not overlaps(button.bounding_box(), title), width
    preview = page.locator(".markdownx-preview p").first
    preview.wait_for()
    assert "Source Serif 4" in preview.evaluate("element => getComputedStyle(element).fontFamily")
    assert page.locator(".markdownx-preview ul li, .markdownx-preview ol li").first.evaluate(
        "element => getComputedStyle(element).listStyleType"
    ) in ("disc", "decimal")

    page.goto(f"{live_server.url}/admin/briefings/briefing/{briefing.pk}/withdraw/")
    label, field = page.locator("label[for=id_note]"), page.locator("#id_note")
    assert page.locator("fieldset.module.aligned").count() == 1
    assert label.bounding_box()["x"] + label.bounding_box()["width"] <= field.bounding_box()["x"]
