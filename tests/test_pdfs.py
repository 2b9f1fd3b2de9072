"""Every published version as a PDF: asked for in the publishing transaction, made by the queue's own
worker, stored once, served under the page's visibility rules, linked from the page, feeds and sitemap."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob
from pypdf import PdfReader

from briefings import publishing
from briefings.models import Series, VersionPdf
from briefings.pdfs import render_pdf
from briefings.publishing.pdfs import store_pdf
from tests.concurrency import meet_at_the_lock
from tests.helpers import edit, make_author, make_briefing, make_theme, make_user, region, run_worker, sitemap_of

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.usefixtures("empty_queue")]

NOTED_BODY = """## What changed

Japan now shares imagery with its partners.[^1] The rules date from 2008.[^2]

| Year | Law | Effect |
| ---: | --- | --- |
| 2008 | Basic Space Law | Defence uses allowed |
| 2022 | Security strategy | Space named a domain |

[^1]: Ministry of Defense, <https://www.mod.go.jp/en/d_act/space/index.html>
[^2]: See [the law's text](https://laws.example.org/basic-space-law) for its article 2.
"""


def pdf_jobs():
    return ProcrastinateJob.objects.filter(task_name="make_pdf")


def published(**content):
    content = {"body": NOTED_BODY, "standfirst": "How Tokyo came to share what it sees.", **content}
    themes, regions = [make_theme("Space")], [region("Japan")]
    authors = [make_author("Aiko Tanaka")]
    return make_briefing(publish=True, themes=themes, regions=regions, authors=authors, **content)


def stored_pdf(briefing, number: int = 1) -> PdfReader:
    pdf = VersionPdf.objects.get(revision__briefing=briefing, revision__number=number)
    with default_storage.open(pdf.file.name) as file:
        return PdfReader(io.BytesIO(file.read()))


def text_of(reader: PdfReader) -> str:
    return " ".join(page.extract_text() for page in reader.pages)


def test_a_publish_queues_exactly_one_pdf_job_and_a_rolled_back_one_none():
    briefing = make_briefing()
    with pytest.raises(RuntimeError), transaction.atomic():
        publishing.publish(briefing, by=None)
        assert pdf_jobs().count() == 1  # inside the transaction, beside the publication
        raise RuntimeError("the request fails after publishing")
    assert not pdf_jobs().exists() and not VersionPdf.objects.exists()

    publishing.publish(briefing, by=None)
    job = pdf_jobs().get()
    assert job.args == {"revision_id": briefing.latest_revision_id} and job.status == "todo"
    assert VersionPdf.objects.get().status == "queued"


def test_the_worker_makes_a_pdf_with_the_title_every_note_address_and_the_permalink(settings):
    settings.SITE_URL = "https://briefings.example.org"
    series = Series.objects.create(title="Japan in space", slug="japan-in-space")
    briefing = published(title="Japan's space cooperation", series=series, part=2)
    run_worker()

    pdf = VersionPdf.objects.get()
    assert pdf.status == "ready" and pdf.file.name == "pdfs/japans-space-cooperation-v1.pdf"
    reader = stored_pdf(briefing)
    assert pdf.pages == len(reader.pages) and pdf.size == default_storage.size(pdf.file.name)
    text = " ".join(text_of(reader).split())
    assert "Japan’s space cooperation" in text
    for address in ["https://www.mod.go.jp/en/d_act/space/index.html", "https://laws.example.org/basic-space-law"]:
        assert address in text.replace(" ", "")
    assert "https://briefings.example.org/briefings/japans-space-cooperation/v/1/" in text.replace(" ", "")
    assert "Basic Space Law" in text and "Aiko Tanaka" in text and "Japan in space, part 2" in text

    metadata = reader.metadata
    assert metadata.title == "Japan’s space cooperation" and metadata.author == "Aiko Tanaka"
    assert metadata.subject == "How Tokyo came to share what it sees."
    assert metadata["/Keywords"] == "Space, Japan"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    fonts = {font.get_object()["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("Source-Serif-4" in name for name in fonts), fonts  # the project's own, embedded


def test_notes_sit_at_the_foot_of_the_page_that_calls_them():
    notes = "".join(f"Point {n} stands on a source.[^{n}]\n\n" for n in range(1, 31))
    sources = "".join(f"[^{n}]: Source number {n}, https://example.org/source/{n}\n" for n in range(1, 31))
    briefing = published(body=f"## Argument\n\n{notes}\n{sources}")
    run_worker()
    for page in stored_pdf(briefing).pages:
        text = page.extract_text()
        called = {n for n in range(1, 31) if f"Point {n} stands" in text}
        noted = {n for n in range(1, 31) if f"Source number {n}," in text}
        assert called == noted


def test_making_a_pdf_again_replaces_its_one_file():
    briefing = published()
    run_worker()
    call_command("make_pdfs", briefing.slug, stdout=io.StringIO(), stderr=io.StringIO())
    assert pdf_jobs().filter(status="todo").count() == 1
    run_worker()
    assert default_storage.listdir("pdfs")[1] == [f"{briefing.slug}-v1.pdf"]
    assert VersionPdf.objects.get().attempts == 1


def test_make_pdfs_queues_the_missing_ones_and_refuses_unknown_briefings():
    first, second = published(title="First"), published(title="Second")
    VersionPdf.objects.filter(revision__briefing=first).delete()
    pdf_jobs().delete()
    out = io.StringIO()
    call_command("make_pdfs", missing=True, stdout=out, stderr=io.StringIO())
    assert "1 PDF(s) queued" in out.getvalue()
    assert pdf_jobs().get().args == {"revision_id": first.live_revision_id}
    with pytest.raises(Exception, match="No published briefing at: nowhere"):
        call_command("make_pdfs", "nowhere", stdout=io.StringIO(), stderr=io.StringIO())
    assert second.live_revision.pdf.status == "queued"


def test_readers_get_the_file_inline_with_its_name_and_a_long_life(client):
    briefing = published(title="Orbit")
    response = client.get(f"/briefings/{briefing.slug}/v/1/pdf/")
    assert response.status_code == 202 and response["Retry-After"] == "10"
    assert b'http-equiv="refresh"' in response.content and b"being made" in response.content

    run_worker()
    response = client.get(f"/briefings/{briefing.slug}/v/1/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="orbit-v1.pdf"'
    assert response["Cache-Control"] == "public, max-age=86400"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    again = client.get(f"/briefings/{briefing.slug}/v/1/pdf/", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    current = client.get(f"/briefings/{briefing.slug}/pdf/")
    assert current.status_code == 200 and current["Content-Disposition"] == 'inline; filename="orbit-v1.pdf"'


def test_a_pdf_follows_its_briefing_out_of_sight(client):
    draft = make_briefing(title="Never published")
    assert client.get(f"/briefings/{draft.slug}/pdf/").status_code == 404
    assert client.get(f"/briefings/{draft.slug}/v/1/pdf/").status_code == 404

    briefing = published(title="Later unpublished")
    edit(briefing, body="A draft nobody published.")
    run_worker()
    assert client.get(f"/briefings/{briefing.slug}/v/2/pdf/").status_code == 404
    publishing.unpublish(briefing, by=None)
    assert client.get(f"/briefings/{briefing.slug}/v/1/pdf/").status_code == 410
    assert client.get(f"/briefings/{briefing.slug}/pdf/").status_code == 410
    assert not VersionPdf.objects.filter(revision__briefing=briefing).exists()
    assert default_storage.listdir("pdfs")[1] == []  # nothing left where a bucket could serve it


def test_a_scheduled_briefing_gets_its_pdf_when_it_goes_live(client):
    briefing = make_briefing(title="Embargoed")
    go_live = timezone.now() + timedelta(hours=2)
    publishing.publish(briefing, by=None, at=go_live)
    job = pdf_jobs().get()
    assert job.scheduled_at == go_live
    run_worker()
    assert VersionPdf.objects.get().status == "queued" and not default_storage.exists("pdfs/embargoed-v1.pdf")
    assert client.get(f"/briefings/{briefing.slug}/pdf/").status_code == 404

    later = go_live + timedelta(days=1)
    publishing.publish(briefing, by=None, at=later)  # rescheduled: the waiting job moves with it
    assert pdf_jobs().get().scheduled_at == later


def test_a_withdrawn_briefings_pdfs_are_made_again_marked_withdrawn(client):
    briefing = published(title="Retracted")
    edit(briefing, body="Second text.")
    publishing.publish(briefing, by=None, change_kind="correction", note="A figure was wrong.")
    run_worker()
    listed = f"<loc>http://testserver/briefings/{briefing.slug}/v/2/pdf/</loc>"
    assert listed in client.get(sitemap_of(briefing, "pdfs")).content.decode()
    publishing.withdraw(briefing, by=make_user(), note="Its main source proved unreliable.")
    assert pdf_jobs().filter(status="todo").count() == 2
    assert client.get(f"/briefings/{briefing.slug}/v/1/pdf/").status_code == 202  # not the unmarked file
    assert listed not in client.get(sitemap_of(briefing, "pdfs")).content.decode()  # until marked withdrawn
    run_worker()
    assert listed in client.get(sitemap_of(briefing, "pdfs")).content.decode()
    for number in (1, 2):
        assert client.get(f"/briefings/{briefing.slug}/v/{number}/pdf/").status_code == 200
        text = " ".join(text_of(stored_pdf(briefing, number)).split())
        assert "Withdrawn" in text and "Its main source proved unreliable." in text
    assert "Correction in this version: A figure was wrong." in " ".join(text_of(stored_pdf(briefing, 2)).split())


def test_the_page_feeds_and_sitemap_link_the_pdf_once_it_is_made(client):
    briefing = published(title="Linked")
    page = client.get(f"/briefings/{briefing.slug}/").content.decode()
    assert "Download PDF" not in page and "citation_pdf_url" not in page
    run_worker()
    pdf = VersionPdf.objects.get()
    address = f"http://testserver/briefings/{briefing.slug}/v/1/pdf/"
    page = client.get(f"/briefings/{briefing.slug}/").content.decode()
    assert f'<meta name="citation_pdf_url" content="{address}">' in page
    assert f'href="/briefings/{briefing.slug}/v/1/pdf/"' in page and f"{pdf.pages} page" in page
    atom = client.get("/feeds/all.atom").content.decode()
    assert f'<link href="{address}" length="{pdf.size}" rel="enclosure" type="application/pdf"/>' in atom
    assert (
        f'<enclosure length="{pdf.size}" type="application/pdf" url="{address}"/>'
        in client.get("/feeds/all.rss").content.decode()
    )
    assert f"<loc>{address}</loc>" in client.get(sitemap_of(briefing, "pdfs")).content.decode()


def test_a_failing_render_is_retried_with_back_off_then_shown_failed_to_staff_only(client, monkeypatch, settings):
    def broken_render(revision_id):
        raise OSError("the fonts folder is unreadable")

    monkeypatch.setattr("briefings.tasks.render_pdf", broken_render)
    briefing = published(title="Broken")
    for attempt in range(1, settings.PDF_MAX_ATTEMPTS + 1):
        run_worker()
        job, pdf = pdf_jobs().get(), VersionPdf.objects.get()
        assert pdf.attempts == attempt and pdf.error == "OSError: the fonts folder is unreadable"
        if attempt < settings.PDF_MAX_ATTEMPTS:
            assert job.status == "todo" and job.scheduled_at > timezone.now()  # waits before the next try
            assert pdf.status == "queued"
            pdf_jobs().update(scheduled_at=timezone.now())  # the wait has passed
    assert job.status == "failed" and pdf.status == "failed"

    reader_view = client.get(f"/briefings/{briefing.slug}/pdf/")
    assert reader_view.status_code == 503 and b"not available" in reader_view.content
    assert b"fonts folder" not in reader_view.content and b"refresh" not in reader_view.content
    client.force_login(make_user())
    listing = client.get("/admin/briefings/versionpdf/").content.decode()
    assert "Failed" in listing and "OSError: the fonts folder is unreadable" in listing
    desk = client.get(f"/admin/briefings/briefing/{briefing.pk}/change/").content.decode()
    assert "PDF of the live version</a>: failed (last try failed: OSError: the fonts folder is unreadable)" in desk


@pytest.mark.parametrize("order", ["file stored first", "unpublished first"])
def test_a_file_stored_as_its_briefing_is_unpublished_is_left_nowhere(order):
    briefing = published(title="Pulled")
    rendered = render_pdf(briefing.live_revision_id)
    stores = lambda: store_pdf(briefing.live_revision_id, rendered)  # noqa: E731
    unpublishes = lambda: publishing.unpublish(briefing, by=None)  # noqa: E731
    actions = (stores, unpublishes) if order == "file stored first" else (unpublishes, stores)
    results = meet_at_the_lock(briefing, *actions, row=VersionPdf.objects.filter(revision__briefing=briefing))
    stored = results[0 if order == "file stored first" else 1]
    assert (stored is not None) == (order == "file stored first")  # written, or refused once the row was gone
    assert not VersionPdf.objects.exists() and not default_storage.exists("pdfs/pulled-v1.pdf")


@pytest.mark.parametrize("order", ["file stored first", "withdrawn first"])
def test_a_file_drawn_before_a_withdrawal_is_never_served_without_its_mark(client, order):
    briefing = published(title="Doubted")
    rendered = render_pdf(briefing.live_revision_id)  # a worker drew it before the withdrawal
    stores = lambda: store_pdf(briefing.live_revision_id, rendered)  # noqa: E731
    withdraws = lambda: publishing.withdraw(briefing, by=None, note="Its source recanted.")  # noqa: E731
    actions = (stores, withdraws) if order == "file stored first" else (withdraws, stores)
    meet_at_the_lock(briefing, *actions, row=VersionPdf.objects.filter(revision__briefing=briefing))

    waiting = client.get(f"/briefings/{briefing.slug}/pdf/")
    assert waiting.status_code == 202 and b"being made" in waiting.content
    run_worker()
    assert client.get(f"/briefings/{briefing.slug}/pdf/").status_code == 200
    assert "Its source recanted." in " ".join(text_of(stored_pdf(briefing)).split())


def test_a_french_briefings_pdf_speaks_french():
    briefing = published(title="La coopération spatiale du Japon", language="fr")
    run_worker()
    reader = stored_pdf(briefing)
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    text = " ".join(text_of(reader).split())
    day = timezone.localtime(briefing.published_at)
    assert f"Version 1, publiée le {day.day} " in text and "Citer cette version" in text and "1 sur 1" in text
    assert "Version 1, published" not in text
