"""Backup and restore round-trip every revision, audit row, user and media file, byte for byte."""

import io
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image

from briefings import publishing
from briefings.images import store_image
from tests.helpers import edit, make_author, make_briefing, make_theme, make_user, region
from tests.servers import PROJECT, database_url_of_tests

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 60, 120)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def archive():
    editor, reviewer = make_user("dana"), make_user("sam")
    briefing = make_briefing(
        title="Cable security", themes=[make_theme("Sea power")], regions=[region("Norway")],
        authors=[make_author("Jane Doe")], by=editor, publish=True,
    )  # fmt: skip
    edit(briefing, by=editor, body="Corrected.", hero_image=store_image(png(), folder="heroes"), hero_alt="A ship")
    publishing.publish(briefing, by=reviewer, change_kind="correction", note="Fixed a date.")
    store_image(png(), folder="uploads")
    return briefing


@pytest.fixture
def empty_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = database_url_of_tests().rsplit("/", 1)[0] + f"/{name}"
    yield url
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore_elsewhere(folder: Path, database_url: str, media_root: Path, *extra: str) -> subprocess.CompletedProcess:
    """`manage.py restore` as an operator runs it on a new machine: another database, another media folder."""
    environment = os.environ | {"DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(folder), *extra],
        cwd=PROJECT, env=environment, capture_output=True, text=True,
    )  # fmt: skip


def table_digests(database_url: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of all its rows, in a fixed order."""
    with psycopg.connect(database_url) as database:
        tables = database.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
        return {
            table: database.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
            for (table,) in tables
        }


def media_files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_a_backup_restores_into_a_new_database_and_media_folder_byte_for_byte(
    archive, empty_database, tmp_path, settings
):
    folder = tmp_path / "backup"
    out = io.StringIO()
    call_command("backup", str(folder), stdout=out)
    assert "media files" in out.getvalue()

    restored_media = tmp_path / "restored-media"
    result = restore_elsewhere(folder, empty_database, restored_media)
    assert result.returncode == 0, result.stderr

    original = table_digests(database_url_of_tests())
    assert table_digests(empty_database) == original
    assert original["briefings_revision"][0] == 2 and original["briefings_statechange"][0] >= 3
    assert original["auth_user"][0] == 2
    assert media_files(restored_media) == media_files(settings.MEDIA_ROOT)
    assert len(media_files(restored_media)) == 4  # the hero, its two renditions and an upload

    with psycopg.connect(empty_database) as restored, pytest.raises(psycopg.Error, match="immutable|refuse|not"):
        restored.execute("UPDATE briefings_revision SET title = 'Rewritten history'")


def test_a_damaged_backup_is_refused_before_anything_changes(archive, empty_database, tmp_path):
    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=io.StringIO())
    damaged = next((folder / "media").rglob("*.png"))
    damaged.write_bytes(damaged.read_bytes()[:-10])

    result = restore_elsewhere(folder, empty_database, tmp_path / "restored-media")
    assert result.returncode != 0 and "missing or damaged" in result.stderr
    assert table_digests(empty_database) == {}


def test_restore_will_not_overwrite_a_database_unless_told(archive, tmp_path):
    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=io.StringIO())
    with pytest.raises(CommandError, match="already holds tables"):
        call_command("restore", str(folder), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(folder), stdout=io.StringIO())
