"""Email as readers receive it: a plain-text part and an HTML part with its styles inlined (mail
programs drop style sheets), both from templates under templates/emails/."""

from __future__ import annotations

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .typography import typeset


def message(*, to: str, subject: str, template: str, context: dict, headers: dict | None = None):
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, "subject": subject, **context}
    text = render_to_string(f"emails/{template}.txt", context)
    html = css_inline.inline(render_to_string(f"emails/{template}.html", context))
    email = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers or {})
    email.attach_alternative(html, "text/html")
    return email


def absolute(path: str) -> str:
    return settings.SITE_URL + path


# What an alert's email reads, in one query with the alert.
ALERT_EMAIL_NEEDS = ("change__briefing", "change__revision", "subscriber", "subscription__subscriber_list")


def alert_message(alert) -> EmailMultiAlternatives:
    """One reader's email about one change: what changed, the note, the version's address, why they get
    it, and how to change or stop it (with RFC 8058's one-click unsubscribe headers)."""
    from .alerts import manage_token, unsubscribe_token

    change, revision = alert.change, alert.change.revision
    revision.briefing = change.briefing
    unsubscribe = (
        absolute(reverse("briefings:alert-unsubscribe", args=[unsubscribe_token(alert.subscription_id)]))
        if alert.subscription_id
        else None
    )
    context = {
        "change": change,
        "revision": revision,
        "version_url": absolute(revision.get_absolute_url()),
        "reason": alert.subscription.subscriber_list.title if alert.subscription_id else None,
        "manage_url": absolute(reverse("briefings:alert-manage", args=[manage_token(alert.subscriber_id)])),
        "unsubscribe_url": unsubscribe,
    }
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    subject = f"{change.get_kind_display()}: {typeset(revision.title)}"
    return message(
        to=alert.subscriber.address, subject=subject, template="alert", context=context,
        headers=headers if unsubscribe else None,
    )  # fmt: skip
