"""Email alerts' tests: a real SMTP server on loopback (aiosmtpd) and a queue emptied before each test."""

import pytest
from aiosmtpd.controller import Controller

from tests.alerts.mail import Inbox, free_port
from tests.helpers import make_briefing, make_theme, region, run_worker


@pytest.fixture
def inbox(settings):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.SITE_URL = "https://briefings.example.org"
    yield handler
    controller.stop()


@pytest.fixture(autouse=True)
def every_test_starts_with_an_empty_queue(empty_queue):
    """Alerts are jobs: each test counts the ones it queued."""


@pytest.fixture
def space():
    """A theme with a briefing published before anyone followed it (its matching done)."""
    theme = make_theme("Space")
    make_briefing(title="Orbit", themes=[theme], regions=[region("Japan")], publish=True)
    run_worker()
    return theme
