"""Email as readers receive it: a plain-text part and an HTML part with its styles inlined (mail
programs drop style sheets), both from templates under templates/emails/."""

from __future__ import annotations

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def message(*, to: str, subject: str, template: str, context: dict, headers: dict | None = None):
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, "subject": subject, **context}
    text = render_to_string(f"emails/{template}.txt", context)
    html = css_inline.inline(render_to_string(f"emails/{template}.html", context))
    email = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers or {})
    email.attach_alternative(html, "text/html")
    return email


def absolute(path: str) -> str:
    return settings.SITE_URL + path
