"""Public pages. Every query starts from `Briefing.objects.published()` (or `listed()` for lists);
drafts, briefings in review and scheduled briefings never reach a reader."""

from .alerts import alert_confirm, alert_manage, alert_requested, alert_signup, alert_unsubscribe
from .indexes import archive_index, author_index, media_file, region_index, robots_txt, series_index, theme_index
from .lists import (
    archive_period,
    author_detail,
    briefing_list,
    home,
    region_detail,
    series_detail,
    theme_detail,
)
from .pdfs import briefing_pdf, briefing_version_pdf
from .reading import briefing_changes, briefing_citation, briefing_detail, briefing_version, preview
from .results import search_results

__all__ = [
    "alert_confirm", "alert_manage", "alert_requested", "alert_signup", "alert_unsubscribe",
    "archive_index", "archive_period", "author_detail", "author_index", "briefing_changes", "briefing_citation",
    "briefing_pdf", "briefing_version_pdf",
    "briefing_detail", "briefing_list", "briefing_version", "home", "media_file", "preview", "region_detail",
    "region_index", "robots_txt", "search_results", "series_detail", "series_index", "theme_detail", "theme_index",
]  # fmt: skip
