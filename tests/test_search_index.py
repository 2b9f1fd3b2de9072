"""The search index itself: where it lives and how publishing keeps it."""

import io
import itertools

import pytest
from django.core.management import call_command
from django.db import connection

from briefings import publishing, search
from briefings.management.commands.make_search_index import RUM_INDEX_DEFINITION
from briefings.models import Briefing
from briefings.models.search import RUM_INDEX
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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the index is rebuilt concurrently
def test_reindex_writes_vectors_stored_before_lz4_again_with_it(client):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE briefings_briefing ALTER COLUMN search_vector SET COMPRESSION pglz")
    try:
        briefing = long_briefing("Frigates")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE briefings_briefing ALTER COLUMN search_vector SET COMPRESSION lz4")
    assert compression(briefing) == "pglz"  # as before the upgrade
    call_command("reindex", stdout=io.StringIO())
    assert compression(briefing) == "lz4"
    assert "Frigates" in client.get("/search/", {"q": "frigates"}).content.decode()


def search_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'briefing_search_%'")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_site_migrated_without_rum_makes_its_index_later_while_running(client):
    """As migration 0007 leaves a database where the extension could not be had: the GIN index."""
    make_briefing(title="Frigates", body="Corvettes.", publish=True)
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX briefing_search_rum")
        cursor.execute("CREATE INDEX briefing_search_gin ON briefings_briefing USING gin (search_vector)")
    search.has_rank_ordered_index.cache_clear()
    try:
        assert not search.has_rank_ordered_index()
        output = io.StringIO()
        call_command("make_search_index", stdout=output)
        assert "now RUM's" in output.getvalue()
        assert search_indexes() == {"briefing_search_rum"} and search.has_rank_ordered_index()
        assert "Frigates" in client.get("/search/", {"q": "corvettes"}).content.decode()
        call_command("make_search_index", stdout=output)
        assert "already RUM's" in output.getvalue()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS briefing_search_gin")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {RUM_INDEX_DEFINITION}")
        search.has_rank_ordered_index.cache_clear()


def index_file() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relfilenode FROM pg_class WHERE relname = %s", [RUM_INDEX])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # REINDEX CONCURRENTLY needs no transaction
def test_reindex_ends_by_rebuilding_the_rank_ordered_index_while_searches_go_on(client):
    """Rewriting documents can leave lists in the RUM index that vacuum empties, and a scan of one
    crashes the server (postgrespro/rum issue 183): a rebuilt index holds none."""
    long_briefing("Frigates")
    before = index_file()
    output = io.StringIO()
    call_command("reindex", stdout=output)
    assert output.getvalue().splitlines() == ["1 briefing(s) indexed.", "Search index rebuilt."]
    assert index_file() != before and search_indexes() == {"briefing_search_rum"}
    assert "Frigates" in client.get("/search/", {"q": "frigates"}).content.decode()
