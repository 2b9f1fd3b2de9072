"""A long briefing's PDF as a reader gets it: linked from the page, opened from the link, its first page
turned into a picture (poppler's pdftoppm) in test-artifacts/ to look at."""

import io
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection
from pypdf import PdfReader

from briefings.models import Briefing, VersionPdf
from tests.browser.conftest import ARTIFACTS
from tests.helpers import run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LONG_BRIEFING = "european-ammunition-production"


@pytest.fixture
def long_briefing_with_its_pdf(django_db_serialized_rollback, live_server):
    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    with connection.cursor() as cursor:  # only this briefing's file, to keep the test short
        cursor.execute("DELETE FROM procrastinate_jobs WHERE args->>'revision_id' <> %s", [str(
            Briefing.objects.get(slug=LONG_BRIEFING).live_revision_id
        )])  # fmt: skip
    run_worker()
    return live_server


def test_a_reader_downloads_the_long_briefings_pdf_from_its_page(long_briefing_with_its_pdf, page, screenshot):
    server = long_briefing_with_its_pdf.url
    page.goto(f"{server}/briefings/{LONG_BRIEFING}/")
    link = page.get_by_role("link", name="Download PDF")
    pdf = VersionPdf.objects.get(revision__briefing__slug=LONG_BRIEFING)
    assert f"{pdf.pages} pages" in page.locator(".rail .actions").inner_text()
    screenshot("rail")

    response = page.request.get(server + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    body = response.body()
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == pdf.pages >= 5
    contents = reader.pages[0].extract_text()
    assert "Contents" in contents and "Europe’s ammunition gap" in contents

    ARTIFACTS.mkdir(exist_ok=True)
    saved = ARTIFACTS / f"{LONG_BRIEFING}-v1.pdf"
    saved.write_bytes(body)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(saved), str(ARTIFACTS / "pdf-page")], check=True
    )
    assert (ARTIFACTS / "pdf-page-1.png").stat().st_size > 20_000
