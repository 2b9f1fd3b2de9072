"""Email as readers receive it: a plain-text part and an HTML part with its styles inlined (mail
programs drop style sheets), both from templates under templates/emails/."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext

from .models import SubscriberList, Subscription
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
ALERT_EMAIL_NEEDS = ("change__briefing", "change__revision", "message", "subscriber", "subscription__subscriber_list")
ALERT_EMAIL_NEEDS += tuple(f"subscription__subscriber_list__{tag}" for tag in SubscriberList.NAMED_AFTER)


def reader_emails(alerts) -> Iterator[tuple[list[int], EmailMultiAlternatives]]:
    """One email per reader: an immediate alert on its own, a reader's daily or weekly matches as one digest."""
    by_reader = defaultdict(list)
    for alert in alerts.select_related(*ALERT_EMAIL_NEEDS).order_by("subscriber_id", "pk"):
        by_reader[alert.subscriber_id].append(alert)
    for gathered in by_reader.values():
        with translation.override(gathered[0].subscriber.language):  # the reader's emails speak theirs
            if gathered[0].frequency == Subscription.Frequency.IMMEDIATELY:
                yield from (([alert.pk], alert_message(alert)) for alert in gathered)
            else:
                yield [alert.pk for alert in gathered], digest_message(gathered)


def alert_message(alert) -> EmailMultiAlternatives:
    """One reader's email about one change: what changed, the note, the version's address, why they get
    it, and how to change or stop it (with RFC 8058's one-click unsubscribe headers); or the editors'
    message."""
    reason = alert.subscription.subscriber_list.local_title if alert.subscription_id else None
    if alert.message_id:
        context = {"editor_message": alert.message, "reason": reason}
        return reader_message(alert.subscriber, [alert.subscription_id], alert.message.subject, "message", context)
    change, revision = alert.change, alert.change.revision
    revision.briefing = change.briefing
    context = {
        "change": change,
        "revision": revision,
        "version_url": absolute(revision.get_absolute_url()),
        "reason": reason,
    }
    subject = f"{change.get_kind_display()}{gettext(':')} {typeset(revision.title)}"
    return reader_message(alert.subscriber, [alert.subscription_id], subject, "alert", context)


def digest_message(alerts: list) -> EmailMultiAlternatives:
    """A reader's daily or weekly digest: each briefing once, under its latest version, with every change
    it had since the last digest, and every list that brought it."""
    by_briefing = defaultdict(list)
    for alert in sorted((alert for alert in alerts if alert.change_id), key=lambda alert: alert.change.effective_at):
        by_briefing[alert.change.briefing_id].append(alert)
    briefings = []
    for gathered in by_briefing.values():
        latest = gathered[-1].change.revision
        latest.briefing = gathered[-1].change.briefing
        briefings.append({
            "revision": latest,
            "version_url": absolute(latest.get_absolute_url()),
            "changes": [alert.change for alert in gathered],
        })  # fmt: skip
    subscriptions = {alert.subscription_id: alert.subscription for alert in alerts if alert.subscription_id}
    pace = Subscription.Frequency(alerts[0].frequency)
    editor_messages = [alert.message for alert in alerts if alert.message_id]
    parts = []
    if briefings:
        parts.append(ngettext("%(count)d briefing", "%(count)d briefings", len(briefings)) % {"count": len(briefings)})
    if editor_messages:
        count = len(editor_messages)
        from_editors = ngettext("%(count)d message from the editors", "%(count)d messages from the editors", count)
        parts.append(from_editors % {"count": count})
    context = {
        "digest": gettext("Daily digest") if pace == Subscription.Frequency.DAILY else gettext("Weekly digest"),
        "briefings": briefings,
        "editor_messages": editor_messages,
        "reasons": [subscription.subscriber_list.local_title for subscription in subscriptions.values()],
    }
    contents = get_text_list(parts, gettext("and"))
    subject = gettext("%(digest)s from %(site_name)s: %(contents)s") % {
        "digest": context["digest"], "site_name": settings.SITE_NAME, "contents": contents
    }  # fmt: skip
    return reader_message(alerts[0].subscriber, list(subscriptions), subject, "digest", context)


def reader_message(subscriber, subscription_ids: list, subject: str, template: str, context: dict):
    """An email to a subscriber, with the links to manage their alerts and to stop the lists that sent it,
    the latter also as RFC 8058's one-click unsubscribe headers."""
    from .alerts import manage_token, unsubscribe_token

    followed = [pk for pk in subscription_ids if pk]
    unsubscribe = (
        absolute(reverse("briefings:alert-unsubscribe", args=[unsubscribe_token(followed)])) if followed else None
    )
    context |= {
        "manage_url": absolute(reverse("briefings:alert-manage", args=[manage_token(subscriber.pk)])),
        "unsubscribe_url": unsubscribe,
    }
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return message(
        to=subscriber.address, subject=subject, template=template, context=context,
        headers=headers if unsubscribe else None,
    )  # fmt: skip
