"""The workflow in one table: a briefing's states, which step each allows and to whom, and what it records.

`briefings.publishing` enforces the table in every state change; the admin reads it through
`Briefing.can()` and `Briefing.allowed_steps()` to show only the buttons that would work.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models


class State(models.TextChoices):
    """Where a briefing stands, as editors and readers see it (derived from its columns, never stored)."""

    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    LIVE = "published", "Published"
    CHANGED = "changed", "Published, with unpublished changes"
    WITHDRAWN = "withdrawn", "Withdrawn"
    UNPUBLISHED = "unpublished", "Unpublished"


class Step(StrEnum):
    """Everything that changes a briefing; each is one function in briefings.publishing."""

    EDIT = "edit"
    MOVE = "move"  # a new slug: a published briefing's old address then redirects
    SUBMIT = "submit"
    RETURN = "return"
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"
    WITHDRAW = "withdraw"
    RESTORE = "restore"
    FEATURE = "feature"
    STOP_FEATURING = "stop_featuring"
    SHARE_PREVIEW = "share_preview"
    REVOKE_PREVIEW = "revoke_preview"


class Action(models.TextChoices):
    """What the audit trail records."""

    CREATED = "created", "Created"
    EDIT_REFUSED = "edit_refused", "Refused an edit begun on an older revision"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned to draft"
    PUBLISHED = "published", "Published"
    SCHEDULED = "scheduled", "Scheduled"
    UNPUBLISHED = "unpublished", "Unpublished"
    RESTORED = "restored", "Restored an earlier revision"
    PREVIEW_SHARED = "preview_shared", "Shared a preview link"
    PREVIEW_REVOKED = "preview_revoked", "Revoked a preview link"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MOVED = "moved", "Moved to a new address"
    FEATURED = "featured", "Featured on the home page"
    UNFEATURED = "unfeatured", "No longer featured"


PUBLICATIONS = [Action.PUBLISHED, Action.SCHEDULED]
# What a briefing's readers are shown of its history: its publications and its withdrawal.
PUBLIC_LOG = [*PUBLICATIONS, Action.WITHDRAWN]


class Role(StrEnum):
    WRITER = "writer"  # may edit this briefing: its owner, or anyone who may edit any briefing
    PUBLISHER = "publisher"  # holds briefings.publish_briefing


W, P, _ = Role.WRITER, Role.PUBLISHER, None

# Who may take each step in each state; `_` means the state does not allow it. A scheduled briefing
# may be published again to reschedule it; a withdrawn one keeps its last version.
COLUMNS = [State.DRAFT, State.REVIEW, State.SCHEDULED, State.LIVE, State.CHANGED, State.WITHDRAWN, State.UNPUBLISHED]
TABLE: dict[Step, tuple[Role | None, ...]] = {
    #                     draft  review  sched.  live  changed  withdrawn  unpublished
    Step.EDIT:           (W,     W,      W,      W,    W,       W,         W),
    Step.MOVE:           (W,     W,      P,      P,    P,       P,         W),
    Step.SUBMIT:         (W,     _,      _,      _,    _,       _,         W),
    Step.RETURN:         (_,     P,      _,      _,    _,       _,         _),
    Step.PUBLISH:        (P,     P,      P,      _,    P,       _,         P),
    Step.UNPUBLISH:      (_,     _,      P,      P,    P,       P,         _),
    Step.WITHDRAW:       (_,     _,      _,      P,    P,       _,         _),
    Step.RESTORE:        (W,     W,      W,      W,    W,       W,         W),
    Step.FEATURE:        (_,     _,      _,      P,    P,       _,         _),
    Step.STOP_FEATURING: (P,     P,      P,      P,    P,       P,         P),
    Step.SHARE_PREVIEW:  (W,     W,      W,      W,    W,       W,         W),
    Step.REVOKE_PREVIEW: (W,     W,      W,      W,    W,       W,         W),
}  # fmt: skip

# What each step writes to the audit trail (an edit's record is its revision; the first is "created").
RECORDS: dict[Step, Action] = {
    Step.EDIT: Action.CREATED,
    Step.MOVE: Action.MOVED,
    Step.SUBMIT: Action.SUBMITTED,
    Step.RETURN: Action.RETURNED,
    Step.PUBLISH: Action.PUBLISHED,
    Step.UNPUBLISH: Action.UNPUBLISHED,
    Step.WITHDRAW: Action.WITHDRAWN,
    Step.RESTORE: Action.RESTORED,
    Step.FEATURE: Action.FEATURED,
    Step.STOP_FEATURING: Action.UNFEATURED,
    Step.SHARE_PREVIEW: Action.PREVIEW_SHARED,
    Step.REVOKE_PREVIEW: Action.PREVIEW_REVOKED,
}

# How a refusal reads: "A briefing that is in review cannot be withdrawn."
PAST_TENSE = {
    Step.EDIT: "edited",
    Step.MOVE: "moved",
    Step.SUBMIT: "submitted for review",
    Step.RETURN: "returned to draft",
    Step.PUBLISH: "published",
    Step.UNPUBLISH: "unpublished",
    Step.WITHDRAW: "withdrawn",
    Step.RESTORE: "restored",
    Step.FEATURE: "featured",
    Step.STOP_FEATURING: "taken off the home page",
    Step.SHARE_PREVIEW: "previewed",
    Step.REVOKE_PREVIEW: "previewed",
}


class WorkflowError(Exception):
    """A step that the briefing's state, or the person's role, does not allow."""


def role_needed(step: Step, state: State) -> Role | None:
    return TABLE[step][COLUMNS.index(state)]


def has_role(user, role: Role, briefing) -> bool:
    if role is Role.PUBLISHER:
        return user.has_perm("briefings.publish_briefing")
    if briefing.pk is None:
        return user.has_perm("briefings.add_briefing")
    return user.has_perm("briefings.change_briefing") and (
        user.has_perm("briefings.change_any_briefing") or briefing.owner_id == user.pk
    )


def refusal(briefing, step: Step, user) -> str:
    """Why `user` may not take `step` now (empty when they may). No user means the system: an import."""
    state = briefing.state
    role = role_needed(step, state)
    if role is None:
        if step is Step.PUBLISH and state is State.LIVE:
            return f"Revision {briefing.latest_revision.number} is already live: there is nothing new to publish."
        return f"A briefing that is {state.label.lower()} cannot be {PAST_TENSE[step]}."
    if user is not None and not has_role(user, role, briefing):
        needs = "publish briefings" if role is Role.PUBLISHER else "edit this briefing"
        return f"You need permission to {needs}: it cannot be {PAST_TENSE[step]} by you."
    return ""


def needs_second_editor(briefing, user) -> bool:
    """Two pairs of eyes: whether `user` wrote the revision they are about to publish."""
    return (
        settings.TWO_PAIRS_OF_EYES
        and user is not None
        and briefing.latest_revision is not None
        and briefing.latest_revision.created_by_id == user.pk
    )


def may_ever(user, step: Step, briefing) -> bool:
    """Whether `user` holds a role that the table lets take `step` in some state: who may open its page."""
    return any(has_role(user, role, briefing) for role in set(TABLE[step]) - {None})
