"""What every step shares: it locks the briefing's row, asks the workflow table, and writes an audit row."""

from __future__ import annotations

from django.contrib.auth.models import User

from ..models import Briefing, Revision, StateChange
from ..models.workflow import RECORDS, Step, WorkflowError, refusal

Actor = User | None  # None: the system, such as an import


def lock(briefing: Briefing) -> Briefing:
    """The briefing's row, locked for the rest of the transaction: saves and steps queue up behind it.

    Only the returned copy is current; an instance loaded before the lock may hold what another step
    has since changed, so steps read and write the locked copy.
    """
    return Briefing.objects.select_for_update().get(pk=briefing.pk)


def authorize(briefing: Briefing, step: Step, by: Actor) -> None:
    message = refusal(briefing, step, by)
    if message:
        raise WorkflowError(message)


def record(
    briefing: Briefing,
    step: Step,
    *,
    by: Actor,
    revision: Revision | None = None,
    note: str = "",
    action: str = "",
    **details,
) -> StateChange:
    """The audit row of a step: what the table says it records, unless the step names a finer action."""
    return StateChange.objects.create(
        briefing=briefing, revision=revision, action=action or RECORDS[step], by=by, note=note, **details
    )
