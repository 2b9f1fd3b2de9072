"""Editors' uploads go to an S3-compatible bucket when MEDIA_BUCKET names one, so every machine serves
the same files. Checked against a real S3 API (moto's server) on loopback."""

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.test_settings import production_environment

PROJECT = Path(__file__).resolve().parents[1]
BUCKET = "briefings-media"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret"}
STORE_AN_IMAGE = """
import json, django
django.setup()
from django.core.files.storage import default_storage
from django.urls import NoReverseMatch, reverse
from briefings.images import store_image
name = store_image(open("briefings/demo/images/ground-station.png", "rb").read(), folder="heroes")
try:
    reverse("media", args=["x.png"])
    served_by_the_app = True
except NoReverseMatch:
    served_by_the_app = False
print(json.dumps({"name": name, "url": default_storage.url(name), "served_by_the_app": served_by_the_app}))
"""

STORE_A_PDF_TWICE = """
import json, django
django.setup()
from briefings.publishing.pdfs import replace_file
print(json.dumps([replace_file("pdfs/orbit-v1.pdf", content) for content in (b"%PDF first", b"%PDF second")]))
"""


@pytest.fixture
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **lower_case(CREDENTIALS))
    s3.create_bucket(Bucket=BUCKET)
    yield endpoint, s3
    server.stop()


def lower_case(credentials: dict[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in credentials.items()}


def run_with_the_bucket(script: str, endpoint: str):
    """The script's JSON output, run by the site's code with production settings and the bucket."""
    environment = production_environment(
        MEDIA_BUCKET=BUCKET, MEDIA_ENDPOINT_URL=endpoint, MEDIA_REGION="us-east-1", **CREDENTIALS
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_uploads_are_stored_in_the_bucket_and_linked_there(s3_endpoint):
    endpoint, s3 = s3_endpoint
    stored = run_with_the_bucket(STORE_AN_IMAGE, endpoint)
    assert stored["name"].startswith("heroes/") and stored["name"].endswith(".png")
    assert stored["url"] == f"{endpoint}/{BUCKET}/{stored['name']}"
    assert not stored["served_by_the_app"], "with a bucket, the app has no media route"
    obj = s3.get_object(Bucket=BUCKET, Key=stored["name"])
    assert obj["Body"].read().startswith(b"\x89PNG")
    assert obj["CacheControl"] == "public, max-age=31536000, immutable"
    assert obj["ContentType"] == "image/png"


def test_a_pdf_made_again_replaces_its_one_object_in_the_bucket(s3_endpoint):
    endpoint, s3 = s3_endpoint
    assert run_with_the_bucket(STORE_A_PDF_TWICE, endpoint) == ["pdfs/orbit-v1.pdf", "pdfs/orbit-v1.pdf"]
    objects = s3.list_objects_v2(Bucket=BUCKET, Prefix="pdfs/")["Contents"]
    assert [item["Key"] for item in objects] == ["pdfs/orbit-v1.pdf"]
    assert s3.get_object(Bucket=BUCKET, Key="pdfs/orbit-v1.pdf")["Body"].read() == b"%PDF second"
