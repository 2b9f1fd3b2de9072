"""The content model: briefings, their immutable revisions, and the tags they carry."""

from .alerts import Alert, ContentChange, EditorMessage, Subscriber, SubscriberList, Subscription
from .audit import ContentScope, PreviewLink, PublicContentVersion, SearchTerm, StateChange
from .briefings import Briefing, BriefingAuthor, BriefingQuerySet
from .cards import Card
from .content import CONTENT_FIELDS, BriefingContent
from .listings import Listing, Tally
from .pages import KeptPage
from .pdfs import VersionPdf
from .revisions import Revision, RevisionAuthor, RevisionRegion, RevisionTheme
from .search import BriefingWords, CommonWord, TopMatch
from .tags import Author, Region, RetiredSlug, Series, Theme

__all__ = [
    "Alert", "Card", "CommonWord", "ContentChange", "ContentScope", "EditorMessage",
    "CONTENT_FIELDS", "Author", "Briefing", "BriefingAuthor", "BriefingWords", "BriefingContent", "BriefingQuerySet",
    "KeptPage",
    "Listing",
    "PreviewLink",
    "PublicContentVersion", "Region", "RetiredSlug", "Revision", "RevisionAuthor", "RevisionRegion", "RevisionTheme",
    "SearchTerm", "Series", "StateChange", "Subscriber", "SubscriberList", "Subscription", "Tally", "Theme", "TopMatch",
    "VersionPdf",
]  # fmt: skip
