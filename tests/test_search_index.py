"""The search index itself: where it lives and how publishing keeps it."""

import pytest

from briefings import publishing, search
from briefings.models import Briefing
from tests.helpers import edit, make_briefing

pytestmark = pytest.mark.django_db


def test_the_rank_ordered_index_is_in_place():
    """Setup installs the RUM extension; the GIN fallback is exercised by test_search.py."""
    assert search.has_rank_ordered_index()


def test_publishing_indexes_the_live_version_and_unpublishing_removes_it():
    briefing = make_briefing(title="Frigates", body="Corvettes.")
    assert Briefing.objects.get(pk=briefing.pk).search_vector is None
    publishing.publish(briefing, by=None)
    briefing.refresh_from_db()
    indexed = Briefing.objects.get(pk=briefing.pk)
    assert "frigat" in indexed.search_vector and "corvett" in indexed.search_vector
    edit(briefing, body="Submarines.")  # a save of the working copy must leave the index alone
    assert "corvett" in Briefing.objects.get(pk=briefing.pk).search_vector  # until the edit is published
    publishing.unpublish(briefing, by=None)
    assert Briefing.objects.get(pk=briefing.pk).search_vector is None
