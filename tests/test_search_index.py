"""The search index itself: where it lives and how publishing keeps it."""

import io
import itertools

import pytest
from django.core.management import call_command
from django.db import connection

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


def compression(briefing) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(search_vector) FROM briefings_briefing WHERE id = %s", [briefing.pk]
        )
        return cursor.fetchone()[0]


STEMS = "alliance border carrier deterrence escalation frigate garrison harbour industry logistics missile".split()


def long_briefing(title: str):
    """A briefing whose vector is stored compressed: over 2 kB, and compressible enough for pglz."""
    words = [first + second for first, second in itertools.product(STEMS, STEMS)]
    return make_briefing(title=title, body=" ".join(words * 2), publish=True)


def test_search_vectors_are_stored_compressed_with_lz4():
    """Ranking reads each result's vector again: LZ4 unpacks it about twice as fast as pglz."""
    assert compression(long_briefing("Frigates")) == "lz4"


def test_reindex_writes_vectors_stored_before_lz4_again_with_it(client):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE briefings_briefing ALTER COLUMN search_vector SET COMPRESSION pglz")
    briefing = long_briefing("Frigates")
    assert compression(briefing) == "pglz"  # as before the upgrade
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as a migration finds it: nothing left pending
        cursor.execute("ALTER TABLE briefings_briefing ALTER COLUMN search_vector SET COMPRESSION lz4")
    call_command("reindex", stdout=io.StringIO())
    assert compression(briefing) == "lz4"
    assert "Frigates" in client.get("/search/", {"q": "frigates"}).content.decode()
