"""A backup is a folder: the whole database as pg_dump wrote it, every media file, and a manifest of
their SHA-256 digests. Restoring checks every digest before it changes anything, restores the database
in one transaction (so the revisions' immutability triggers come back with their tables) and puts the
media files back."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone

DUMP = "database.dump"
MANIFEST = "manifest.json"
MEDIA = "media"


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why, and nothing was changed."""


@dataclass
class Summary:
    tables: int
    media_files: int
    size: int  # bytes in the folder


def client_program(name: str) -> str:
    """pg_dump or pg_restore, of the newest PostgreSQL installed (they read older servers' data too)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda path: int(path.parts[-3]))
    found = str(candidates[-1]) if candidates else shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: install PostgreSQL's client programs (Debian: postgresql-client).")
    return found


def connection_arguments() -> tuple[list[str], dict[str, str]]:
    database = connection.settings_dict
    arguments = ["--dbname", database["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            arguments += [option, str(database[key])]
    environment = os.environ | ({"PGPASSWORD": database["PASSWORD"]} if database.get("PASSWORD") else {})
    return arguments, environment


def run(program: str, *arguments: str) -> None:
    database_arguments, environment = connection_arguments()
    command = [client_program(program), *database_arguments, *arguments]
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip() or result.returncode}")


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def media_names(folder: str = "") -> list[str]:
    """Every file in the media storage (a folder or a bucket), by its storage name."""
    if folder == "" and not default_storage.exists(""):
        return []
    folders, files = default_storage.listdir(folder)
    names = [f"{folder}{name}" for name in files]
    for inner in folders:
        names += media_names(f"{folder}{inner}/")
    return sorted(names)


def backup(folder: Path) -> Summary:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: back up into a new folder.")
    (folder / MEDIA).mkdir(parents=True, exist_ok=True)
    run("pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(folder / DUMP))
    media = {}
    for name in media_names():
        target = folder / MEDIA / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy)
        media[name] = digest(target)
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": {"file": DUMP, "sha256": digest(folder / DUMP)},
        "media": media,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return Summary(tables=len(connection.introspection.table_names()), media_files=len(media), size=folder_size(folder))


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def checked_manifest(folder: Path) -> dict:
    """The manifest, once every file it names is there with the same digest."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} holds no readable {MANIFEST}: is it a backup?") from error
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    expected |= {f"{MEDIA}/{name}": sha for name, sha in manifest["media"].items()}
    for name, sha in expected.items():
        path = folder / name
        if not path.is_file() or digest(path) != sha:
            raise BackupError(f"{name} is missing or damaged in {folder}; nothing was restored.")
    return manifest


def restore(folder: Path, *, replace: bool) -> Summary:
    manifest = checked_manifest(folder)
    tables = connection.introspection.table_names()
    if tables and not replace:
        raise BackupError("The database already holds tables; restore into an empty one, or pass --replace.")
    connections.close_all()  # pg_restore must not wait for this process's idle connections
    clean = ["--clean", "--if-exists"] if tables else []
    run("pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", *clean,
        str(folder / manifest["database"]["file"]))  # fmt: skip
    for name in manifest["media"]:
        if default_storage.exists(name):
            default_storage.delete(name)
        with (folder / MEDIA / name).open("rb") as source:
            stored = default_storage.save(name, File(source))
        if stored != name:
            raise BackupError(f"The media storage kept {name} as {stored}; check its settings.")
    return Summary(
        tables=len(connection.introspection.table_names()), media_files=len(manifest["media"]), size=folder_size(folder)
    )
