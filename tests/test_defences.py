"""Defences in depth: login throttling, and the headers that tell a browser what a page may do."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.helpers import make_briefing, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def sign_in(client: Client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def test_repeated_wrong_passwords_lock_the_account_until_an_administrator_resets_it(settings):
    """Reproduces the report that thirty wrong passwords met no resistance."""
    make_user("dana", password="the-right-password-1")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "dana", "wrong").status_code == 200
    locked = sign_in(client, "dana", "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text and "axes_reset_username dana" in locked.text
    assert sign_in(client, "dana", "the-right-password-1").status_code == 429  # even the right one, for now
    assert sign_in(Client(), "dana", "the-right-password-1", address="10.0.0.9").status_code == 429  # by username

    call_command("axes_reset_username", "dana")
    assert sign_in(client, "dana", "the-right-password-1")["Location"] == reverse("admin:index")


def test_one_client_guessing_many_usernames_is_locked_out(settings):
    make_user("dana", password="the-right-password-1")
    client = Client()
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess{number}", "wrong", address="10.0.0.7")
    assert sign_in(client, "dana", "the-right-password-1", address="10.0.0.7").status_code == 429
    assert sign_in(Client(), "dana", "the-right-password-1", address="10.0.0.8").status_code == 302


def policy(response) -> dict[str, str]:
    directives = (part.strip().split(maxsplit=1) for part in response["Content-Security-Policy"].split(";"))
    return {name: rest[0] if rest else "" for name, *rest in directives}


def test_public_pages_allow_no_script_and_no_inline_anything(client):
    briefing = make_briefing(publish=True)
    for url in ["/", briefing.get_absolute_url(), "/search/?q=space", "/nowhere/"]:
        response = client.get(url)
        rules = policy(response)
        assert rules["default-src"] == "'none'" and "script-src" not in rules, url
        assert "unsafe-inline" not in response["Content-Security-Policy"], url
        assert rules["frame-ancestors"] == "'none'" and rules["base-uri"] == "'none'"
        assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_cached_pages_carry_the_same_headers(client):
    make_briefing(publish=True)
    first, second = client.get("/"), client.get("/")
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
    assert second.has_header("Permissions-Policy")


def test_the_admin_may_run_its_own_scripts_and_fetch_the_preview_only(client):
    client.force_login(make_user())
    response = client.get(reverse("admin:briefings_briefing_add"))
    rules = policy(response)
    assert rules["script-src"] == "'self'" and rules["connect-src"] == "'self'"
    assert (
        "unsafe-inline" not in rules.get("script-src", "") and "unsafe-eval" not in response["Content-Security-Policy"]
    )
