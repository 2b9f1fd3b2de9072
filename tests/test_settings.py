"""Production defaults: safe unless the environment says otherwise."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from briefings.management.commands import pgcluster

PROJECT = Path(__file__).resolve().parents[1]
TEST_ONLY_VARIABLES = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "ALLOWED_HOSTS",
}


def production_environment(**extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in TEST_ONLY_VARIABLES}
    return environment | {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "briefings.example.org"} | extra


def test_production_settings_pass_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env=production_environment(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_without_a_secret_key_production_refuses_to_sign_anything():
    script = "from django.core import signing; signing.dumps(1)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=PROJECT,
        env=production_environment(SECRET_KEY=""),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_missing_server_binaries_say_how_to_get_them(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pgcluster, "DEBIAN_SERVER_ROOT", tmp_path)
    with pytest.raises(CommandError, match="apt-get install postgresql"):
        call_command("pgcluster", "status")


def gunicorn_settings(**environment: str) -> dict:
    script = "import json, runpy; print(json.dumps({k: v for k, v in runpy.run_path('briefings/gunicorn.py').items() "
    script += "if k in ('bind', 'workers', 'worker_class', 'threads', 'preload_app', 'accesslog', 'reuse_port')}))"
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT, env=production_environment(**environment), capture_output=True,
        text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(output)


def test_the_production_server_settings_follow_the_environment():
    defaults = gunicorn_settings(PORT="8123")
    assert defaults["bind"] == "127.0.0.1:8123" and defaults["preload_app"] is True
    assert defaults["worker_class"] == "gthread" and defaults["workers"] == os.cpu_count()
    assert defaults["threads"] == 4 and defaults["reuse_port"] is True
    tuned = gunicorn_settings(
        BIND="0.0.0.0:9000", WEB_CONCURRENCY="3", WEB_THREADS="1", ACCESS_LOG="", REUSE_PORT="false"
    )
    expected = {"bind": "0.0.0.0:9000", "workers": 3, "worker_class": "sync", "threads": 1, "reuse_port": False}
    assert tuned == tuned | expected
    assert tuned["accesslog"] is None


def image_sources(**environment: str) -> list[str]:
    script = "from briefings import settings; print(*settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT, env=production_environment(**environment),
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return output.split()


def test_the_content_security_policy_allows_images_from_wherever_media_are_served():
    assert image_sources() == ["'self'"]
    assert image_sources(MEDIA_BUCKET="uploads", MEDIA_REGION="eu-west-1")[1:] == [
        "https://uploads.s3.eu-west-1.amazonaws.com"
    ]
    assert image_sources(MEDIA_BUCKET="uploads", MEDIA_ENDPOINT_URL="http://minio.internal:9000/x")[1:] == [
        "http://minio.internal:9000"
    ]
    assert image_sources(MEDIA_BUCKET="uploads", MEDIA_CUSTOM_DOMAIN="media.example.org")[1:] == [
        "https://media.example.org"
    ]
    assert image_sources(MEDIA_ORIGIN="https://a.example,https://b.example")[1:] == [
        "https://a.example",
        "https://b.example",
    ]


@pytest.mark.django_db
def test_the_migrations_make_the_models_as_they_are_written():
    call_command("makemigrations", "briefings", check=True, dry_run=True, verbosity=0)  # exits 1 when one is missing
