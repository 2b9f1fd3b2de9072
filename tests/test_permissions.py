"""Who may open what: every named address of the URLconf, public and admin, for each kind of visitor.

The table is the contract. An address added to the URLconf without a row here fails the test, so
nobody can add a page without saying who may see it.
"""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from briefings import publishing
from briefings.alerts import scope_from
from briefings.models import Alert, Briefing, ContentChange, EditorMessage, Region, Series, Subscriber, SubscriberList
from briefings.publishing.alerts import send_message, subscribe
from tests.helpers import edit, make_author, make_briefing, make_theme, make_user

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "author_own", "author_other", "editor", "superuser")
LOGIN = 302  # the admin sends visitors without a staff session to its login page


def row(anonymous: int, author_own: int, author_other: int, editor: int, superuser: int) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, author_own, author_other, editor, superuser), strict=True))


PUBLIC = row(200, 200, 200, 200, 200)
BEING_MADE = row(202, 202, 202, 202, 202)  # a version's PDF, which no worker makes in this test
SIGNED_LINK = row(404, 404, 404, 404, 404)  # an email's signed link is the permission; this one is not signed
STAFF_ONLY = row(LOGIN, 200, 200, 200, 200)
EDITORS = row(LOGIN, 403, 403, 200, 200)
SUPERUSERS = row(LOGIN, 403, 403, 403, 200)
OWNERS = row(LOGIN, 200, 404, 200, 200)  # an author's own briefing; another's is not found for them
OWNERS_REDIRECTED = row(LOGIN, 200, 302, 200, 200)  # Django's admin says "doesn't exist" and redirects
PUBLISHERS = row(LOGIN, 403, 404, 200, 200)
NOBODY = row(LOGIN, 403, 403, 403, 403)

EXPECTED: dict[str, dict[str, int]] = {
    # The public site: the same for everyone.
    "briefings:home": PUBLIC,
    "briefings:briefing-list": PUBLIC,
    "briefings:briefing-detail": PUBLIC,
    "briefings:briefing-version": PUBLIC,
    "briefings:briefing-citation": PUBLIC,
    "briefings:briefing-changes": PUBLIC,
    "briefings:briefing-pdf": BEING_MADE,
    "briefings:briefing-version-pdf": BEING_MADE,
    "briefings:theme-index": PUBLIC,
    "briefings:theme-detail": PUBLIC,
    "briefings:region-index": PUBLIC,
    "briefings:region-detail": PUBLIC,
    "briefings:author-index": PUBLIC,
    "briefings:author-detail": PUBLIC,
    "briefings:series-index": PUBLIC,
    "briefings:series-detail": PUBLIC,
    "briefings:archive-index": PUBLIC,
    "briefings:archive-year": PUBLIC,
    "briefings:archive-month": PUBLIC,
    "briefings:search": PUBLIC,
    "briefings:feed": PUBLIC,
    "briefings:corrections-feed": PUBLIC,
    "briefings:theme-feed": PUBLIC,
    "briefings:region-feed": PUBLIC,
    "briefings:author-feed": PUBLIC,
    "briefings:theme-region-feed": PUBLIC,
    "briefings:preview": PUBLIC,  # the signed link is the permission
    "briefings:alert-signup": PUBLIC,
    "briefings:alert-requested": PUBLIC,
    "briefings:alert-confirm": SIGNED_LINK,
    "briefings:alert-manage": SIGNED_LINK,
    "briefings:alert-unsubscribe": SIGNED_LINK,
    "sitemap": PUBLIC,
    "sitemap-section": PUBLIC,
    "sitemap-month": PUBLIC,
    "robots": PUBLIC,
    "media": PUBLIC,
    # The admin's own pages.
    "admin:index": STAFF_ONLY,
    "admin:login": row(200, 302, 302, 302, 302),
    "admin:logout": row(LOGIN, 405, 405, 405, 405),  # logging out takes a POST
    "admin:password_change": STAFF_ONLY,
    "admin:password_change_done": STAFF_ONLY,
    "admin:autocomplete": STAFF_ONLY,
    "admin:jsi18n": STAFF_ONLY,
    "admin:view_on_site": row(LOGIN, 302, 302, 302, 302),  # to the public address, which answers for itself
    "admin:app_list": STAFF_ONLY,
    # Accounts and groups: superusers only.
    **{
        f"admin:auth_{model}_{view}": SUPERUSERS
        for model in ("user", "group")
        for view in ("changelist", "add", "history", "delete", "change")
    },
    "admin:auth_user_password_change": SUPERUSERS,
    # Sign-in throttling records (django-axes): superusers only, and written by axes alone.
    **{
        f"admin:axes_{model}_{view}": NOBODY if view == "add" else SUPERUSERS
        for model in ("accessattempt", "accesslog", "accessfailurelog")
        for view in ("changelist", "add", "history", "delete", "change")
    },
    # Tags: everyone on the desk sees them; editors manage them.
    **{f"admin:briefings_{model}_changelist": STAFF_ONLY for model in ("theme", "region", "author", "series")},
    **{f"admin:briefings_{model}_change": STAFF_ONLY for model in ("theme", "region", "author", "series")},
    **{f"admin:briefings_{model}_history": STAFF_ONLY for model in ("theme", "region", "author", "series")},
    **{f"admin:briefings_{model}_add": EDITORS for model in ("theme", "region", "author", "series")},
    **{f"admin:briefings_{model}_delete": EDITORS for model in ("theme", "region", "author", "series")},
    # Briefings: authors work on their own; editors on all; nobody deletes.
    "admin:briefings_briefing_changelist": STAFF_ONLY,
    "admin:briefings_briefing_add": STAFF_ONLY,
    "admin:briefings_briefing_change": OWNERS_REDIRECTED,
    "admin:briefings_briefing_history": OWNERS,
    "admin:briefings_briefing_delete": NOBODY,
    "admin:briefings_briefing_compare": OWNERS,
    "admin:briefings_briefing_restore": OWNERS,
    "admin:briefings_briefing_publish": PUBLISHERS,
    "admin:briefings_briefing_unpublish": PUBLISHERS,
    "admin:briefings_briefing_withdraw": PUBLISHERS,
    "admin:briefings_briefing_return": PUBLISHERS,
    "admin:briefings_briefing_submit": OWNERS,
    "admin:briefings_briefing_preview_links": OWNERS,
    "admin:briefings_briefing_revoke_preview": row(LOGIN, 302, 404, 302, 302),  # revoking takes a POST
    "admin:briefings_briefing_translate": row(LOGIN, 405, 404, 405, 405),  # a POST from the briefing's page
    "admin:briefings_briefing_markdown_preview": row(LOGIN, 405, 405, 405, 405),  # a POST from the editor
    "admin:briefings_briefing_markdown_upload": row(LOGIN, 400, 400, 400, 400),  # a POST with an image
    # The audit trail: read-only; authors see their own briefings' entries only.
    "admin:briefings_statechange_changelist": STAFF_ONLY,
    "admin:briefings_statechange_change": OWNERS_REDIRECTED,
    "admin:briefings_statechange_history": OWNERS_REDIRECTED,
    "admin:briefings_statechange_add": NOBODY,
    "admin:briefings_statechange_delete": NOBODY,
    # Where each PDF and each job of the queue stands: seen by the desk, written by the workers alone.
    **{
        f"admin:{model}_{view}": NOBODY if view in ("add", "delete") else STAFF_ONLY
        for model in ("briefings_versionpdf", "procrastinate_procrastinatejob")
        for view in ("changelist", "add", "history", "delete", "change")
    },
    # Email alerts: editors see what went out and to how many, and write to a list; the addresses
    # themselves only staff given the permission (here, superusers).
    **{
        f"admin:briefings_{model}_{view}": NOBODY if view in ("add", "delete") else EDITORS
        for model in ("contentchange", "subscriberlist", "alert")
        for view in ("changelist", "add", "history", "delete", "change")
    },
    **{
        f"admin:briefings_editormessage_{view}": NOBODY if view == "delete" else EDITORS
        for view in ("changelist", "add", "history", "delete", "change")
    },
    **{
        f"admin:briefings_subscriber_{view}": NOBODY if view in ("add", "delete") else SUPERUSERS
        for view in ("changelist", "add", "history", "delete", "change")
    },
}


def named_routes(resolver: URLResolver | None = None, namespace: str = "") -> dict[str, URLPattern]:
    found = {}
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= named_routes(entry, inner)
        elif entry.name:
            found[namespace + entry.name] = entry
    return found


@pytest.fixture
def site(settings):
    """Two authors' briefings (one published, with a correction), an editor, a superuser, and every kind of tag."""
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    users = {
        "author": make_user("aiko", group="Authors"),
        "other": make_user("omar", group="Authors"),
        "editor": make_user("dana", group="Editors"),
        "superuser": User.objects.create_superuser("root", password="pw-for-tests-1"),
    }
    theme, author = make_theme("Space"), make_author("Jane Doe")
    series = Series.objects.create(title="Orbit", slug="orbit")
    tags = {"themes": [theme], "regions": [Region.objects.get(slug="japan")], "authors": [author]}
    own = make_briefing(title="Own", by=users["author"], series=series, part=1, publish=True, **tags)
    other = make_briefing(title="Other", by=users["other"], **tags)
    edit(own, body="Corrected.", by=users["author"])
    publishing.publish(own, by=users["editor"], change_kind="correction", note="Fixed.")
    own.refresh_from_db()
    links = {b.pk: publishing.share_preview(b, by=users["editor"]) for b in (own, other)}
    readers = subscribe("reader@example.org", scope_from({"theme": "space"}), "daily").subscriber_list
    send_message(EditorMessage(subscriber_list=readers, subject="A new series", body="It starts on Monday."))
    return {"users": users, "own": own, "other": other, "theme": theme, "author": author, "series": series,
            "links": links, "token": publishing.share_preview(other, by=users["editor"]).token}  # fmt: skip


def address(name: str, pattern: URLPattern, site: dict, briefing: Briefing) -> str:
    """The named address, filled with an object of the site that the page can show."""
    own = site["own"]
    model_objects = {
        "theme": site["theme"],
        "region": Region.objects.get(slug="japan"),
        "author": site["author"],
        "series": site["series"],
        "briefing": briefing,
        "statechange": briefing.state_changes.first(),
        "user": site["users"]["author"],
        "group": site["users"]["author"].groups.first(),
        "accessattempt": AccessAttempt.objects.create(username="x", failures_since_start=1),
        "accesslog": AccessLog.objects.create(username="x"),
        "accessfailurelog": AccessFailureLog.objects.create(username="x"),
        "versionpdf": own.live_revision.pdf,
        "procrastinatejob": ProcrastinateJob.objects.filter(task_name="make_pdf").first(),
        "contentchange": ContentChange.objects.filter(briefing=own).first(),
        "subscriberlist": SubscriberList.objects.first(),
        "subscriber": Subscriber.objects.first(),
        "editormessage": EditorMessage.objects.first(),
        "alert": Alert.objects.first(),
    }
    model = re.match(r"admin:(?:auth|briefings|axes|procrastinate)_([a-z]+)_", name)
    values = {
        "slug": own.slug if name.startswith("briefings:briefing") else slug_for(name, site),
        "theme": site["theme"].slug,
        "region": "japan",
        "number": 1,
        "year": own.published_at.year,
        "month": own.published_at.month,
        "format": "atom",
        "section": "briefings" if name == "sitemap-month" else "themes",
        "path": "photo.png",
        "token": site["token"],
        "pk": briefing.pk,
        "link_id": site["links"][briefing.pk].pk,
        "object_id": model_objects[model.group(1)].pk if model else briefing.pk,
        "id": site["users"]["author"].pk,
        "content_type_id": ContentType.objects.get_for_model(Briefing).pk,
        "app_label": "briefings",
    }
    if name == "sitemap-month":
        values["month"] = timezone.localdate(own.published_at)  # a month's sitemap is named by the month
    converters = pattern.pattern.converters if hasattr(pattern.pattern, "converters") else {}
    regex_groups = pattern.pattern.regex.groupindex
    kwargs = {key: values[key] for key in [*converters, *regex_groups] if key in values}
    if name == "admin:view_on_site":
        kwargs["object_id"] = briefing.pk
    if name == "admin:briefings_briefing_restore":
        kwargs["number"] = briefing.latest_revision.number
    return reverse(name, kwargs=kwargs) + QUERIES.get(name, "")


# What the page needs to show something rather than ask for it.
QUERIES = {
    "admin:autocomplete": "?app_label=briefings&model_name=briefing&field_name=themes",
    "admin:briefings_briefing_compare": "?from=1&to=2",
}


def slug_for(name: str, site: dict) -> str:
    for kind in ("theme", "region", "author", "series"):
        if f":{kind}-" in name:
            return "japan" if kind == "region" else site[kind].slug
    return ""


def visit(role: str, site: dict) -> tuple[Client, Briefing]:
    client = Client(raise_request_exception=False)
    user = {"author_own": "author", "author_other": "author", "editor": "editor", "superuser": "superuser"}.get(role)
    if user:
        client.force_login(site["users"][user])
    return client, site["other"] if role == "author_other" else site["own"]


def test_every_named_address_has_a_row_in_the_table():
    assert sorted(set(named_routes()) - set(EXPECTED)) == [], "add a row for each new address"
    assert sorted(set(EXPECTED) - set(named_routes())) == [], "remove rows of addresses that are gone"


@pytest.mark.parametrize("role", ROLES)
def test_each_visitor_gets_what_the_table_says(site, role):
    client, briefing = visit(role, site)
    wrong = []
    for name, pattern in sorted(named_routes().items()):
        url = address(name, pattern, site, briefing)
        status = client.get(url).status_code
        if status != EXPECTED[name][role]:
            wrong.append(f"{name} {url}: {status}, expected {EXPECTED[name][role]}")
    assert wrong == [], "\n".join(wrong)
