"""Every kind of public page in headless Chromium: phone and desktop screenshots, an axe-core audit,
no request to another host, and the site working without JavaScript."""

import gzip
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from briefings import publishing
from briefings.models import Briefing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
WIDTHS = {"phone": (320, 720), "desktop": (1280, 900)}


@pytest.fixture
def demo_site(django_db_serialized_rollback, live_server):
    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    editor = User.objects.get(username="editor")
    publishing.withdraw(
        Briefing.objects.get(slug="sahel-security-realignment"), by=editor, note="A key source was withdrawn."
    )
    publishing.unpublish(Briefing.objects.get(slug="aukus-pillar-two"), by=editor, note="Legal request.")
    draft = Briefing.objects.get(slug="arctic-northern-fleet")
    return live_server, publishing.share_preview(draft, by=editor).token


def page_kinds(preview_token: str) -> dict[str, str]:
    part_two = "japan-space-operations-part-2"
    return {
        "home": "/",
        "briefing-list": "/briefings/?page=2",
        "briefing": "/briefings/baltic-undersea-cables/",
        "long-briefing": "/briefings/black-sea-naval-drones/",
        "briefing-in-series": f"/briefings/{part_two}/",
        "old-version": f"/briefings/{part_two}/v/1/",
        "changes": f"/briefings/{part_two}/changes/",
        "withdrawn": "/briefings/sahel-security-realignment/",
        "theme-index": "/themes/",
        "theme": "/themes/defence-policy/?region=nato",
        "region-index": "/regions/",
        "region": "/regions/asia/",
        "author-index": "/authors/",
        "author": "/authors/laurent-mercier/",
        "series-index": "/series/",
        "series": "/series/japan-and-ukraine-in-space/",
        "archive": "/archive/",
        "archive-month": "/archive/2025/11/",
        "archive-year": "/archive/2025/",
        "search": "/search/?q=japan+space",
        "search-suggestion": "/search/?q=satelite",
        "email-alerts": "/alerts/?theme=defence-policy&region=europe",
        "preview": reverse("briefings:preview", args=[preview_token]),
        "not-found": "/briefings/no-such-briefing/",
        "gone": "/briefings/aukus-pillar-two/",
        # In French: the interface at /fr/, and a translated briefing (corrected in French only) in its language.
        "home-fr": "/fr/",
        "briefing-fr": "/briefings/grand-nord-finlande-suede-otan/",
        "changes-fr": "/briefings/grand-nord-finlande-suede-otan/changes/",
        "theme-fr": "/fr/themes/defence-industry/",
        "region-index-fr": "/fr/regions/",
        "archive-month-fr": "/fr/archive/2025/11/",
        "search-fr": "/fr/search/?q=drones",
        "email-alerts-fr": "/fr/alerts/?theme=defence-industry",
    }


def audit(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [
        f"{violation['id']}: {violation['help']} ({', '.join(node['target'][0] for node in violation['nodes'][:3])})"
        for violation in result["violations"]
    ]


def test_every_kind_of_page_passes_an_accessibility_audit_at_phone_and_desktop_widths(
    demo_site, browser, screenshot_dir
):
    server, token = demo_site
    requested_hosts = set()
    for width_name, (width, height) in WIDTHS.items():
        # axe-core is injected as an inline script, which the site's policy refuses (see the next test).
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        page = context.new_page()
        page.on("request", lambda request: requested_hosts.add(urlsplit(request.url).netloc))
        for kind, path in page_kinds(token).items():
            page.goto(server.url + path)
            page.screenshot(path=screenshot_dir / f"{kind}-{width_name}.png", full_page=True)
            assert audit(page) == [], f"{kind} at {width_name} width"
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{kind} scrolls sideways at {width_name} width"
        context.close()
    assert requested_hosts == {urlsplit(server.url).netloc}, "requests to other hosts"


def test_no_page_breaks_its_content_security_policy(demo_site, page, csp_violations):
    server, token = demo_site
    for kind, path in page_kinds(token).items():
        page.goto(server.url + path)
        page.wait_for_load_state("load")
        assert csp_violations == [], kind


def test_the_site_works_without_javascript(demo_site, browser):
    server, _ = demo_site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Themes").click()
    page.get_by_role("link", name="Defence policy").click()
    page.get_by_role("navigation", name="Narrow by region").get_by_role("link", name="Japan").click()
    expect(page.locator("h1")).to_contain_text("in Japan")
    page.get_by_role("link", name="Sharing the view from orbit").first.click()
    page.get_by_role("button", name="Show changes").click()
    expect(page.locator("h1")).to_have_text("What changed between version 1 and version 2")
    expect(page.locator(".diff ins").first).to_contain_text("2023")
    context.close()


def test_keyboard_users_can_skip_to_the_content(demo_site, page):
    server, _ = demo_site
    page.goto(server.url + "/briefings/baltic-undersea-cables/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused


def test_a_printed_briefing_is_the_article_its_notes_and_its_citation(demo_site, page):
    server, _ = demo_site
    page.goto(server.url + "/briefings/japan-space-operations-part-2/")
    page.emulate_media(media="print")
    for hidden in ["nav[aria-label=Sections]", ".search-box", ".rail", ".footnote-backref", ".cite a[download]"]:
        elements = page.locator(hidden).all()
        assert elements and not any(element.is_visible() for element in elements), hidden
    for shown in [".prose", ".footnote", ".cite .citation", ".print-only"]:
        expect(page.locator(shown).first).to_be_visible()
    expect(page.locator(".print-only")).to_contain_text("/briefings/japan-space-operations-part-2/v/2/")
    printed_notes = page.evaluate(
        """[...document.querySelectorAll('.footnote a[href^="http"]')].map(
            link => [link.href, link.textContent + getComputedStyle(link, '::after').content])"""
    )
    assert printed_notes and all(href.rstrip("/") in printed.replace('"', "") for href, printed in printed_notes)


def test_the_briefing_page_puts_a_rail_beside_the_text_on_wide_screens_and_under_it_on_phones(demo_site, page):
    server, _ = demo_site
    page.goto(server.url + "/briefings/japan-space-operations-part-2/")
    text, rail = page.locator(".briefing-main").bounding_box(), page.locator(".rail").bounding_box()
    assert rail["x"] >= text["x"] + text["width"] and rail["y"] < text["y"] + 200
    page.set_viewport_size({"width": 320, "height": 720})
    text, rail = page.locator(".briefing-main").bounding_box(), page.locator(".rail").bounding_box()
    assert rail["y"] >= text["y"] + text["height"] and page.evaluate("document.body.scrollWidth") <= 320


PAGE_BUDGET_BYTES = 60_000  # transferred before images: HTML and CSS as a proxy gzips them, fonts as they are


def test_every_kind_of_page_stays_within_its_weight_budget(demo_site, page):
    server, token = demo_site
    for kind, path in page_kinds(token).items():
        transferred: dict[str, int] = {}

        def weigh(response, transferred=transferred):
            kind_of_resource = response.request.resource_type
            if kind_of_resource == "image" or response.status >= 300:
                return
            body = response.body()
            transferred[response.url] = len(body) if kind_of_resource == "font" else len(gzip.compress(body))

        page.on("response", weigh)
        page.goto(server.url + path)
        page.wait_for_load_state("networkidle")
        page.remove_listener("response", weigh)
        total = sum(transferred.values())
        assert total < PAGE_BUDGET_BYTES, f"{kind}: {total:,} bytes ({transferred})"
