"""Preview links: a signed address that shows a reviewer the latest draft without an account."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Briefing, PreviewLink
from ..models.workflow import Step
from .steps import Actor, authorize, lock, record


@transaction.atomic
def share_preview(briefing: Briefing, *, by: Actor, note: str = "", days: int | None = None) -> PreviewLink:
    briefing = lock(briefing)
    authorize(briefing, Step.SHARE_PREVIEW, by)
    days = days or settings.PREVIEW_LINK_MAX_AGE_DAYS
    link = PreviewLink.objects.create(
        briefing=briefing, created_by=by, note=note, expires_at=timezone.now() + timedelta(days=days)
    )
    record(briefing, Step.SHARE_PREVIEW, by=by, note=note)
    return link


@transaction.atomic
def revoke_preview(link: PreviewLink, *, by: Actor) -> None:
    briefing = lock(link.briefing)
    authorize(briefing, Step.REVOKE_PREVIEW, by)
    link = PreviewLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record(briefing, Step.REVOKE_PREVIEW, by=by, note=link.note)
