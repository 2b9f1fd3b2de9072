"""Small builders for tests, going through the same functions the admin and importer use."""

import time
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.utils import timezone
from django.utils.text import slugify

from briefings import publishing
from briefings.models import Author, Briefing, Region, Theme
from briefings.publishing import listings


def make_user(username: str = "dana", *, group: str = "Editors", password: str = "pw-for-tests-1") -> User:
    user = User.objects.create_user(username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def make_theme(name: str = "Defence policy") -> Theme:
    return Theme.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]


def make_author(name: str = "Jane Doe") -> Author:
    return Author.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]


def backdate(briefing: Briefing, moment: datetime) -> None:
    """Move a publication time, as if it had been published (or time had passed) differently."""
    Briefing.objects.filter(pk=briefing.pk).update(published_at=moment)
    listings.refresh(briefing)


def region(name: str) -> Region:
    return Region.objects.get(name=name)


def make_briefing(*, by=None, themes=(), regions=(), authors=None, publish: bool = False, **content) -> Briefing:
    """A briefing saved as its writer `by` would save it (by Jane Doe unless `authors` says otherwise);
    `publish` publishes it as an import would."""
    authors = [make_author()] if authors is None else authors
    content = {"title": "Japan's space squadron", "body": "## Context\n\nText.[^1]\n\n[^1]: Source.", **content}
    content.setdefault("slug", slugify(content["title"]))
    tags = publishing.BriefingTags(themes=list(themes), regions=list(regions), authors=list(authors))
    briefing = Briefing()
    publishing.save_draft(briefing, content=content, tags=tags, by=by)
    if publish:
        publishing.publish(briefing, by=None)
        briefing.refresh_from_db()
    return briefing


def edit(briefing: Briefing, *, by=None, note: str = "", **content) -> Briefing:
    publishing.save_draft(briefing, content=content, by=by, note=note, base_revision=briefing.latest_revision_id)
    briefing.refresh_from_db()
    return briefing


SOON = timedelta(seconds=1.5)  # long enough to look before, short enough to wait for


def publish_soon(briefing: Briefing) -> datetime:
    """Schedule the briefing to go live in a moment; returns when."""
    go_live = timezone.now() + SOON
    publishing.publish(briefing, by=None, at=go_live)
    return go_live


def wait_until(moment: datetime) -> None:
    """Let the clock pass a moment: a scheduled go-live is an event nothing writes."""
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + 0.05)


def run_worker() -> None:
    """The task queue's own worker, as `make run` starts it, through every job that is due, then back."""
    call_command("procrastinate", "worker", "--one-shot", "--no-listen-notify", verbosity=0)


def sitemap_of(briefing: Briefing, section: str = "briefings") -> str:
    """The address of the month's sitemap that lists the briefing (or its PDF)."""
    return f"/sitemap-{section}-{timezone.localtime(briefing.published_at):%Y-%m}.xml"
