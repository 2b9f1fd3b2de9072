"""Accepting images from editors: real raster images only, re-encoded, stored under generated names."""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

# Format detected from the bytes → (format to write, extension). Everything else is refused.
ACCEPTED_FORMATS = {"JPEG": ("JPEG", "jpg"), "PNG": ("PNG", "png"), "GIF": ("PNG", "png"), "WEBP": ("WEBP", "webp")}


def reencode_image(data: bytes) -> tuple[bytes, str]:
    """Check that the bytes are an accepted raster image and return it re-encoded, with its extension.

    The content decides, never the declared type or file name: SVG, HTML disguised as GIF or a
    decompression bomb are all refused. Re-encoding drops anything smuggled beside the pixels.
    """
    if len(data) > settings.IMAGE_UPLOAD_MAX_BYTES:
        raise too_large()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            detected = probe.format
            if probe.width * probe.height > settings.IMAGE_UPLOAD_MAX_PIXELS:
                raise too_many_pixels(probe.width, probe.height)
            probe.verify()
        if detected not in ACCEPTED_FORMATS:
            raise ValidationError("Only JPEG, PNG, GIF and WebP images can be uploaded.")
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            output_format, extension = ACCEPTED_FORMATS[detected]
            if output_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            elif output_format != "JPEG" and image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            encoded = io.BytesIO()
            image.save(encoded, format=output_format, quality=88)
    except Image.DecompressionBombError as error:  # Pillow's own bound, met before ours can be read
        raise too_many_pixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ValidationError("The file is not a readable image.") from error
    return encoded.getvalue(), extension


def too_large() -> ValidationError:
    return ValidationError(f"The image is larger than {filesizeformat(settings.IMAGE_UPLOAD_MAX_BYTES)}.")


def too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    size = f" ({width:,} × {height:,})" if width else ""
    limit = settings.IMAGE_UPLOAD_MAX_PIXELS / 1_000_000
    return ValidationError(f"The image has too many pixels{size}: at most {limit:g} megapixels. Scale it down.")


class OversizedUpload(UploadedFile):
    """Stands in for an uploaded file that passed the size limit: its bytes were dropped as they came."""

    def __init__(self, name: str, content_type: str, size: int):
        super().__init__(io.BytesIO(), name, content_type, size)

    def read(self, *args) -> bytes:
        raise too_large()


class CappedUploadHandler(FileUploadHandler):
    """Keeps no more of an uploaded file than IMAGE_UPLOAD_MAX_BYTES: past it, the rest of the file is
    read from the request and dropped, and the form gets an `OversizedUpload` to refuse."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        return None if self.received > settings.IMAGE_UPLOAD_MAX_BYTES else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > settings.IMAGE_UPLOAD_MAX_BYTES:
            return OversizedUpload(self.file_name, self.content_type, self.received)
        return None


def store_image(data: bytes, *, folder: str) -> str:
    """Validate, re-encode and store an image; return its storage name."""
    encoded, extension = reencode_image(data)
    name = f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"
    return default_storage.save(name, ContentFile(encoded))


# Smaller copies of a hero image, so that a phone or a list card downloads no more than it shows.
RENDITION_WIDTHS = (480, 960)


def rendition_name(name: str, width: int) -> str:
    stem, dot, extension = name.rpartition(".")
    return f"{stem}-{width}w.{extension}"


def make_renditions(name: str) -> None:
    """Store each rendition of a stored image that is missing; an image narrower than a rendition is
    copied at its own size, so that every rendition exists and pages can name them without asking."""
    with default_storage.open(name, "rb") as stored, Image.open(stored) as image:
        image.load()
        for width in RENDITION_WIDTHS:
            target = rendition_name(name, width)
            if default_storage.exists(target):
                continue
            copy = image.copy()
            copy.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
            encoded = io.BytesIO()
            copy.save(encoded, format=image.format, quality=82)
            default_storage.save(target, ContentFile(encoded.getvalue()))


def srcset(name: str) -> str:
    return ", ".join(f"{default_storage.url(rendition_name(name, width))} {width}w" for width in RENDITION_WIDTHS)
