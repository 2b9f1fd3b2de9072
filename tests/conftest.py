import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache

from briefings import freshness
from briefings.management.commands.pgcluster import Cluster, find_server_bindir
from tests.servers import PROJECT, RedisServer, production_environment


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached, as after a deploy."""
    cache.clear()
    freshness.WATCHER.start_afresh()


@pytest.fixture
def empty_queue():
    """The queue's tables are not Django's to flush between tests: a job a test before left waiting would
    join this one's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE procrastinate_jobs CASCADE")


@pytest.fixture(scope="session", autouse=True)
def periodic_tasks():
    """Workers in tests run the jobs a test asks for: a periodic job falling due (a digest at 07:00) would
    otherwise join whichever test was running. Yields what the site registers."""
    from procrastinate.contrib.django import app

    registered = dict(app.periodic_registry.periodic_tasks)
    app.periodic_registry.periodic_tasks.clear()
    yield registered
    app.periodic_registry.periodic_tasks.update(registered)


@pytest.fixture(scope="session", autouse=True)
def listening_stops_before_the_test_database_goes(django_db_setup):
    yield
    freshness.WATCHER.close()


@pytest.fixture(scope="session")
def stoppable_database():
    """A PostgreSQL cluster of its own, migrated and holding the demo content, that a test may stop and
    start while a server uses it (the test database itself must stay up)."""
    root = Path(tempfile.mkdtemp(prefix="briefings-outage-"))
    root.chmod(0o755)  # the server runs as Debian's postgres user when the tests run as root
    cluster = Cluster(root, find_server_bindir())
    cluster.create()
    cluster.start()
    cluster.ensure_database()
    url = f"postgresql://briefings@{quote(str(cluster.socket), safe='')}/briefings"
    environment = os.environ | {"DATABASE_URL": url, "DEBUG": "true"}
    for command in (["migrate", "-v0"], ["load_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=PROJECT, env=environment, check=True,
                       capture_output=True)  # fmt: skip
    yield cluster, url
    cluster.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("serving")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=PROJECT, env=production_environment(tmp), check=True,
    )  # fmt: skip
    return tmp


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()
