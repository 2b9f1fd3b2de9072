"""Accepting images from editors: real raster images only, re-encoded, stored under generated names."""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
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
        limit = settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"The image is larger than {limit} MB.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            detected = probe.format
            probe.verify()
        if detected not in ACCEPTED_FORMATS:
            raise ValidationError("Only JPEG, PNG, GIF and WebP images can be uploaded.")
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > settings.IMAGE_UPLOAD_MAX_PIXELS:
                raise ValidationError("The image has too many pixels.")
            image.load()
            output_format, extension = ACCEPTED_FORMATS[detected]
            if output_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            elif output_format != "JPEG" and image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            encoded = io.BytesIO()
            image.save(encoded, format=output_format, quality=88)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError("The file is not a readable image.") from error
    return encoded.getvalue(), extension


def store_image(data: bytes, *, folder: str) -> str:
    """Validate, re-encode and store an image; return its storage name."""
    encoded, extension = reencode_image(data)
    name = f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"
    return default_storage.save(name, ContentFile(encoded))
