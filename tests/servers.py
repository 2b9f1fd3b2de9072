"""Real servers for tests: the production server (gunicorn) on a free port, and a private Redis."""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection, connections

PROJECT = Path(__file__).resolve().parents[1]
READS = 24  # each on a new connection, so both workers answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url_of_tests() -> str:
    database = connection.settings_dict
    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database.get("PASSWORD") else ""
    host = quote(database["HOST"] or "localhost", safe="")
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgresql://{user}{password}@{host}{port}/{database['NAME']}"


def production_environment(tmp: Path, **extra: str) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url_of_tests(),
        "SECRET_KEY": "serving-test-" + "k" * 50,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        **extra,
    }


class RedisServer:
    """A private redis-server on a Unix socket."""

    def __init__(self, folder: Path):
        executable = shutil.which("redis-server")
        assert executable, "redis-server is needed (Debian package redis-server)"
        sock = folder / "redis.sock"
        self.url = f"unix://{sock}"
        self.process = subprocess.Popen(
            [executable, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@contextmanager
def gunicorn(static_root: Path, tmp_path: Path, **extra: str) -> Iterator["Server"]:
    """The production server with two workers, on a free port."""
    port = free_port()
    access_log = tmp_path / "access.log"
    settings = {"BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "ACCESS_LOG": str(access_log), **extra}
    error_log = (tmp_path / "server.log").open("w")  # what the workers log
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:briefings.gunicorn", "briefings.wsgi",
         "--access-logformat", "%(p)s %(s)s %(U)s"],
        cwd=PROJECT, env=production_environment(static_root, **settings), stderr=error_log,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield Server(port, access_log)
    finally:
        process.terminate()
        process.wait(timeout=30)
        error_log.close()
        connections.close_all()


class Server:
    def __init__(self, port: int, access_log: Path):
        self.port = port
        self.access_log = access_log

    def get(self, path: str) -> tuple[int, str]:
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        client.request("GET", path, headers={"Host": "127.0.0.1"})
        response = client.getresponse()
        body = response.read().decode()
        client.close()
        return response.status, body

    def reads(self, path: str) -> list[tuple[int, str]]:
        """The page as READS readers get it, one after another."""
        return [self.get(path) for _ in range(READS)]

    def workers_seen(self) -> set[str]:
        return {line.split()[0] for line in self.access_log.read_text().splitlines()}
