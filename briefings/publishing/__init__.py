"""Every write to a briefing: one save path (`save_draft`), and one function per step of the workflow table
(briefings/models/workflow.py), each atomic, from the locked row, with an audit row."""

from ..models.workflow import WorkflowError
from .drafts import BriefingTags, SavedDraft, restore, save_draft
from .previews import revoke_preview, share_preview
from .states import feature, publish, return_to_draft, stop_featuring, submit_for_review, unpublish, withdraw
from .translations import add_translation, original_to_translate

__all__ = [
    "BriefingTags", "SavedDraft", "WorkflowError", "add_translation", "feature", "original_to_translate", "publish",
    "restore", "return_to_draft", "revoke_preview", "save_draft", "share_preview", "stop_featuring",
    "submit_for_review", "unpublish", "withdraw",
]  # fmt: skip
