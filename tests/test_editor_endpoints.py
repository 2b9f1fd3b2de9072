"""The Markdown editor's preview and upload endpoints answer only staff who may write briefings."""

import io
import struct
import zlib

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from briefings.images import CappedUploadHandler
from tests.helpers import make_user

pytestmark = pytest.mark.django_db
PREVIEW = reverse("admin:briefings_briefing_markdown_preview")
UPLOAD = reverse("admin:briefings_briefing_markdown_upload")


def image_bytes(format_name: str = "PNG", size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=format_name)
    return buffer.getvalue()


def upload(client, data: bytes, name: str, content_type: str):
    file = io.BytesIO(data)
    file.name = name
    return client.post(UPLOAD, {"image": file}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")


def test_preview_renders_with_the_sanitising_renderer_for_writers(client):
    client.force_login(make_user("aiko", group="Authors"))
    response = client.post(PREVIEW, {"content": "## Title\n\nText[^1] <script>x()</script>\n\n[^1]: Note."})
    body = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="title">Title</h2>' in body and 'id="fn:1"' in body and "<script" not in body
    assert "no-store" in response["Cache-Control"]


def test_preview_and_upload_refuse_anonymous_visitors_and_staff_without_permission(client):
    assert client.post(PREVIEW, {"content": "x"}).status_code == 302  # to the admin login
    assert client.post(UPLOAD, {}).status_code == 302
    User.objects.create_user("plain", password="x", is_staff=True)
    client.force_login(User.objects.get(username="plain"))
    assert client.post(PREVIEW, {"content": "x"}).status_code == 403
    assert upload(client, image_bytes(), "a.png", "image/png").status_code == 403


def test_upload_stores_a_reencoded_image_under_a_generated_name(client, settings):
    client.force_login(make_user())
    response = upload(client, image_bytes("JPEG"), "../../evil name.html", "text/html")
    assert response.status_code == 200
    code = response.json()["image_code"]
    path = code[code.index("(") + 1 : -1]
    assert path.startswith("/media/uploads/") and path.endswith(".jpg") and "evil" not in path
    stored = settings.MEDIA_ROOT / path.removeprefix("/media/")
    assert Image.open(stored).format == "JPEG"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg"),
        (b"GIF89a<html><script>alert(1)</script></html>", "a.gif"),
        (b"not an image at all", "a.png"),
    ],
)
def test_upload_refuses_what_is_not_a_raster_image(client, data, name):
    client.force_login(make_user())
    response = upload(client, data, name, "image/gif")
    assert response.status_code == 400
    assert response.json()["image"]


def test_upload_refuses_files_over_the_size_limit(client, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    client.force_login(make_user())
    response = upload(client, image_bytes(size=(400, 400)), "big.png", "image/png")
    assert response.status_code == 400 and "larger than" in response.json()["image"][0]


def test_gif_uploads_are_converted_to_png(client):
    client.force_login(make_user())
    response = upload(client, image_bytes("GIF"), "a.gif", "image/gif")
    assert response.status_code == 200 and response.json()["image_code"].endswith(".png)")


def test_responses_forbid_content_sniffing(client):
    assert client.get("/").headers["X-Content-Type-Options"] == "nosniff"


def test_uploaded_images_are_served_with_their_type_and_nosniff(client, settings):
    client.force_login(make_user())
    code = upload(client, image_bytes("PNG"), "a.png", "image/png").json()["image_code"]
    url = code[code.index("(") + 1 : -1]
    client.logout()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("path", ["/media/uploads/page.html", "/media/../briefings/settings.py", "/media/none.png"])
def test_the_media_folder_serves_nothing_but_images(client, settings, path):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "uploads").mkdir(exist_ok=True)
    (settings.MEDIA_ROOT / "uploads" / "page.html").write_text("<script>alert(1)</script>")
    assert client.get(path).status_code == 404


def test_an_upload_declared_larger_than_any_form_is_refused_before_it_is_read(client, settings):
    """Reproduces the report that a 300 MB upload was read into a worker's memory before the size check."""
    client.force_login(make_user())
    declared = settings.REQUEST_MAX_BYTES + 1
    response = client.post(UPLOAD, {"image": io.BytesIO(b"tiny")}, CONTENT_LENGTH=str(declared))
    assert response.status_code == 413 and "too large" in response.text


def test_an_upload_past_the_limit_is_dropped_as_it_streams_and_refused(client, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 64 * 1024
    client.force_login(make_user())
    response = upload(client, b"\x89PNG" + b"\x00" * (settings.IMAGE_UPLOAD_MAX_BYTES * 4), "big.png", "image/png")
    assert response.status_code == 400 and "larger than" in response.json()["image"][0]


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds no pixels: enough for the size check to read."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [7_000, 20_000])
def test_an_image_with_too_many_pixels_is_refused_as_such(client, side):
    """Reproduces the report that a 20000×20000 PNG was refused as "not a readable image"."""
    client.force_login(make_user())
    response = upload(client, png_header(side, side), "huge.png", "image/png")
    assert response.status_code == 400
    assert "too many pixels" in response.json()["image"][0] and "megapixels" in response.json()["image"][0]


def test_the_upload_handler_keeps_nothing_past_the_limit(settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    handler = CappedUploadHandler()
    handler.new_file("image", "big.png", "image/png", None)
    kept = [handler.receive_data_chunk(b"x" * 400, start) for start in range(0, 4000, 400)]
    assert [len(chunk) for chunk in kept if chunk] == [400, 400] and kept[2:] == [None] * 8
    stand_in = handler.file_complete(4000)
    assert stand_in.size == 4000
    with pytest.raises(ValidationError, match="larger than 1000"):
        stand_in.read()
