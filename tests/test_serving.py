"""The production server (briefings/gunicorn.py) with two workers: no reader sees a stale page after
any change, whichever worker answers and whichever cache the workers use (each its own memory, or
one Redis)."""

import http.client
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone

from briefings import beacon, publishing
from briefings.models import Briefing
from tests.helpers import edit, make_briefing, make_theme
from tests.servers import READS, Server, gunicorn

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(params=["memory of each worker", "redis"])
def server(request, static_root, tmp_path, monkeypatch):
    extra = {"REDIS_URL": request.getfixturevalue("redis").url} if request.param == "redis" else {}
    if extra:  # this process publishes as a worker would, so it raises the same beacon
        monkeypatch.setattr(beacon, "BEACON", beacon.RedisBeacon(extra["REDIS_URL"]))
    with gunicorn(static_root, tmp_path, **extra) as running:
        yield running


def every_read_shows(server: Server, path: str, text: str) -> bool:
    return all(status == 200 and text in body for status, body in server.reads(path))


def test_no_reader_sees_a_stale_page_after_any_change(server):
    theme = make_theme("Sea power")
    briefing = make_briefing(title="Frigates in the Baltic", body="First text.", themes=[theme], publish=True)
    assert every_read_shows(server, "/briefings/frigates-in-the-baltic/", "First text.")
    assert every_read_shows(server, "/", "Frigates in the Baltic")
    assert every_read_shows(server, "/themes/sea-power/", "Sea power")

    edit(briefing, body="Corrected text.")
    publishing.publish(briefing, by=None, change_kind="correction", note="A date was wrong.")
    assert every_read_shows(server, "/briefings/frigates-in-the-baltic/", "Corrected text.")

    later = make_briefing(title="Corvettes in the Baltic")
    publishing.publish(later, by=None, at=timezone.now() + timedelta(seconds=2))
    assert not any("Corvettes" in body for _, body in server.reads("/"))
    time.sleep(max(0.0, (Briefing.objects.get(pk=later.pk).published_at - timezone.now()).total_seconds()) + 0.1)
    assert every_read_shows(server, "/", "Corvettes in the Baltic"), "a scheduled briefing appears when due"

    theme.name = "Naval power"
    theme.save()
    assert every_read_shows(server, "/themes/sea-power/", "Naval power")

    publishing.unpublish(briefing, by=None)
    assert all(status == 410 for status, _ in server.reads("/briefings/frigates-in-the-baltic/"))
    assert not any("Frigates" in body for _, body in server.reads("/"))
    assert len(server.workers_seen()) == 2, "both workers answered"


def etags(server: Server, path: str) -> set[str]:
    """The ETags READS readers get, each on a connection of its own (so both workers answer)."""
    found = set()
    for _ in range(READS):
        reader = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        reader.request("GET", path, headers={"Host": "127.0.0.1"})
        response = reader.getresponse()
        response.read()
        found.add(response.getheader("ETag"))
    return found


def test_a_publish_keeps_every_worker_serving_the_pages_it_cannot_change(server):
    space, sea = make_theme("Space"), make_theme("Sea power")
    frigates = make_briefing(title="Frigates in the Baltic", themes=[sea], publish=True)
    make_briefing(title="Orbits", themes=[space], publish=True)
    unrelated = ["/themes/sea-power/", "/briefings/frigates-in-the-baltic/", "/feeds/themes/sea-power.atom"]
    kept = {path: etags(server, path) for path in [*unrelated, "/themes/space/", "/"]}
    assert all(len(tags) == 1 for tags in kept.values()), "one rendering, the same from both workers"

    make_briefing(title="Launch sites", themes=[space], publish=True)
    assert all(etags(server, path) == kept[path] for path in unrelated), "kept across the publish"
    for related in ["/themes/space/", "/"]:
        assert etags(server, related).isdisjoint(kept[related])
        assert every_read_shows(server, related, "Launch sites")

    edit(frigates, title="Frigates in the Baltic Sea")
    publishing.publish(frigates, by=None, change_kind="correction", note="The title was vague.")
    assert all(every_read_shows(server, path, "Frigates in the Baltic Sea") for path in unrelated)
    assert len(server.workers_seen()) == 2, "both workers answered"


def test_readers_get_304_from_either_worker_until_a_publish(server):
    make_briefing(title="Frigates in the Baltic", publish=True)
    client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    client.request("GET", "/", headers={"Host": "127.0.0.1"})
    first = client.getresponse()
    first.read()
    etag = first.getheader("ETag")
    statuses = []
    for _ in range(READS):
        reader = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        reader.request("GET", "/", headers={"Host": "127.0.0.1", "If-None-Match": etag})
        response = reader.getresponse()
        response.read()
        statuses.append(response.status)
    assert set(statuses) == {304}
    assert re.search(r"s-maxage=\d+", first.getheader("Cache-Control"))
    make_briefing(title="Corvettes in the Baltic", publish=True)
    reader = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    reader.request("GET", "/", headers={"Host": "127.0.0.1", "If-None-Match": etag})
    assert reader.getresponse().status == 200


def test_readers_are_served_while_redis_is_down(redis, static_root, tmp_path):
    briefing = make_briefing(title="Frigates in the Baltic", body="First text.", publish=True)
    with gunicorn(static_root, tmp_path, REDIS_URL=redis.url) as server:
        assert every_read_shows(server, "/briefings/frigates-in-the-baltic/", "First text.")
        redis.stop()
        assert every_read_shows(server, "/briefings/frigates-in-the-baltic/", "First text.")
        assert every_read_shows(server, "/search/?q=frigates", "Frigates in the Baltic")
        edit(briefing, body="Corrected text.")
        publishing.publish(briefing, by=None, change_kind="correction", note="A date was wrong.")
        assert every_read_shows(server, "/briefings/frigates-in-the-baltic/", "Corrected text.")


class KeptAlive:
    """A reader's connection, kept alive: it stays with the worker that accepted it."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str) -> str:
        self.connection.request("GET", path, headers={"Host": "127.0.0.1"})
        return self.connection.getresponse().read().decode()


ROUNDS = 20
READERS = 8


def readers_on_every_worker(server: Server, path: str) -> list[KeptAlive]:
    """READERS kept-alive connections, half of them held by each worker (the access log says which
    worker answered a connection's first request); the kernel alone may give them all to one."""
    by_worker: dict[str, list[KeptAlive]] = {}
    deadline = time.monotonic() + 30
    while sum(min(len(held), READERS // 2) for held in by_worker.values()) < READERS:
        assert time.monotonic() < deadline, "could not reach both workers"
        reader = KeptAlive(server.port)
        lines = len(server.access_log.read_text().splitlines())
        reader.get(path)
        while len(log := server.access_log.read_text().splitlines()) == lines:
            time.sleep(0.01)
        by_worker.setdefault(log[-1].split()[0], []).append(reader)
    return [reader for held in by_worker.values() for reader in held[: READERS // 2]]


@contextmanager
def busy(server: Server, crowd: int = 6):
    """Other readers keep the workers and the database busy, as on a live site: a notice then takes
    longer to reach a worker's listening connection."""
    done = threading.Event()

    def read_on() -> None:
        reader = KeptAlive(server.port)
        while not done.is_set():
            reader.get("/")

    threads = [threading.Thread(target=read_on) for _ in range(crowd)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        done.set()
        for thread in threads:
            thread.join()


def test_the_first_requests_after_a_publish_returns_get_the_new_page_from_every_worker(server):
    """Reproduces the report of 15 stale pages in 4,641 requests sent 7-29 ms after a publish answered:
    readers on kept-alive connections to both workers ask at once, as soon as each publish returns."""
    path = "/briefings/frigates-in-the-baltic/"
    briefing = make_briefing(title="Frigates in the Baltic", body="Version 0.", publish=True)
    readers = readers_on_every_worker(server, path)
    with ThreadPoolExecutor(READERS) as pool, busy(server):
        assert all("Version 0." in body for body in pool.map(lambda reader: reader.get(path), readers))
        for round_number in range(1, ROUNDS + 1):
            edit(briefing, body=f"Version {round_number}.")
            publishing.publish(briefing, by=None, change_kind="correction", note=f"Round {round_number}.")
            bodies = list(pool.map(lambda reader: reader.get(path), readers))
            stale = [body for body in bodies if f"Version {round_number}." not in body]
            assert stale == [], f"round {round_number}: {len(stale)} of {READERS} readers got an old page"
    assert len(server.workers_seen()) == 2, "both workers answered"
