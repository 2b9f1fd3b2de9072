"""A signal every committed change of public content gives to every worker's next request.

A worker learns of changes from PostgreSQL's NOTIFY, but a notice reaches its listening connection a
moment after the commit, and a reader's next request can arrive first. So each change also writes a
fresh random value here before its own request answers, and a worker looks at the value on every
request: a value it has not seen means "read the state again". It lives in one Redis key when the
workers share a Redis (any number of machines), otherwise in eight bytes of a file that every worker
on this machine maps into memory; looking costs next to nothing. A beacon that cannot be read makes a
worker ask the database.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import secrets
import struct
import threading
import time
from functools import cache
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)
WARNING_INTERVAL = 60  # seconds between warnings while the beacon cannot be used
RAISE_SCRIPT = (
    "if tonumber(ARGV[1]) > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], ARGV[1]) end"
)


@cache  # read on every request with Redis: the settings do not change while the process runs
def database_identity() -> str:
    """Names the database, so that two sites (or a site and its tests) on one machine keep apart."""
    database = connection.settings_dict
    where = [str(database.get(name) or "") for name in ("HOST", "PORT", "NAME")]
    return hashlib.sha256(repr(where).encode()).hexdigest()[:16]


class FileBeacon:
    """The number in a small file that every worker on this machine maps into memory."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.lock = threading.Lock()
        self.process = None
        self.view = None

    def mapped(self) -> mmap.mmap:
        if self.process != os.getpid():  # a forked worker maps the file afresh
            self.folder.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.folder / f"public-content-{database_identity()}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                if os.fstat(descriptor).st_size < 8:
                    os.ftruncate(descriptor, 8)
                self.view = mmap.mmap(descriptor, 8)
            finally:
                os.close(descriptor)
            self.process = os.getpid()
        return self.view

    def read(self) -> int:
        return struct.unpack_from("<Q", self.mapped())[0]

    def write(self, value: int) -> None:
        with self.lock:
            struct.pack_into("<Q", self.mapped(), 0, value)


class RedisBeacon:
    """The number in one Redis key, shared by the workers of every machine."""

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)

    def key(self) -> str:
        return f"briefings:public-content:{database_identity()}"

    def read(self) -> int:
        return int(self.client.get(self.key()) or 0)

    def write(self, value: int) -> None:
        self.client.set(self.key(), value)


last_warning = 0.0


def warn(error: Exception) -> None:
    global last_warning
    if time.monotonic() - last_warning >= WARNING_INTERVAL:
        last_warning = time.monotonic()
        logger.warning("The freshness beacon cannot be used (%s); workers ask the database instead.", error)


BEACON = RedisBeacon(settings.REDIS_URL) if settings.REDIS_URL else FileBeacon(settings.FRESHNESS_BEACON_DIR)
FAILURES = (OSError, ValueError, redis.exceptions.RedisError)


def read() -> int | None:
    """The value the latest change left, or None when it cannot be known."""
    try:
        return BEACON.read()
    except FAILURES as error:
        warn(error)
        return None


def signal() -> None:
    """Say that public content has changed: call once the change is committed."""
    try:
        BEACON.write(secrets.randbits(64))
    except FAILURES as error:
        warn(error)
